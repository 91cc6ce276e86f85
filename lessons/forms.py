from django import forms

from celmod_course.validators import no_control_characters

QUESTION_MAX_LENGTH = 200


class AskForm(forms.Form):
    q = forms.CharField(
        label="Ask the commentary",
        max_length=QUESTION_MAX_LENGTH,
        validators=[no_control_characters],
        error_messages={
            "required": "Type a question first.",
            "max_length": f"Keep your question under {QUESTION_MAX_LENGTH} characters "
            "(it has %(show_value)d).",
        },
    )
