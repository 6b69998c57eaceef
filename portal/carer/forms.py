from django import forms

from peps.sections import SECTION_BY_KEY

SECTION_KEY = "carer_views"
#: what a question left empty says, beside it and in the error summary
REQUIRED_MESSAGES = {
    "settling": "Say how the child is settling at home",
    "school": "Say how they get on with school and homework",
}
HINTS = {
    "settling": "How they sleep and eat, and how they get on with people at home.",
    "school": "What they say about school, and how homework and reading go at home.",
    "going_well": "Anything they have done well at, at home or at school.",
    "worries": "About school, friends, learning or anything else.",
    "helps": "For example, routines, a quiet place for homework, a favourite book.",
    "school_should_know": "Anything that would help the school understand them this term.",
}
MAX_CHARS = 20_000


def carer_questions():
    """The questions councils ask a carer before a PEP meeting: the fields of the PEP's
    "The carer's views" section (``peps.sections``), one box each."""
    return SECTION_BY_KEY[SECTION_KEY].fields


class CarerViewsForm(forms.Form):
    """One box per question; the questions that must be answered are the section's
    required fields. ``base_version``: the section's version the page was opened at."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in carer_questions():
            self.fields[question.name] = forms.CharField(
                label=question.label,
                help_text=HINTS.get(question.name, ""),
                required=question.required,
                max_length=MAX_CHARS,
                widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
                error_messages={
                    "required": REQUIRED_MESSAGES.get(question.name, f"Answer '{question.label}'"),
                    "max_length": "This is too long: keep it under 20,000 characters.",
                },
            )

    def answer_fields(self):
        return [self[q.name] for q in carer_questions()]

    def answers(self) -> dict:
        return {q.name: self.cleaned_data.get(q.name, "") for q in carer_questions()}
