"""The forms of the authority's settings pages. The services
(``epep.tenancy.services.local_authority_policy_update``, ``calendars.services``) decide
what may be saved; these only read what was typed."""

from __future__ import annotations

from django import forms

from calendars.models import SubmissionDate
from calendars.services import MAX_TERMS
from children.models import School
from epep.tenancy.models import LocalAuthority

from ..forms import GovukDateInput

YES_NO = [("yes", "Yes"), ("no", "No")]


def _date_field(label: str, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=GovukDateInput,
        error_messages={
            "invalid": "Enter a real date, like 2026-09-03",
            "required": f"Enter the {label.lower()}",
        },
    )


def _yes_no(label: str, help_text: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        error_messages={"required": "Choose yes or no", "invalid_choice": "Choose yes or no"},
    )


class PolicyForm(forms.Form):
    first_pep_limit = forms.IntegerField(
        label="First PEP within",
        help_text="How many days after a child enters care the first PEP must be held (1 to 60).",
        error_messages={
            "required": "Enter the number of days",
            "invalid": "Enter the number of days as a whole number, like 20",
        },
    )
    first_pep_unit = forms.ChoiceField(
        label="Counted in",
        choices=LocalAuthority.PepDayUnit.choices,
        error_messages={"invalid_choice": "Choose one of the options"},
    )
    review_cadence = forms.ChoiceField(
        label="PEP reviews",
        choices=LocalAuthority.ReviewCadence.choices,
        error_messages={"invalid_choice": "Choose one of the options"},
    )
    max_targets_per_term = forms.IntegerField(
        label="Most targets in a PEP each term",
        help_text="From 1 to 10.",
        error_messages={
            "required": "Enter the number of targets",
            "invalid": "Enter the number of targets as a whole number, like 4",
        },
    )
    in_year_transfers_need_authorisation = _yes_no(
        "Do in-year school moves need the Virtual School's authorisation?",
        "A child's move to another school during the school year.",
    )
    finalising_needs_second_person = _yes_no(
        "Does finalising a PEP need a second person?",
        "The officer who approved a PEP cannot also finalise it.",
    )
    two_step_optional_under_13 = _yes_no(
        "May children under 13 sign in without two-step sign-in?",
        "A young person under 13 may use a password alone. Otherwise they need a password "
        "of at least 15 characters or two-step sign-in (an authenticator app or a "
        "security key).",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def initial_for(cls, authority: LocalAuthority) -> dict:
        initial = {name: getattr(authority, name) for name in cls.base_fields if name != "version"}
        for name in (
            "in_year_transfers_need_authorisation",
            "finalising_needs_second_person",
            "two_step_optional_under_13",
        ):
            initial[name] = "yes" if initial[name] else "no"
        initial["version"] = authority.policy_version
        return initial


class TermDatesForm(forms.Form):
    """Up to six terms (half terms, or Kent's six numbered terms); rows left empty are
    not terms (a year of three terms uses three)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, MAX_TERMS + 1):
            self.fields[f"name_{i}"] = forms.CharField(label="Name", required=False, max_length=40)
            self.fields[f"start_date_{i}"] = _date_field("First day")
            self.fields[f"end_date_{i}"] = _date_field("Last day")

    def rows(self):
        return [
            {
                "number": i,
                "name": self[f"name_{i}"],
                "start_date": self[f"start_date_{i}"],
                "end_date": self[f"end_date_{i}"],
            }
            for i in range(1, MAX_TERMS + 1)
        ]

    def terms(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "name": data.get(f"name_{i}") or "",
                "start_date": data.get(f"start_date_{i}"),
                "end_date": data.get(f"end_date_{i}"),
            }
            for i in range(1, MAX_TERMS + 1)
        ]

    @staticmethod
    def initial_for(terms) -> dict:
        initial = {}
        for i, term in enumerate(terms, start=1):
            initial[f"name_{i}"] = term["name"]
            initial[f"start_date_{i}"] = term["start_date"]
            initial[f"end_date_{i}"] = term["end_date"]
        return initial


class ClosureForm(forms.Form):
    date = _date_field("Date", required=True, help_text="A school day inside a term.")
    reason = forms.CharField(
        label="Reason",
        max_length=100,
        help_text="For example: INSET day, or polling day.",
        error_messages={"required": "Enter the reason, like INSET day"},
    )
    school_urn = forms.CharField(
        label="School URN (leave empty for every school)",
        required=False,
        max_length=20,
        help_text="An INSET day closes one school: its 6-digit unique reference number.",
    )

    def clean_school_urn(self):
        urn = "".join((self.cleaned_data.get("school_urn") or "").split())
        self.school = None
        if not urn:
            return urn
        if not urn.isdigit() or len(urn) != 6:
            raise forms.ValidationError("Enter the URN as 6 digits, like 118234")
        self.school = School.objects.filter(urn=urn).first()
        if self.school is None:
            raise forms.ValidationError(f"There is no school with URN {urn}")
        return urn


class SubmissionDatesForm(forms.Form):
    autumn = _date_field("Autumn term", help_text="Leave empty for no submission date.")
    spring = _date_field("Spring term")
    summer = _date_field("Summer term")

    def dates(self) -> dict:
        return {term: self.cleaned_data.get(term) for term in SubmissionDate.Term.values}
