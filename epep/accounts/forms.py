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


class YoungPersonAccountForm(SetPasswordForm):
    """Setting up a young person's account, in words a 10-year-old follows. The password
    must be long where their authority's rule asks for it (``long_password``); an
    invitation sent to their carer (``helped``) asks for the child's own address."""

    field_order = ["email", "full_name", "password1", "password2"]
    email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.com"},
    )

    def __init__(self, *args, first_name: str, helped: bool, long_password: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.helped = helped
        self.long_password = long_password
        self.fields["full_name"].label = "Your name"
        self.fields["full_name"].error_messages["required"] = "Enter your name"
        self.fields["password1"].label = "Make a password"
        self.fields["password1"].error_messages["required"] = "Make a password"
        self.fields["password2"].label = "Type your password again"
        self.fields["password2"].error_messages["required"] = "Type your password again"
        shortest = 15 if long_password else 12  # permissions.LONG_PASSWORD_LENGTH
        self.fields["password1"].help_text = (
            f"Use at least {shortest} letters, numbers or spaces. Three random words are "
            "easy to remember and hard to guess, like: cloud pizza river"
        )
        if helped:
            self.fields["full_name"].label = f"{first_name}'s name"
            self.fields["email"].label = f"The email address {first_name} will sign in with"
            self.fields[
                "email"
            ].help_text = f"{first_name}'s own address, not yours. You can make a new one together."
            self.fields["email"].required = True
            self.fields["email"].error_messages["required"] = (
                f"Enter the email address {first_name} will sign in with"
            )
            self.fields["password1"].label = f"Make a password with {first_name}"
        else:
            del self.fields["email"]

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean(self):
        from .permissions import LONG_PASSWORD_LENGTH
        from .services.invitations import LONG_PASSWORD_MESSAGE

        if self.helped and self.cleaned_data.get("email"):
            self.email = self.cleaned_data["email"]
        password = self.cleaned_data.get("password1") or ""
        if self.long_password and password and len(password) < LONG_PASSWORD_LENGTH:
            self.add_error("password1", LONG_PASSWORD_MESSAGE)
            return self.cleaned_data
        return super().clean()
