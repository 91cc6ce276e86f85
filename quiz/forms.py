import secrets
from datetime import UTC, datetime

from django import forms
from django.core import signing
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import COMMENT_MAX_LENGTH, Comment

STARTED_SALT = "quiz.knowledge-check.started"
STARTED_MAX_AGE = 60 * 60 * 24  # a knowledge check left open for over a day is timed from submit


def new_shuffle_seed():
    return secrets.randbelow(2**31)


def attempt_seed(learner, activity, number):
    """The seed of a learner's attempt `number`: the same each time they open that attempt's
    page (reloading does not reshuffle it), another for every attempt, and not predictable
    without the server's SECRET_KEY."""
    digest = salted_hmac("quiz.attempt-seed", f"{learner.pk}:{activity.pk}:{number}").hexdigest()
    return int(digest[:8], 16) % 2**31


def start_token(seed, now=None):
    """The signed hidden field that keeps, from the page to its submit, when the knowledge check
    was opened and the seed that shuffled its choices."""
    return signing.dumps({"t": (now or timezone.now()).timestamp(), "s": seed}, salt=STARTED_SALT)


def read_start_token(token):
    """(opened at, seed) from a start token, or (None, None) if it is missing, forged or old."""
    try:
        value = signing.loads(token, salt=STARTED_SALT, max_age=STARTED_MAX_AGE)
        return datetime.fromtimestamp(float(value["t"]), tz=UTC), int(value["s"]) % 2**31
    except (signing.BadSignature, TypeError, ValueError, OverflowError, KeyError):
        return None, None


class KnowledgeCheckForm(forms.Form):
    """All questions of an activity, one radio group each, choices in a shuffled order.

    Choices are offered by id and text only: nothing in the form says which is correct. The
    order comes from a seed kept in the signed `started` field, so a form shown again with an
    error keeps it, and the attempt stores it for its review.
    """

    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, questions, seed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.started_at, self.seed = read_start_token(self.data.get("started"))
        if self.seed is None:
            self.seed = new_shuffle_seed() if seed is None else seed
        if not self.is_bound:
            self.initial["started"] = start_token(self.seed)
        for number, question in enumerate(questions, start=1):
            self.fields[self.field_name(question)] = forms.TypedChoiceField(
                label=f"{number}. {question.prompt}",
                choices=[(c.pk, c.text) for c in question.shuffled_choices(self.seed)],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Choose an answer to this question.",
                    "invalid_choice": "That answer is not one of this question's choices. "
                    "Choose one of the answers shown.",
                },
            )

    @staticmethod
    def field_name(question):
        return f"question_{question.pk}"

    def clean_started(self):
        return self.started_at

    def chosen(self):
        """{question: choice} for a valid form."""
        chosen = {}
        for question in self.questions:
            choice_id = self.cleaned_data[self.field_name(question)]
            chosen[question] = next(c for c in question.choices.all() if c.pk == choice_id)
        return chosen


class VoteForm(forms.Form):
    option = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose one of the options to answer the poll.",
            "invalid_choice": "That answer is not one of this poll's options. "
            "Choose one of the options shown.",
        },
    )

    def __init__(self, *args, poll, options, **kwargs):
        # Each poll on a page gets its own field names and ids.
        super().__init__(*args, prefix=f"poll-{poll.pk}", **kwargs)
        self.poll = poll
        self.options = list(options)
        field = self.fields["option"]
        field.label = poll.question
        field.choices = [(option.pk, option.text) for option in self.options]

    def chosen_option(self):
        return next(o for o in self.options if o.pk == self.cleaned_data["option"])


class CommentForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ("body",)
        labels = {"body": "Your comment"}
        help_texts = {
            "body": f"Plain text, up to {COMMENT_MAX_LENGTH:,} characters. Other learners see it "
            "with your full name and the date.",
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "body": {
                "required": "Write a comment before posting it.",
                "max_length": f"A comment can be up to {COMMENT_MAX_LENGTH:,} characters; "
                "yours has %(show_value)d. Shorten it and post again.",
            }
        }
