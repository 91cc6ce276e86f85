"""The forms of the pages: what a learner or a visitor types or picks, checked and explained in
words for a clinician. The rules they serve live in the domain apps' models and services."""

import secrets
from datetime import UTC, datetime
from decimal import Decimal

from django import forms
from django.core import signing
from django.utils import timezone
from django.utils.crypto import salted_hmac

from celmod_course.accounts.forms import EmailAuthenticationForm
from celmod_course.accounts.models import Profession
from celmod_course.cme.models import (
    CERTIFICATE_NUMBER_TYPED_MAX,
    Kind,
    amount_text,
    normalize_certificate_number,
)
from celmod_course.validators import a_printed_name, no_control_characters
from lessons.models import Activity
from quiz.models import COMMENT_MAX_LENGTH, Comment

# Ask

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


# The knowledge check, the poll and the discussion

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

    def answered_count(self):
        """How many questions show a picked answer: none at first, and after an error those
        whose sent answer is one of their choices (the rest are shown unpicked)."""
        return sum(
            str(self[name].value()) in {str(pk) for pk, _ in self.fields[name].choices}
            for name in map(self.field_name, self.questions)
        )

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

    def __init__(self, *args, poll, options, optional=False, **kwargs):
        # Each poll on a page gets its own field names and ids.
        super().__init__(*args, prefix=f"poll-{poll.pk}", **kwargs)
        self.poll = poll
        self.options = list(options)
        field = self.fields["option"]
        field.label = poll.question
        field.choices = [(option.pk, option.text) for option in self.options]
        field.required = not optional  # the question before the lessons may be skipped

    def chosen_option(self):
        """The option chosen in a valid form, or None (an optional question left blank)."""
        return next((o for o in self.options if o.pk == self.cleaned_data["option"]), None)


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


# Certificates, the evaluation and credit


class VerifyForm(forms.Form):
    number = forms.CharField(
        label="Certificate number",
        max_length=CERTIFICATE_NUMBER_TYPED_MAX,
        error_messages={
            "required": "Type the certificate number as printed on the certificate.",
            "max_length": "A certificate number has 16 characters in four groups, "
            "like XXXX-XXXX-XXXX-XXXX. Check it as printed.",
        },
    )

    def clean_number(self):
        number = normalize_certificate_number(self.cleaned_data["number"])
        if not number:
            raise forms.ValidationError(
                "Type the certificate number as printed on the certificate.", code="required"
            )
        return number


COMMENT_MAX = 2000
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def _text_field(label, required, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=COMMENT_MAX,
        help_text=help_text,
        validators=[no_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Answer this question.",
            "max_length": f"Keep this under {COMMENT_MAX:,} characters (it has %(show_value)d).",
        },
    )


