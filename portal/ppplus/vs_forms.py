"""Forms of the Virtual School's PP+ screens: what a person types. Amounts are pounds
as text, turned into pence by ``funding.money.pounds_to_pence`` (its message beside the
field); the rules are the services' (``funding.services``), whose refusals come back
beside the fields of the same names."""

from __future__ import annotations

from django import forms

from funding.models import Category, GrantStage, ReleaseModel, TransferRule
from funding.money import MAX_PPPLUS_LINE_PENCE, format_pounds, pounds_to_pence
from funding.services.lines import Decision
from peps.models import Term
from portal.forms import GovukDateInput

#: The most a grant or an authority-wide amount can be: £1,000,000,000.
MAX_AUTHORITY_PENCE = 100_000_000_000

YES_NO = [("yes", "Yes"), ("no", "No")]


class PoundsField(forms.CharField):
    """Pounds and pence as typed ("£1,234.56", "1234.5"), cleaned to whole pence."""

    def __init__(self, *, noun: str, maximum: int = MAX_PPPLUS_LINE_PENCE, **kwargs):
        self.noun, self.maximum = noun, maximum
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text and not self.required:
            return None
        try:
            return pounds_to_pence(text, maximum=self.maximum, noun=self.noun)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


def pounds_text(pence: int | None) -> str:
    """Pence as the text a pounds field shows ("" for nothing)."""
    return "" if pence is None else format_pounds(pence).lstrip("£")


class PolicyForm(forms.Form):
    """The year's PP+ policy: every field of ``funding.services.policy.POLICY_FIELDS``,
    named as the service names them so its refusals land beside the right field."""

    grant_rate_pence = PoundsField(
        label="Grant per child (£)",
        noun="the grant per child",
        help_text="The government's rate per eligible child this year, for example 2,570.",
        required=False,
    )
    retention_pence = PoundsField(
        label="Kept centrally: an amount (£, optional)",
        noun="the amount kept centrally",
        maximum=MAX_AUTHORITY_PENCE,
        required=False,
        help_text="Leave empty if you keep a share instead, or nothing.",
    )
    retention_percent = forms.IntegerField(
        label="Kept centrally: a share of the grant (%, optional)",
        required=False,
        min_value=0,
        max_value=100,
        help_text="A whole number from 0 to 100. Leave empty if you keep an amount instead.",
        error_messages={
            "invalid": "Enter the share as a whole number, like 20",
            "min_value": "Enter a share from 0 to 100 per cent",
            "max_value": "Enter a share from 0 to 100 per cent",
        },
    )
    retention_funds = forms.CharField(
        label="What the central amount funds",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    release_model = forms.ChoiceField(
        label="How PP+ is released to schools",
        choices=ReleaseModel.choices,
        error_messages={"required": "Choose how PP+ is released to schools"},
    )
    termly_amount_pence = PoundsField(
        label="Termly amount per child (£)",
        noun="the termly amount",
        required=False,
        help_text="Only when a fixed amount is released each term.",
    )
    child_year_cap_pence = PoundsField(
        label="Most a child's requests can total in the year (£, optional)",
        noun="the most a child's requests can total",
        required=False,
    )
    line_cap_pence = PoundsField(
        label="Most one request can be (£, optional)",
        noun="the most one request can be",
        required=False,
    )
    head_approval_above_pence = PoundsField(
        label="Requests above this need the Virtual School Head (£, optional)",
        noun="the amount",
        required=False,
    )
    exceptional_allowed = forms.ChoiceField(
        label="Are exceptional requests allowed?",
        choices=YES_NO,
        help_text="Above the cap, with an end date and an exit plan.",
        error_messages={"required": "Say whether exceptional requests are allowed"},
    )
    transfer_rule = forms.ChoiceField(
        label="When a child moves school mid-term, committed PP+",
        choices=TransferRule.choices,
        error_messages={"required": "Choose what happens when a child moves school"},
    )
    allowed_categories = forms.MultipleChoiceField(
        label="What PP+ may pay for",
        choices=Category.choices,
        required=False,
        help_text="Select all that apply. None selected: every category.",
    )
    not_funded = forms.CharField(
        label="Not funded",
        required=False,
        max_length=5000,
        help_text="What PP+ will not pay for, one item per line.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    summary = forms.CharField(
        label="Policy summary for schools",
        required=False,
        max_length=10000,
        help_text="Schools read this first on the authority's public PP+ page.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["exceptional_allowed"] = data.get("exceptional_allowed") == "yes"
        return data

    @classmethod
    def initial_from(cls, policy) -> dict:
        initial = {
            "retention_percent": policy.retention_percent,
            "retention_funds": policy.retention_funds,
            "release_model": policy.release_model,
            "exceptional_allowed": "yes" if policy.exceptional_allowed else "no",
            "transfer_rule": policy.transfer_rule,
            "allowed_categories": list(policy.allowed_categories),
            "not_funded": policy.not_funded,
            "summary": policy.summary,
            "version": policy.version,
        }
        for name in (
            "grant_rate_pence",
            "retention_pence",
            "termly_amount_pence",
            "child_year_cap_pence",
            "line_cap_pence",
            "head_approval_above_pence",
        ):
            initial[name] = pounds_text(getattr(policy, name))
        return initial


class GrantForm(forms.Form):
    stage = forms.ChoiceField(
        label="Which grant is it?",
        choices=GrantStage.choices,
        error_messages={"required": "Choose provisional or final"},
    )
    amount_pence = PoundsField(
        label="Amount (£)", noun="the grant", maximum=MAX_AUTHORITY_PENCE, required=True
    )
    received_on = forms.DateField(
        label="Date received",
        widget=GovukDateInput,
        error_messages={
            "required": "Enter the date the grant was received",
            "invalid": "Enter a real date",
        },
    )
    eligible_children = forms.IntegerField(
        label="Eligible children (optional)",
        required=False,
        min_value=0,
        max_value=1_000_000,
        error_messages={"invalid": "Enter a whole number", "min_value": "Enter 0 or more"},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="grant", **kwargs)
        self.fields["amount_pence"].error_messages["required"] = "Enter the grant"


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            (Decision.APPROVE, "Approve"),
            (Decision.PART_APPROVE, "Part-approve"),
            (Decision.DECLINE, "Decline"),
        ],
        error_messages={"required": "Choose approve, part-approve or decline"},
    )
    approved_pence = PoundsField(
        label="Amount approved (£)",
        noun="the amount approved",
        required=False,
        help_text="Only when you part-approve.",
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        help_text="Needed to part-approve or decline. The school sees it.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class BuildRunForm(forms.Form):
    academic_year = forms.ChoiceField(label="Academic year")
    term = forms.ChoiceField(label="Term", choices=Term.choices)

    def __init__(self, *args, years: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].choices = [(y, y) for y in years]


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class PaidForm(forms.Form):
    paid_on = forms.DateField(
        label="Date paid",
        widget=GovukDateInput,
        error_messages={
            "required": "Enter the date the schools were paid",
            "invalid": "Enter a real date",
        },
    )
    reference = forms.CharField(
        label="Finance system reference",
        max_length=100,
        error_messages={"required": "Enter the finance system's reference for the payment"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
