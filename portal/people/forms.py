import re

from django import forms

from children.models import School
from children.selectors import children_for
from epep.accounts.permissions import invitable_roles
from epep.tenancy.roles import CHILD_ROLES, ROLE_ORDER, SCHOOL_ROLES, Role

#: Roles whose invitation names a child (a carer: the child's current placement).

URN = re.compile(r"^\d{6}$")


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label="Search by name or email address", required=False, max_length=150)
    role = forms.ChoiceField(label="Role", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "All roles")] + [(r.value, r.label) for r in ROLE_ORDER]


class ChildChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, child):
        return f"{child.display_name}, born {child.date_of_birth:%-d %B %Y}"


class InviteForm(forms.Form):
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={"required": "Enter the person's full name"},
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We will email a link to this address. It works once, for 7 days.",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    role = forms.ChoiceField(
        label="Role",
        error_messages={
            "required": "Select the role you are inviting them to",
            "invalid_choice": "Select one of the roles you can invite people to",
        },
    )
    school_urn = forms.CharField(
        label="School URN (designated teachers and school staff only)",
        required=False,
        max_length=20,
        help_text="The school's 6-digit unique reference number, for example 118234.",
    )
    child = ChildChoiceField(
        label="Child (carers and young people only)",
        required=False,
        queryset=None,
        to_field_name="public_id",
        empty_label="Choose the child",
        help_text="A carer is linked to the child's current placement.",
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        allowed = invitable_roles(actor)
        self.fields["role"].choices = [("", "Choose a role")] + [
            (r.value, r.label) for r in ROLE_ORDER if r in allowed
        ]
        self.fields["child"].queryset = children_for(actor=actor)
        self.school = None

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_school_urn(self):
        return re.sub(r"\s+", "", self.cleaned_data.get("school_urn") or "")

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if not role:
            return cleaned
        role = Role(role)
        if role in SCHOOL_ROLES:
            urn = cleaned.get("school_urn", "")
            if not urn:
                self.add_error("school_urn", "Enter the school's URN")
            elif not URN.match(urn):
                self.add_error("school_urn", "Enter the URN as 6 digits, like 118234")
            else:
                self.school = School.objects.filter(urn=urn).first()
                if self.school is None:
                    self.add_error("school_urn", f"There is no school with URN {urn}")
        if role in CHILD_ROLES and not cleaned.get("child"):
            self.add_error("child", "Choose the child")
        return cleaned

    #: Where each service error goes on this form.
    SERVICE_FIELDS = {"email": "email", "role": "role", "school": "school_urn", "child": "child"}


class YoungPersonInviteForm(forms.Form):
    """The child's social worker (or the Virtual School) invites the child to their own
    account: to the child's address, or to a carer they live with, to help them."""

    full_name = forms.CharField(
        label="The child's name on their account",
        max_length=150,
        error_messages={"required": "Enter the child's name"},
    )
    send_to = forms.ChoiceField(
        label="Who should get the invitation?",
        error_messages={
            "required": "Choose who should get the invitation",
            "invalid_choice": "Choose who should get the invitation",
        },
    )
    email = forms.EmailField(
        label="The child's email address",
        required=False,
        max_length=254,
        help_text="Only if you send the invitation to the child.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )

    def __init__(self, *args, child, carers, **kwargs):
        super().__init__(*args, **kwargs)
        self.first_name = child.preferred_name or child.legal_first_name
        self.carers = {str(carer.public_id): carer for carer in carers}
        self.fields["send_to"].choices = [("child", f"{self.first_name}'s own email address")] + [
            (key, f"{carer.full_name} ({carer.email}), to help {self.first_name} set up")
            for key, carer in self.carers.items()
        ]

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("send_to") == "child" and not cleaned.get("email"):
            self.add_error("email", f"Enter {self.first_name}'s email address")
        return cleaned

    @property
    def helper(self):
        return self.carers.get(self.cleaned_data.get("send_to", ""))

    #: Where each service error goes on this form.
    SERVICE_FIELDS = {"email": "email", "child": "send_to", "helper": "send_to", "role": "send_to"}
