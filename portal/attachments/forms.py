"""The form for adding a document. The file is checked here (so every problem shows at
once, next to its field) and again by ``peps.services.attachment_upload``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from peps import attachments
from peps.models import AttachmentKind


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        required=False,
        help_text=(
            "A PDF, a Word document, or a JPG, PNG or WebP image. "
            "The file must be smaller than {limit}."
        ),
        error_messages={"empty": attachments.MSG_EMPTY, "invalid": attachments.MSG_NO_FILE},
    )
    kind = forms.ChoiceField(
        label="What kind of document is it?",
        choices=AttachmentKind.choices,
        error_messages={
            "required": "Select what kind of document it is",
            "invalid_choice": "Select what kind of document it is",
        },
    )
    title = forms.CharField(
        label="Title (optional)",
        required=False,
        max_length=200,
        help_text=(
            "For example, Year 6 summer report. If you leave this blank, we use the file's name."
        ),
        error_messages={"max_length": "The title must be 200 characters or fewer"},
    )
    pep = forms.ChoiceField(
        label="Is it part of the PEP in progress?",
        required=False,
        error_messages={"invalid_choice": "Choose one of this child's PEPs"},
    )

    def __init__(self, *args, peps=(), limit_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text.format(limit=limit_text)
        self.peps = {str(p.public_id): p for p in peps}
        self.fields["pep"].choices = [
            ("", "No, add it to the child's record only"),
            *[(key, f"Yes, add it to the {pep}") for key, pep in self.peps.items()],
        ]
        if not self.peps:
            del self.fields["pep"]

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        try:
            attachments.check_upload(uploaded)
        except ValidationError as error:
            raise ValidationError(error.message_dict["file"]) from None
        return uploaded

    @property
    def chosen_pep(self):
        return self.peps.get(self.cleaned_data.get("pep") or "")
