from decimal import Decimal

from django import forms

from celmod_course.validators import no_control_characters

from .models import (
    CERTIFICATE_NUMBER_TYPED_MAX,
    Kind,
    amount_text,
    normalize_certificate_number,
)


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
            choices = question.scale or [(1, "Yes"), (0, "No")]
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=choices,
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
