from django import forms


class HelpForm(forms.Form):
    """The one-tap "I need help" button: ``tap`` is a fresh id printed in each page, so
    the same form sent twice (a double tap, a reload) sends one message."""

    tap = forms.UUIDField(widget=forms.HiddenInput)
