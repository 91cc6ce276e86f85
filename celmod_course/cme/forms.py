from django import forms

from .models import CERTIFICATE_NUMBER_TYPED_MAX, normalize_certificate_number


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
