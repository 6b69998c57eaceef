"""The SSDA903 extract through the portal (``imports.ssda903``): upload the two or three
files, see what will change with every error and warning, confirm.

The uploaded files are stored privately (``imports.ssda903.uploads``); the preview hands
their storage names and what the import will do (its fingerprint) to the confirm in a
signed hidden field. The confirm reads the same files, checks them again and refuses
when the import would no longer do what the preview showed. A large extract is applied
by a Celery task; its page shows the progress (refresh it; no JavaScript needed)."""

from __future__ import annotations

import re
from uuid import uuid4

from django import forms
from django.core import signing
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imports.permissions import can_import_ssda903
from imports.ssda903 import progress, uploads
from imports.ssda903.services import ImportResult, StaleImport, ssda903_import_files
from imports.tasks import ssda903_import_task

SALT = "portal.imports.ssda903"
#: How long a preview may be confirmed.
MAX_AGE = 60 * 60
MAX_BYTES = 50 * 1024 * 1024
#: An extract with at least this many episodes is applied in the background.
BACKGROUND_FROM = 2000
FILES = ("header", "episodes", "uasc")
_JOB_ID = re.compile(r"^[0-9a-f]{32}$")


def _file_field(label: str, required_message: str | None) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        error_messages={"required": required_message or "", "empty": "The selected file is empty"},
    )


class ExtractForm(forms.Form):
    header = _file_field("Header file", "Select the header file")
    episodes = _file_field("Episodes file", "Select the episodes file")
    uasc = _file_field("UASC file (optional)", None)

    def _clean(self, name: str, required: bool):
        upload = self.cleaned_data.get(name)
        if not upload:
            if required:
                raise forms.ValidationError(f"Select the {name} file")
            return None
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("The file must be smaller than 50 MB")
        if upload.size == 0:
            raise forms.ValidationError("The selected file is empty")
        return upload.read()

    def clean_header(self):
        return self._clean("header", True)

    def clean_episodes(self):
        return self._clean("episodes", True)

    def clean_uasc(self):
        return self._clean("uasc", False)


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


def _authority(request):
    actor = getattr(request, "actor", None)
    if not can_import_ssda903(actor):
        raise Http404("Page not found")
    return actor, actor.authorities[0]


def _preview(request, result: ImportResult, token: str | None, *, stale: bool = False):
    return render(
        request,
        "portal/imports/ssda903/preview.html",
        {
            "result": result,
            "confirm_form": ConfirmForm(initial={"token": token}) if token else None,
            "stale": stale,
        },
    )


def _token(request, authority, stored: dict, result: ImportResult) -> str:
    return signing.dumps(
        {
            "user": request.user.pk,
            "la": authority.pk,
            "files": stored,
            "fingerprint": result.fingerprint,
            "episodes": result.episodes,
        },
        salt=SALT,
    )


def _check(actor, authority, files: dict, **options) -> ImportResult:
    return ssda903_import_files(actor=actor, local_authority=authority, files=files, **options)


@require_http_methods(["GET", "POST"])
def ssda903_upload(request):
    actor, authority = _authority(request)
    if request.method == "GET":
        form = ExtractForm()
    else:
        form = ExtractForm(request.POST, request.FILES)
        if form.is_valid():
            files = {name: form.cleaned_data[name] for name in FILES if form.cleaned_data[name]}
            result = _check(actor, authority, files, dry_run=True)
            token = None
            if result.ok:
                stored = {
                    name: uploads.store(data, authority_id=authority.pk)
                    for name, data in files.items()
                }
                token = _token(request, authority, stored, result)
            return _preview(request, result, token)
    status = 400 if form.errors else 200
    return render(request, "portal/imports/ssda903/upload.html", {"form": form}, status=status)


def _stored(request, authority):
    confirm = ConfirmForm(request.POST)
    if not confirm.is_valid():
        raise Http404("Page not found")
    try:
        payload = signing.loads(confirm.cleaned_data["token"], salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None, None
    if payload.get("user") != request.user.pk or payload.get("la") != authority.pk:
        raise Http404("Page not found")
    files = {
        name: uploads.read(value, authority_id=authority.pk)
        for name, value in payload["files"].items()
    }
    if files.get("header") is None or files.get("episodes") is None:
        return payload, None
    return payload, files


@require_POST
def ssda903_confirm(request):
    actor, authority = _authority(request)
    payload, files = _stored(request, authority)
    if files is None:
        return render(request, "portal/imports/ssda903/expired.html", status=400)
    if payload["episodes"] >= BACKGROUND_FROM:
        job_id = uuid4().hex
        progress.job_start(job_id, user_id=request.user.pk, local_authority_id=authority.pk)
        transaction.on_commit(
            lambda: ssda903_import_task.delay(
                authority.pk,
                job_id=job_id,
                user_id=request.user.pk,
                role=str(actor.role),
                files=payload["files"],
                fingerprint=payload["fingerprint"],
            )
        )
        return redirect("portal:data:ssda903_job", job_id=job_id)
    try:
        result = _check(actor, authority, files, expected_fingerprint=payload["fingerprint"])
    except StaleImport:
        result = _check(actor, authority, files, dry_run=True)
        token = _token(request, authority, payload["files"], result) if result.ok else None
        return _preview(request, result, token, stale=True)
    for name in payload["files"].values():
        transaction.on_commit(lambda name=name: uploads.discard(name))
    return render(request, "portal/imports/ssda903/done.html", {"result": result.as_json()})


@require_GET
def ssda903_job(request, job_id: str):
    _actor, authority = _authority(request)
    job = progress.job_get(job_id) if _JOB_ID.match(job_id) else None
    if job is None or job.get("user_id") != request.user.pk:
        raise Http404("Page not found")
    if job.get("local_authority_id") != authority.pk:
        raise Http404("Page not found")
    if job.get("state") == "done":
        return render(request, "portal/imports/ssda903/done.html", {"result": job["result"]})
    return render(request, "portal/imports/ssda903/job.html", {"job": job, "job_id": job_id})
