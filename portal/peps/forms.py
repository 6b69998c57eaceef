"""Forms for the PEP page. Each section's form is built from its definition."""

from __future__ import annotations

from django import forms

from funding.money import pounds_to_pence
from peps.models import PepKind, PepVariant, Status, Target
from peps.sections import Section


def section_form_class(section: Section) -> type[forms.Form]:
    fields = {}
    for spec in section.fields:
        if spec.kind == "textarea":
            field = forms.CharField(
                label=spec.label,
                help_text=spec.hint,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                max_length=20000,
            )
        elif spec.kind == "choice":
            field = forms.ChoiceField(
                label=spec.label,
                help_text=spec.hint,
                required=False,
                choices=[("", "Choose")] + list(spec.choices),
            )
        else:
            field = forms.CharField(
                label=spec.label, help_text=spec.hint, required=False, max_length=200
            )
            if spec.kind == "number":
                field.widget.attrs.update({"inputmode": "decimal"})
        fields[spec.name] = field
    fields["base_version"] = forms.IntegerField(widget=forms.HiddenInput)
    # Set only by the "replace their version with mine" button after a conflict.
    fields["override_version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
    return type(f"{section.key.title()}Form", (forms.Form,), fields)


class VariantForm(forms.Form):
    variant = forms.ChoiceField(
        label="Which form should this PEP take?",
        choices=PepVariant.choices,
        error_messages={
            "required": "Choose early years, school age or post-16.",
            "invalid_choice": "Choose early years, school age or post-16.",
        },
    )
    #: the PEP's state_version when the page was opened (set by the page, never typed)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class StartPepForm(forms.Form):
    kind = forms.ChoiceField(label="What kind of PEP is this?", choices=PepKind.choices)


class MoveForm(forms.Form):
    #: Set by the page, never typed: a bad value here means a tampered form.
    HIDDEN = ("target_status", "state_version")

    target_status = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    state_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason = forms.CharField(
        label="What needs to change?", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    meeting_date = forms.DateField(
        label="Date of the PEP meeting",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the date of the meeting as a real date."},
    )


class TargetForm(forms.Form):
    description = forms.CharField(
        label="What will be achieved?",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Specific: one thing the child will be able to do.",
        error_messages={"required": "Say what will be achieved."},
    )
    child_summary = forms.CharField(
        label="In the child's words (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=(
            "Write it so the child understands: 'I will read a book each week with Ms Patel'"
        ),
    )
    success_measure = forms.CharField(
        label="How will success be measured?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say how success will be measured."},
    )
    responsible = forms.CharField(
        label="Who is responsible?",
        max_length=150,
        help_text="A named person and their role.",
        error_messages={"required": "Name the person responsible."},
    )
    due_date = forms.DateField(
        label="By when?",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date.", "invalid": "Enter a real date."},
    )
    strategy = forms.CharField(
        label="Intervention or strategy",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Describe the intervention or strategy."},
    )
    expected_outcome = forms.CharField(
        label="Expected outcome",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Describe the expected outcome."},
    )
    ppplus_cost = forms.CharField(
        label="Pupil Premium Plus cost (optional)",
        required=False,
        help_text="In pounds and pence, for example 450 or 450.50",
    )

    def clean_ppplus_cost(self) -> int | None:
        text = self.cleaned_data.get("ppplus_cost", "")
        if not text.strip():
            return None
        try:
            return pounds_to_pence(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label="How did it go?",
        choices=Target.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the target was achieved."},
    )
    outcome_comment = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Add a comment saying how the target went."},
    )


class ActionForm(forms.Form):
    description = forms.CharField(
        label="Action agreed",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Describe the action."},
    )
    owner = forms.CharField(
        label="Who will do it?",
        max_length=150,
        error_messages={"required": "Name who will do it."},
    )
    due_date = forms.DateField(
        label="By when?",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date.", "invalid": "Enter a real date."},
    )


class SectionRequestForm(forms.Form):
    """Ask one of the people who write a section to write it (``writers``: the section's
    ``peps.selectors.Writer`` list)."""

    person = forms.ChoiceField(
        label="Who do you want to ask?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who to ask.", "invalid_choice": "Choose who to ask."},
    )
    message = forms.CharField(
        label="Message (optional)",
        help_text="Sent with the request, for example what you need by when.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, writers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.writers = {str(w.user.public_id): w for w in writers}
        self.fields["person"].choices = [(key, w.label) for key, w in self.writers.items()]


class NotObtainedForm(forms.Form):
    reason = forms.CharField(
        label="Why could it not be obtained?",
        help_text="Everyone who reads the PEP sees this, the Virtual School included.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
