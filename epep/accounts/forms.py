from django import forms
from django.contrib.auth import password_validation


class SetPasswordForm(forms.Form):
    full_name = forms.CharField(label="Your full name", max_length=150)
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        help_text=(
            "Use at least 12 characters. Three or more random words work well. "
            "You can paste from a password manager."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Confirm your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password2(self):
        first = self.cleaned_data.get("password1")
        second = self.cleaned_data.get("password2")
        if first and second and first != second:
            raise forms.ValidationError(
                "The passwords do not match. Enter the same password twice."
            )
        return second

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password1")
        if password:
            from .models import User

            candidate = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class AgreementForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have read and agree to the terms above",
        error_messages={"required": "Confirm that you agree to the terms to continue."},
    )
