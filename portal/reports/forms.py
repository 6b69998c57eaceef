"""The dashboard's filter form: GOV.UK selects, read back by ``reports.filters.parse_filters``
(the one place a filter value is checked; this form only shows its messages)."""

from __future__ import annotations

from django import forms
from django.forms.utils import ErrorDict

from reports.filters import COHORTS, KEY_STAGE_CHOICES, TERMS


class FilterForm(forms.Form):
    year = forms.ChoiceField(label="Academic year", required=False)
    term = forms.ChoiceField(label="Term", required=False)
    cohort = forms.ChoiceField(label="Cohort", required=False)
    school = forms.ChoiceField(label="School", required=False)
    key_stage = forms.ChoiceField(label="Key stage", required=False)
    team = forms.ChoiceField(label="Social worker team", required=False)

    def __init__(self, data, *, years, schools, teams, errors):
        super().__init__(data)
        self._parse_errors = errors
        self.fields["year"].choices = [(str(y), f"{y}/{(y + 1) % 100:02d}") for y in years]
        self.fields["term"].choices = [("", "Whole year"), *TERMS.items()]
        self.fields["cohort"].choices = [("", "All children"), *COHORTS.items()]
        self.fields["school"].choices = [("", "All schools"), *((str(pk), n) for pk, n in schools)]
        self.fields["key_stage"].choices = [("", "All key stages")] + [
            (k, k) for k in KEY_STAGE_CHOICES
        ]
        self.fields["team"].choices = [("", "All teams"), *((t, t) for t in teams)]

    def full_clean(self):
        """The messages ``parse_filters`` gave, each beside its field."""
        self._errors = ErrorDict()
        self.cleaned_data = {}
        for field, message in self._parse_errors.items():
            self._errors[field] = self.error_class([message])
