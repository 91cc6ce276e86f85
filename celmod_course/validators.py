import unicodedata

from django.core.exceptions import ValidationError

# Characters that change the direction text is shown in: "DM ecilA" with U+202E before it shows
# as "Alice MD". Plain text from users never needs them.
DIRECTION_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def no_control_characters(value):
    """Plain text only: letters, marks, symbols and spaces, with line breaks and tabs; no
    invisible control or direction characters; and something visible, if anything at all."""
    if any(unicodedata.category(char) == "Cc" and char not in "\n\r\t" for char in value):
        raise ValidationError(
            "Remove the invisible control characters from this text (they cannot be shown).",
            code="control_characters",
        )
    if any(char in DIRECTION_CONTROLS for char in value):
        raise ValidationError(
            "Remove the invisible direction marks from this text: they make it display "
            "differently from how it was typed.",
            code="direction_controls",
        )
    if value and all(unicodedata.category(char) in INVISIBLE for char in value):
        raise ValidationError(
            "This text has nothing visible in it. Type it with letters or digits.",
            code="invisible",
        )


# Letters that print as nothing: the Hangul fillers and the Khmer inherent vowels.
BLANK_LETTERS = set("\u115f\u1160\u3164\uffa0\u17b4\u17b5")


def a_printed_name(value):
    """A name as a certificate prints it: at least two letters that show. Combining marks on
    their own, the Braille blank, Hangul fillers and such print as a blank name."""
    letters = [
        c for c in value if unicodedata.category(c).startswith("L") and c not in BLANK_LETTERS
    ]
    if len(letters) < 2:
        raise ValidationError(
            "Type your name with letters: at least two that print.", code="no_letters"
        )
