"""The care screens' forms: adding a child, leaving care, entering care again."""

from django import forms

from children import permissions
from children.models import Child
from children.services import LEAVING_REASONS
from epep.tenancy.roles import Role
from epep.tenancy.selectors import people_in_role

from ..forms import GovukDateInput

_DATE_ERRORS = {"invalid": "Enter a real date, for example 27 3 2026"}


class SocialWorkerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.full_name or user.email


class ChildAddForm(forms.Form):
    """A child the authority has taken into care (one page; then check your answers)."""

    legal_first_name = forms.CharField(
        label="Legal first name",
        max_length=100,
        error_messages={"required": "Enter the child's legal first name"},
    )
    legal_last_name = forms.CharField(
        label="Legal last name",
        max_length=100,
        error_messages={"required": "Enter the child's legal last name"},
    )
    preferred_name = forms.CharField(
        label="Preferred first name (optional)",
        max_length=100,
        required=False,
        help_text="The name the child likes to be called, if different.",
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        widget=GovukDateInput,
        error_messages={"required": "Enter the child's date of birth", **_DATE_ERRORS},
    )
    gender = forms.ChoiceField(
        label="Gender",
        choices=Child.Gender.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the child's gender",
            "invalid_choice": "Select one of the options",
        },
    )
    upn = forms.CharField(
        label="UPN (optional)",
        max_length=13,
        required=False,
        help_text="Unique pupil number: 13 characters, for example A123456789012.",
    )
    uln = forms.CharField(
        label="ULN (optional)",
        max_length=10,
        required=False,
        help_text="Unique learner number, for young people over 16: 10 digits.",
    )
    legal_status = forms.ChoiceField(
        label="Legal status",
        choices=[("", "Choose the legal status"), *Child.LegalStatus.choices],
        error_messages={
            "required": "Select the child's legal status",
            "invalid_choice": "Select one of the legal statuses",
        },
    )
    sen_status = forms.ChoiceField(
        label="Special educational needs",
        choices=Child.SenStatus.choices,
        initial=Child.SenStatus.NONE,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the child's special educational needs",
            "invalid_choice": "Select one of the options",
        },
    )
    is_uasc = forms.ChoiceField(
        label="Is the child an unaccompanied asylum-seeking child?",
        choices=[("no", "No"), ("yes", "Yes")],
        initial="no",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if the child is an unaccompanied asylum-seeking child",
            "invalid_choice": "Select yes or no",
        },
    )
    first_language = forms.CharField(
        label="First language",
        max_length=60,
        initial="English",
        error_messages={"required": "Enter the child's first language"},
    )
    entered_care_on = forms.DateField(
        label="Date entered care",
        widget=GovukDateInput,
        error_messages={"required": "Enter the date the child entered care", **_DATE_ERRORS},
    )
    social_worker = SocialWorkerChoiceField(
        label="Social worker (optional)",
        queryset=None,
        required=False,
        to_field_name="public_id",
        empty_label="Allocate later",
        error_messages={"invalid_choice": "Choose one of the authority's social workers"},
    )

    #: Where each service error goes on this form.
    SERVICE_FIELDS = {"confirmed_not_duplicate": None}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        if not permissions.can_choose_social_worker(actor) or not actor.authority_ids:
            # A social worker adding a child is their social worker.
            del self.fields["social_worker"]
        else:
            self.fields["social_worker"].queryset = people_in_role(
                authority_id=sorted(actor.authority_ids)[0], role=Role.SOCIAL_WORKER
            )

    def clean_upn(self):
        return "".join(self.cleaned_data.get("upn", "").split()).upper()

    def clean_uln(self):
        return "".join(self.cleaned_data.get("uln", "").split())

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["is_uasc"] = data["is_uasc"] == "yes"
        social_worker = data.pop("social_worker", None)
        return {"social_worker": social_worker, **data}


class DifferentChildForm(forms.Form):
    different = forms.ChoiceField(
        label="Is this a different child?",
        choices=[("yes", "Yes, this is a different child"), ("no", "No, the child is listed")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if this is a different child from those listed",
            "invalid_choice": "Select yes or no",
        },
    )


class LeaveCareForm(forms.Form):
    left_on = forms.DateField(
        label="Date the child left care",
        widget=GovukDateInput,
        error_messages={"required": "Enter the date the child left care", **_DATE_ERRORS},
    )
    reason = forms.ChoiceField(
        label="Why did the child leave care?",
        choices=LEAVING_REASONS.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the reason the child left care",
            "invalid_choice": "Select one of the reasons",
        },
    )


class EnterCareAgainForm(forms.Form):
    entered_on = forms.DateField(
        label="Date the child entered care again",
        widget=GovukDateInput,
        error_messages={"required": "Enter the date the child entered care again", **_DATE_ERRORS},
    )
