from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm

from .models import Profession, User


class SignUpForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "profession")
        labels = {"full_name": "Full name"}
        help_texts = {
            "email": "You will log in with this address. It is never shown to other learners.",
            "full_name": "As it should appear on your certificate, for example Jane Doe, MD.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No profession is preselected: each learner says which is theirs.
        self.fields["profession"].choices = [("", "Choose your profession"), *Profession.choices]
        self.fields["profession"].initial = None

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email address already exists. Log in instead.",
                code="duplicate_email",
            )
        return email

    def clean_full_name(self):
        full_name = " ".join(self.cleaned_data["full_name"].split())
        if not full_name:
            raise forms.ValidationError("Enter your full name.", code="required")
        return full_name


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email address and password do not match an account. "
        "Check them and try again.",
    }
