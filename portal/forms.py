from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model

from children.permissions import today
from epep.tenancy.roles import SCHOOL_ROLES
from epep.tenancy.selectors import school_role_holders


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

    def __init__(self, *args, actor, child, **kwargs):
        super().__init__(*args, **kwargs)
        # Colleagues at the teacher's school whom the child's authority endorses.
        self.fields["colleague"].queryset = school_role_holders(
            school_ids=actor.school_ids, authority_id=child.local_authority_id, roles=SCHOOL_ROLES
        ).exclude(pk=actor.user_id)


class SwitchRoleForm(forms.Form):
    role = forms.ChoiceField(label="Which role are you working in?", widget=forms.RadioSelect)

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in roles]
