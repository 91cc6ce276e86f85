"""A password validator that asks how guessable a password is, not only how long."""

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

# zxcvbn's scores: 3 is "safely unguessable: moderate protection from offline slow-hash attack".
MIN_SCORE = 3
CHECKED_LENGTH = 100  # zxcvbn slows down on very long input; the first 100 characters decide


class GuessabilityValidator:
    """Refuses passwords that zxcvbn estimates can be guessed quickly: repeated or sequential
    characters, keyboard rows, common words and names, the learner's own email or name."""

    def validate(self, password, user=None):
        hints = [user.email, user.full_name] if user is not None else []
        result = zxcvbn(password[:CHECKED_LENGTH], user_inputs=[h for h in hints if h])
        if result["score"] >= MIN_SCORE:
            return
        feedback = result["feedback"]
        advice = " ".join(filter(None, [feedback.get("warning"), *feedback.get("suggestions", [])]))
        raise ValidationError(
            f"This password is too easy to guess. {advice}".strip(), code="password_too_guessable"
        )

    def get_help_text(self):
        return (
            "It must not be easy to guess: no repeated letters, sequences such as abcd or qwerty, "
            "or common words on their own."
        )
