from django import forms

EACH = "each"
DAILY = "daily"


class PreferencesForm(forms.Form):
    delivery = forms.ChoiceField(
        label="How do you want to get reminders?",
        choices=[
            (EACH, "Send me each reminder as it happens"),
            (DAILY, "Send me one email a day"),
        ],
        error_messages={"required": "Select how you want to get reminders"},
    )
