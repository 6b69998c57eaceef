"""A school's attendance and attainment file (imports.school_data): upload, preview,
confirm; and the council's children data out (imports.data_out) as CSV.

The preview carries the file and what it saw (each section's version, each attainment
table's stamp) to the confirm in a signed hidden field: nothing is kept on the server
between the two, and the confirm checks everything again (a section changed since the
preview is an error, not an overwrite)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core import signing
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from epep.exports import attachment_header, download_name
from epep.tenancy import clock
from epep.tenancy.roles import AUTHORITY_WIDE_ROLES
from imports import data_out
from imports.permissions import SCHOOL_DATA_UPLOADERS
from imports.school_data.services import (
    MAX_BYTES,
    SchoolDataPlan,
    school_data_apply,
    school_data_preview,
)
from peps import scales

from ..access import roles_required

SALT = "portal.imports.school_data"
#: How long a preview may be confirmed.
MAX_AGE = 60 * 60


class SchoolDataForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV file",
        required=False,
        help_text="A CSV file from your school's MIS, smaller than 2 MB.",
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            raise forms.ValidationError("Select a CSV file")
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("The file must be smaller than 2 MB")
        if upload.size == 0:
            raise forms.ValidationError("The selected file is empty")
        return upload.read()


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


def _form_with_error(message: str) -> SchoolDataForm:
    """A new upload form with ``message`` beside the file field (and in the summary)."""
    form = SchoolDataForm(data={})
    form.is_valid()
    form.errors.clear()
    form.add_error("file", message)
    return form


def _upload_page(request, form, plan: SchoolDataPlan | None = None, status: int = 200):
    return render(
        request,
        "portal/imports/school_upload.html",
        {"title": "Upload attendance and attainment", "form": form, "plan": plan},
        status=status,
    )


def _refusal(plan: SchoolDataPlan) -> str:
    count = len(plan.problems)
    return (
        f"The file has {count} problem{'s' if count != 1 else ''}: nothing has been changed. "
        "Correct the rows listed below and upload it again"
    )


def _rows(plan: SchoolDataPlan) -> list[dict]:
    rows = []
    for change in plan.changes:
        key_stage = change.pep.key_stage
        rows.append(
            {
                "change": change,
                "absence": ", ".join(f"{c}: {n}" for c, n in change.absence_by_code.items()),
                "subjects": [
                    {
                        "subject": line["subject"],
                        "current": scales.label(key_stage, line["current"]),
                        "target": scales.label(key_stage, line["target"]),
                    }
                    for line in change.subjects
                ],
            }
        )
    return rows


@roles_required(*SCHOOL_DATA_UPLOADERS)
@require_http_methods(["GET", "POST"])
def school_data_upload(request):
    """The upload form; a POST checks the file and shows the preview (nothing written)."""
    if request.method != "POST":
        return _upload_page(request, SchoolDataForm())
    form = SchoolDataForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form)
    data = form.cleaned_data["file"]
    plan = school_data_preview(actor=request.actor, data=data)
    if not plan.ok:
        form.add_error("file", _refusal(plan))
        return _upload_page(request, form, plan)
    token = signing.dumps(
        {"data": data.decode("latin-1"), "versions": plan.versions()}, salt=SALT, compress=True
    )
    return render(
        request,
        "portal/imports/school_preview.html",
        {
            "title": "Check the changes",
            "plan": plan,
            "rows": _rows(plan),
            "confirm_form": ConfirmForm(initial={"token": token}),
        },
    )


@roles_required(*SCHOOL_DATA_UPLOADERS)
@require_POST
def school_data_confirm(request):
    """Write what the preview showed, all or nothing."""
    confirm = ConfirmForm(request.POST)
    try:
        if not confirm.is_valid():
            raise signing.BadSignature
        payload = signing.loads(confirm.cleaned_data["token"], salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        form = _form_with_error("This preview has expired: upload the file again")
        return _upload_page(request, form)
    plan = school_data_apply(
        actor=request.actor,
        data=payload["data"].encode("latin-1"),
        versions=payload["versions"],
    )
    if not plan.applied:
        return _upload_page(request, _form_with_error(_refusal(plan)), plan)
    count = len(plan.changes)
    messages.success(
        request, f"Attendance and attainment saved for {count} child{'ren' if count != 1 else ''}"
    )
    return redirect("portal:home")


@roles_required(*AUTHORITY_WIDE_ROLES)
@require_GET
def children_data_csv(request):
    """The authority's children with PEP status, last PEP date and next deadline. The rows
    are read here, in the request's database context; the CSV streams from them."""
    rows = data_out.children_data_out(actor=request.actor)
    response = StreamingHttpResponse(
        data_out.csv_lines(rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = attachment_header(
        download_name("children-pep-status", clock.today().isoformat(), extension="csv")
    )
    return response
