from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    AuthenticationForm,
    BaseUserCreationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.core.exceptions import ValidationError

from .models import Profession, User


class NewPasswordErrors:
    """A refused new password is said under the field it was typed in (Django says it under the
    confirmation), followed by what to do: both fields come back empty, since a password is
    never sent back to the browser."""

    FIRST_FIELD = {"password2": "password1", "new_password2": "new_password1"}

    def validate_password_for_user(self, user, password_field_name="password2"):
        field = self.FIRST_FIELD[password_field_name]
        password = self.cleaned_data.get(field)
        if not password:
            return
        try:
            password_validation.validate_password(password, user)
        except ValidationError as refusal:
            again = ValidationError("Enter a new password in both fields.", code="password_again")
            self.add_error(field, [*refusal.error_list, again])


class SignUpForm(NewPasswordErrors, BaseUserCreationForm):
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
        # Whether the address has an account is not said here: the mail to it says it.
        return User.objects.normalize_email(self.cleaned_data["email"])

    def validate_unique(self):
        pass  # the same: an address with an account is answered like any other

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


class ProfileForm(forms.ModelForm):
    """Name and profession change at once; a new email address once its owner confirms it."""

    email = forms.EmailField(
        label="Email address",
        max_length=User._meta.get_field("email").max_length,
        help_text="A new address changes once you open the link we send to it.",
    )

    class Meta:
        model = User
        fields = ("full_name", "profession")
        labels = {"full_name": "Full name"}
        help_texts = {
            "full_name": "As it should appear on the certificates you earn from now on.",
            "profession": "Credit is offered by the profession a certificate was issued under.",
        }

    current_password = forms.CharField(
        label="Current password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Needed only to change your email address.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].initial = self.instance.email
        if not self.instance.has_usable_password():
            # An account an LMS made: without a password its address cannot be changed, and
            # one standing for none is never shown (the page says why).
            del self.fields["email"], self.fields["current_password"]

    @property
    def email_changes(self):
        return self.is_valid() and self.cleaned_data.get("email", self.instance.email) != (
            self.instance.email
        )

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        taken = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                "Another account uses this email address.", code="duplicate_email"
            )
        return email

    def clean_full_name(self):
        return SignUpForm.clean_full_name(self)

    def clean(self):
        # Whoever holds a session must not be able to move the account to their own address
        # (then reset its password): a new address needs the password too.
        cleaned = super().clean()
        new_email = cleaned.get("email", self.instance.email) != self.instance.email
        if new_email and not self.instance.check_password(cleaned.get("current_password") or ""):
            self.add_error(
                "current_password",
                forms.ValidationError(
                    "Type your current password to change your email address.",
                    code="password_incorrect",
                ),
            )
        return cleaned


class NewPasswordForm(NewPasswordErrors, SetPasswordForm):
    """The new password chosen through a reset link."""


class ChangePasswordForm(NewPasswordErrors, PasswordChangeForm):
    """The new password chosen on the Change password page."""


class ResetForm(PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        help_text="The address you signed up with.",
    )
