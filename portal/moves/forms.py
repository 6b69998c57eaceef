"""Forms of the moves screens: what a person types. The rules are the services'
(``children.services.moves``): their refusals come back beside the fields."""

from django import forms
from django.contrib.auth import get_user_model

from children.models import Placement, School, WorkerRole
from epep.tenancy.roles import Role
from epep.tenancy.selectors import people_in_role
from portal.forms import GovukDateInput


class SchoolSearchForm(forms.Form):
    q = forms.CharField(
        label="School name, URN or postcode",
        max_length=100,
        help_text="For example: Oakfield Primary, 118234 or ME14 1XX.",
    )

    def clean_q(self):
        query = " ".join(self.cleaned_data["q"].split())
        if len(query) < 2:
            raise forms.ValidationError("Enter at least 2 characters of the school's name")
        return query


class StartDateForm(forms.Form):
    start_date = forms.DateField(
        label="Date the move starts",
        help_text="The first day at the new school. The old school's access ends that day.",
        widget=GovukDateInput,
        error_messages={
            "required": "Enter the date the move starts",
            "invalid": "Enter a real date",
        },
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why is the move declined?",
        help_text="The person who asked for the move will see this.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the move is declined"},
    )


class AddSchoolForm(forms.Form):
    name = forms.CharField(label="School name", max_length=200)
    urn = forms.CharField(
        label="URN (optional)",
        required=False,
        max_length=6,
        help_text="Only if it has one: independent schools in England do.",
    )
    phase = forms.ChoiceField(
        label="Phase", choices=[("", "Choose the phase"), *School.Phase.choices]
    )
    type = forms.ChoiceField(label="Type", choices=[("", "Choose the type"), *School.Type.choices])
    la_code = forms.CharField(
        label="LA code (optional)",
        required=False,
        max_length=3,
        help_text="The 3-digit code of the local authority area it is in. Leave blank for a "
        "school outside England.",
    )
    postcode = forms.CharField(label="Postcode (optional)", required=False, max_length=8)

    def clean_urn(self):
        return "".join(self.cleaned_data.get("urn", "").split())


class PlacementMoveForm(StartDateForm):
    placement_type = forms.ChoiceField(
        label="Type of placement", choices=[("", "Choose the type"), *Placement.Type.choices]
    )
    carers = forms.ModelMultipleChoiceField(
        label="Carers",
        required=False,
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose from the authority's carers, or invite a new carer below.",
    )
    new_carer_name = forms.CharField(label="New carer's full name (optional)", required=False)
    new_carer_email = forms.EmailField(label="New carer's email address (optional)", required=False)

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_date"].help_text = "The first day in the new placement."
        self.fields["carers"].queryset = people_in_role(
            authority_id=child.local_authority_id, role=Role.CARER
        )

    def clean(self):
        cleaned = super().clean()
        name, email = cleaned.get("new_carer_name", ""), cleaned.get("new_carer_email", "")
        if email and not name.strip():
            self.add_error("new_carer_name", "Enter the new carer's full name")
        if name.strip() and not email and "new_carer_email" not in self.errors:
            self.add_error("new_carer_email", "Enter the new carer's email address")
        return cleaned


class WorkerChangeForm(StartDateForm):
    kind = forms.ChoiceField(
        label="Which worker changes?", choices=[("", "Choose the role"), *WorkerRole.choices]
    )
    worker = forms.ModelChoiceField(
        label="New worker",
        required=False,
        queryset=get_user_model().objects.none(),
        empty_label="Choose the new worker",
        help_text="People of the authority in the role chosen above.",
    )
    new_worker_name = forms.CharField(label="Or invite: full name", required=False)
    new_worker_email = forms.EmailField(label="Or invite: email address", required=False)

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_date"].help_text = "The first day the new worker is allocated."
        self.fields["worker"].queryset = people_in_role(
            authority_id=child.local_authority_id, role=WorkerRole.values
        )

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("new_worker_name", "").strip()
        email = cleaned.get("new_worker_email", "")
        if not cleaned.get("worker") and not email and "new_worker_email" not in self.errors:
            self.add_error("worker", "Choose the new worker, or invite someone")
        if email and not name:
            self.add_error("new_worker_name", "Enter the new worker's full name")
        return cleaned
