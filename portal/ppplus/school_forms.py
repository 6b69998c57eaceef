"""Forms of the school's PP+ screens: what a person types. The rules are the services'
(``funding.services.lines``): their refusals come back beside the fields."""

from django import forms

from funding.models import Category, ImpactRating
from funding.money import pounds_to_pence
from portal.forms import GovukDateInput

#: The service's field names → this form's (``service_errors(form, fields=...)``).
REQUEST_FIELDS = {"amount_pence": "amount"}


class LineRequestForm(forms.Form):
    """Ask for PP+ in a PEP: categories from the authority's policy, targets from the PEP."""

    what = forms.CharField(
        label="What will the money pay for?",
        max_length=300,
        help_text="For example: weekly one-to-one maths tuition.",
        error_messages={"required": "Say what the money will pay for."},
    )
    provider = forms.CharField(
        label="Who provides it (optional)",
        max_length=200,
        required=False,
        help_text="The tutor, company or service.",
    )
    category = forms.ChoiceField(
        label="What kind of spending is it?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what kind of spending it is.",
            "invalid_choice": "Choose one of the kinds of spending listed.",
        },
    )
    amount = forms.CharField(
        label="How much, in pounds?",
        max_length=40,
        help_text="For example: 450 or 1,250.50.",
    )
    targets = forms.TypedMultipleChoiceField(
        label="Which of this PEP's targets is it for?",
        widget=forms.CheckboxSelectMultiple,
        coerce=int,
        error_messages={
            "required": "Choose at least one of this PEP's targets the money is for.",
            "invalid_choice": "Choose targets of this PEP.",
        },
    )
    exceptional = forms.BooleanField(
        label="This is an exceptional request",
        required=False,
        help_text="Above the usual cap, for a limited time, with an end date and an exit plan.",
    )
    end_date = forms.DateField(
        label="When does the exceptional support end?",
        required=False,
        widget=GovukDateInput,
        error_messages={"invalid": "Enter a real date."},
    )
    exit_plan = forms.CharField(
        label="Exit plan",
        required=False,
        max_length=2000,
        help_text="How the support will end, or carry on, without PP+.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, policy, targets, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = policy.allowed_categories if policy is not None else []
        self.fields["category"].choices = [
            (value, label) for value, label in Category.choices if not allowed or value in allowed
        ]
        #: (pk, target) for the template: each checkbox shows the target's description
        self.target_rows = list(targets)
        self.fields["targets"].choices = [(t.pk, t.description) for t in self.target_rows]

    def clean_amount(self):
        try:
            return pounds_to_pence(self.cleaned_data["amount"], noun="the amount")
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class ImpactForm(forms.Form):
    """What difference a funded line made, with the version the person saw."""

    impact_rating = forms.ChoiceField(
        label="How much difference did it make?",
        choices=ImpactRating.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how much difference it made.",
            "invalid_choice": "Choose how much difference it made.",
        },
    )
    impact = forms.CharField(
        label="What difference did it make?",
        max_length=5000,
        help_text="What changed for the child, and the evidence: assessments, attendance, "
        "what the child and the staff say.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say what difference it made, with the evidence."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
