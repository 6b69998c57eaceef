"""Forms for PEP meetings. The rules themselves live in ``meetings.services``; the forms
parse what people type and show every problem next to its field at once."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone

from meetings import services

DURATIONS = [
    (30, "30 minutes"),
    (45, "45 minutes"),
    (60, "1 hour"),
    (90, "1 hour 30 minutes"),
    (120, "2 hours"),
    (180, "3 hours"),
]


class MeetingForm(forms.Form):
    date = forms.DateField(
        label="Date",
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date of the meeting",
            "invalid": "Enter a real date, like 15/07/2027",
        },
    )
    time = forms.TimeField(
        label="Start time",
        input_formats=["%H:%M", "%H.%M"],
        help_text="Use the 24-hour clock, for example 14:30",
        error_messages={
            "required": "Enter the start time",
            "invalid": "Enter the start time using the 24-hour clock, like 14:30",
        },
    )
    duration = forms.TypedChoiceField(
        label="How long",
        coerce=int,
        choices=DURATIONS,
        initial=60,
        error_messages={"invalid_choice": "Choose how long the meeting lasts"},
    )
    location = forms.CharField(
        label="Where (optional if the meeting is online)",
        required=False,
        max_length=300,
        help_text=(
            "For example, the school's meeting room. Do not write the child's name: "
            "this goes into people's calendars."
        ),
    )
    online_link = forms.CharField(
        label="Link to join online (optional)",
        required=False,
        max_length=500,
        help_text="For example, a Microsoft Teams link starting with https://",
    )
    attendees = forms.MultipleChoiceField(
        label="Who to invite",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Everyone ticked gets an email with the invitation for their calendar.",
    )
    extra_emails = forms.CharField(
        label="Other people to invite by email (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One email address on each line",
    )

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposals = {str(p.user.public_id): p for p in proposals}
        self.fields["attendees"].choices = [
            (key, f"{p.name}, {p.role_label}") for key, p in self.proposals.items()
        ]

    def attendee_options(self):
        """(value, name, role, email, checked) for the GOV.UK checkboxes."""
        chosen = {str(v) for v in (self["attendees"].value() or [])}
        return [
            {
                "value": key,
                "name": p.name,
                "role": p.role_label,
                "email": p.email,
                "checked": key in chosen,
            }
            for key, p in self.proposals.items()
        ]

    def clean_online_link(self):
        link = self.cleaned_data["online_link"].strip()
        if problem := services.check_online_link(link):
            raise forms.ValidationError(problem)
        return link

    def clean_extra_emails(self):
        errors, emails = [], []
        for number, line in enumerate(self.cleaned_data["extra_emails"].splitlines(), start=1):
            email = line.strip().lower()
            if not email:
                continue
            if problem := services.check_email(email):
                errors.append(f"Line {number}: {problem}")
            elif email not in emails:
                emails.append(email)
        if errors:
            raise forms.ValidationError(errors)
        if len(emails) > services.MAX_EXTRA_EMAILS:
            raise forms.ValidationError(
                f"Invite at most {services.MAX_EXTRA_EMAILS} other people by email"
            )
        return emails

    def clean(self):
        data = super().clean()
        day, start = data.get("date"), data.get("time")
        if day and start:
            data["starts_at"] = timezone.make_aware(datetime.combine(day, start))
            if problem := services.check_when(data["starts_at"]):
                self.add_error("date", problem)
        if "location" in data and "online_link" in data:
            if problem := services.check_place(data["location"], data["online_link"]):
                self.add_error("location", problem)
        if (
            "attendees" in data
            and "extra_emails" in data
            and not data["attendees"]
            and not data["extra_emails"]
        ):
            self.add_error("attendees", "Choose who to invite, or add someone by email")
        return data

    @property
    def attendee_users(self):
        return [self.proposals[key].user for key in self.cleaned_data.get("attendees", [])]


#: Where a service's error about a field is shown on the form.
SERVICE_FIELDS = {
    "starts_at": "date",
    "duration_minutes": "duration",
    "location": "location",
    "online_link": "online_link",
    "attendee_users": "attendees",
    "extra_emails": "extra_emails",
}


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is the meeting cancelled?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Everyone invited is told the meeting is cancelled. The reason stays in ePEP: "
            "it is not emailed."
        ),
        error_messages={"required": "Say why the meeting is cancelled"},
    )


class RecordForm(forms.Form):
    notes = forms.CharField(
        label="Notes of the meeting",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What was discussed and agreed. Targets and actions go in the PEP itself.",
    )

    def __init__(self, *args, attendees, **kwargs):
        super().__init__(*args, **kwargs)
        self.attendees = list(attendees)
        for attendee in self.attendees:
            who = attendee.name or attendee.email
            label = f"{who} ({attendee.role_label})" if attendee.role_label else who
            self.fields[self.key(attendee)] = forms.TypedChoiceField(
                label=f"Did {label} attend?",
                choices=[("yes", "Attended"), ("no", "Did not attend")],
                coerce=lambda v: v == "yes",
                widget=forms.RadioSelect,
                error_messages={"required": f"Say whether {who} attended"},
            )
            if attendee.attended is not None and not self.is_bound:
                self.initial[self.key(attendee)] = "yes" if attendee.attended else "no"

    @staticmethod
    def key(attendee) -> str:
        return f"attended_{attendee.public_id}"

    def attendance_fields(self):
        return [self[self.key(a)] for a in self.attendees]

    @property
    def attended(self) -> dict:
        return {str(a.public_id): self.cleaned_data[self.key(a)] for a in self.attendees}