class EvaluationForm(forms.Form):
    """The activity's evaluation items: a labelled five-point scale, yes or no (with a comment
    on no), or free text; each required unless staff made it optional."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            label = f"{number}. {question.prompt}"
            name = self.field_name(question)
            if question.kind == Kind.TEXT:
                optional = "" if question.required else "Optional."
                self.fields[name] = _text_field(label, question.required, optional)
                continue
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=question.choices,
                coerce=int,
                required=question.required,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Choose one of the answers.",
                    "invalid_choice": "Choose one of the answers shown.",
                },
            )
            if question.kind == Kind.YES_NO:
                self.fields[f"{name}_comment"] = _text_field(
                    "If no, please tell us what you saw.", False
                )

    @staticmethod
    def field_name(question):
        return f"question_{question.pk}"

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            name = self.field_name(question)
            said_no = question.kind == Kind.YES_NO and cleaned.get(name) == 0
            if said_no and not cleaned.get(f"{name}_comment", "").strip():
                self.add_error(f"{name}_comment", "You answered no: say briefly why.")
        return cleaned

    def answers(self):
        """{question: (value, yes, text)} for a valid form, for the questions answered."""
        answers = {}
        for question in self.questions:
            given = self.cleaned_data.get(self.field_name(question))
            if given in (None, ""):
                continue
            if question.kind == Kind.TEXT:
                answers[question] = (None, None, given.strip())
            elif question.kind == Kind.YES_NO:
                comment = self.cleaned_data.get(f"{self.field_name(question)}_comment", "")
                answers[question] = (None, given == 1, comment.strip() if given == 0 else "")
            else:
                answers[question] = (given, None, "")
        return answers


class ClaimForm(forms.Form):
    amount = forms.TypedChoiceField(
        label="Credit to claim",
        coerce=Decimal,
        error_messages={
            "required": "Choose the amount of credit to claim.",
            "invalid_choice": "Choose one of the amounts offered: steps of 0.25 up to the maximum.",
        },
    )
    first_name = forms.CharField(
        label="First name", max_length=100, validators=[no_control_characters]
    )
    last_name = forms.CharField(
        label="Last name", max_length=100, validators=[no_control_characters]
    )
    attest = forms.BooleanField(
        label="I claim only the credit commensurate with the extent of my participation in the "
        "activity.",
        error_messages={"required": "Tick the attestation to claim credit."},
    )
    report = forms.BooleanField(
        label="Report my credit to the accreditor with my licence or board ID and birth date",
        required=False,
        help_text="Optional. The ACCME passes physicians' credit on to licensing and certifying "
        "boards when it has these; give them only if you want your credit reported that way.",
    )
    licence_id = forms.CharField(
        label="Licence or certifying-board ID",
        max_length=50,
        required=False,
        validators=[no_control_characters],
    )
    birth_month = forms.TypedChoiceField(
        label="Month of birth",
        choices=[("", "Month"), *enumerate(MONTHS, start=1)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    birth_day = forms.TypedChoiceField(
        label="Day of birth",
        choices=[("", "Day"), *((day, day) for day in range(1, 32))],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, designation, learner, **kwargs):
        first, _, last = learner.full_name.split(",")[0].rpartition(" ")
        kwargs.setdefault("initial", {"first_name": first, "last_name": last})
        super().__init__(*args, **kwargs)
        maximum = amount_text(designation.max_amount)
        field = self.fields["amount"]
        amounts = [amount_text(amount) for amount in designation.amounts]
        field.choices = [("", "Choose"), *((amount, amount) for amount in amounts)]
        field.help_text = (
            f"In {designation.credit_type}, up to {maximum}, in steps of 0.25. Claim only the "
            "time you actually spent on the activity."
        )

    def claim(self):
        """The keyword arguments of `credit_claim` from a valid form."""
        data = self.cleaned_data
        reporting = {name: data[name] for name in ("licence_id", "birth_month", "birth_day")}
        return {
            "amount": data["amount"],
            "first_name": data["first_name"].strip(),
            "last_name": data["last_name"].strip(),
            "reporting": reporting,
        }

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("report"):
            cleaned.update(licence_id="", birth_month=None, birth_day=None)
            return cleaned
        if not cleaned.get("licence_id", "").strip():
            self.add_error("licence_id", "Give your licence or board ID, or untick reporting.")
        month, day = cleaned.get("birth_month"), cleaned.get("birth_day")
        if not month or not day:
            self.add_error(
                "birth_day", "Give the month and day of your birth, or untick reporting."
            )
        elif day > DAYS_IN_MONTH[month - 1]:
            self.add_error("birth_day", f"{MONTHS[month - 1]} has no day {day}.")
        return cleaned


# The account


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To make sure it is you.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():  # an account an LMS made, which has no password
            del self.fields["password"]
            self.fields["confirm"] = forms.BooleanField(
                label="Yes, delete my account",
                error_messages={"required": "Tick the box to delete your account."},
            )

    def clean_password(self):
        if not self.user.check_password(self.cleaned_data["password"]):
            raise forms.ValidationError("That is not your password.", code="password_incorrect")
        return self.cleaned_data["password"]


# Launches from an LMS


class LaunchProfileForm(forms.Form):
    """Asked once, after the first launch: the name for certificates, and the profession."""

    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        validators=[no_control_characters, a_printed_name],
        help_text="As it should appear on your certificate, for example Jane Doe, MD. "
        "This is the name your LMS shared; correct it if it is not right.",
        error_messages={"required": "Enter your full name."},
    )
    profession = forms.ChoiceField(
        label="Profession",
        choices=[("", "Choose your profession"), *Profession.choices],
        help_text="Credit is offered by profession.",
        error_messages={"required": "Choose your profession."},
    )

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())


class LinkAccountForm(EmailAuthenticationForm):
    """The email address and password of the learner's own account on this site."""

    error_messages = {
        **EmailAuthenticationForm.error_messages,
        "invalid_login": "That email address and password do not match an account on this "
        "site. Check them and try again.",
    }


class DeepLinkForm(forms.Form):
    activity = forms.ModelChoiceField(
        label="Activity to add to your course",
        queryset=Activity.objects.published(),
        to_field_name="slug",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the activity to add.",
            "invalid_choice": "That activity is not offered. Choose one of those listed.",
        },
    )
