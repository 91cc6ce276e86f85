from django import forms

from celmod_course.validators import no_control_characters

from .models import COMMENT_MAX_LENGTH, Comment

QUESTION_MAX_LENGTH = 200


class CommentForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ("body",)
        labels = {"body": "Your comment"}
        help_texts = {
            "body": "Plain text, up to 2,000 characters. Other learners see it with your full "
            "name and the date.",
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "body": {
                "required": "Write a comment before posting it.",
                "max_length": f"A comment can be up to {COMMENT_MAX_LENGTH:,} characters; "
                "yours has %(show_value)d. Shorten it and post again.",
            }
        }


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
