from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model

from children.permissions import today
from epep.tenancy.models import Membership
from epep.tenancy.roles import SCHOOL_ROLES


class GovukDateInput(forms.DateInput):
    input_type = "date"


def _default_expiry():
    return today() + timedelta(days=90)


class GrantAccessForm(forms.Form):
    """The Virtual School gives a named professional access to one child."""

    email = forms.EmailField(
        label="Email address of the person",
        help_text="They must already have an account as a professional.",
    )
    reason = forms.CharField(
        label="Why do they need to see this child's record?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expires_on = forms.DateField(
        label="Access ends on",
        help_text="Access stops at the start of this day. At most one year from today.",
        widget=GovukDateInput,
        initial=_default_expiry,
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        try:
            self.grantee = get_user_model().objects.get(email__iexact=email, is_active=True)
        except get_user_model().DoesNotExist:
            raise forms.ValidationError(
                "There is no active account with this email address. Invite the person first."
            ) from None
        return email


class DelegateAccessForm(forms.Form):
    """A designated teacher shares a child with a colleague at the same school."""

    colleague = forms.ModelChoiceField(
        label="Colleague",
        queryset=get_user_model().objects.none(),
        empty_label="Choose a colleague",
    )
    reason = forms.CharField(
        label="Why does your colleague need to see this child's record?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expires_on = forms.DateField(
        label="Access ends on",
        help_text="Access also ends if the child leaves your school.",
        widget=GovukDateInput,
        initial=_default_expiry,
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        colleague_ids = (
            Membership.objects.active()
            .filter(role__in=[r.value for r in SCHOOL_ROLES], school_id__in=actor.school_ids)
            .exclude(user_id=actor.user_id)
            .values("user_id")
        )
        self.fields["colleague"].queryset = get_user_model().objects.filter(pk__in=colleague_ids)


class SwitchRoleForm(forms.Form):
    role = forms.ChoiceField(label="Which role are you working in?", widget=forms.RadioSelect)

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in roles]
