import unicodedata

from django.core.exceptions import ValidationError


def no_control_characters(value):
    """Plain text only: letters, marks, symbols and spaces, with line breaks and tabs."""
    if any(unicodedata.category(char) == "Cc" and char not in "\n\r\t" for char in value):
        raise ValidationError(
            "Remove the invisible control characters from this text (they cannot be shown).",
            code="control_characters",
        )
