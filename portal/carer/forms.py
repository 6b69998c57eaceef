from django import forms

#: What councils ask a carer before a PEP meeting (the carer answers in their own words,
#: in the one "The carer's views" box of the PEP).
CARER_QUESTIONS = (
    "How is school going for them at home: what do they say about it?",
    "What has gone well this term, and what are they proud of?",
    "What worries you or them about school, friends or learning?",
    "What helps them learn at home (homework, reading, routines)?",
    "What would you like the school or the Virtual School to do next?",
    "Is there anything they have asked you to tell the meeting?",
)


class CarerViewsForm(forms.Form):
    text = forms.CharField(
        label="Your views",
        help_text="Write as much or as little as you like. The people at the meeting will read it.",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={
            "required": "Enter your views before you save them",
            "max_length": "This is too long: keep it under 20,000 characters.",
        },
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
