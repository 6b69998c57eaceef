"""Documents: add one to a child's record (or their PEP in progress), open one, delete one.

Who may do what is decided in ``peps.permissions`` (``can_read_attachments``,
``can_upload_attachment``, ``can_delete_attachment``): professionals
working with the child open documents; the school, the social worker, the personal
adviser and the Virtual School add them; the uploader or the Virtual School deletes them.
Carers and young people do not see documents for now. Everyone else gets the same 404 as
for a document or child that does not exist.

A document is served only here, as a download: ``Content-Disposition: attachment`` under a
neutral name (kind, date, reference: never the uploaded name, which often names the
child), the type detected at upload, ``nosniff``, ``no-store`` and a sandboxing
Content-Security-Policy, so a document can never run as a page of this site. All database
work is done before the response is returned: the file itself is streamed after the
request's transaction (and its row-level-security context) has ended.
"""

from __future__ import annotations

import logging
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from children.selectors import access_child_by_id
from epep.exports import attachment_header
from peps import attachments, permissions, services
from peps.models import Status
from peps.selectors import access_attachment_by_id, peps_for

from ..access import roles_required, service_errors
from .forms import AttachmentForm

logger = logging.getLogger(__name__)


def _documents_url(child) -> str:
    return reverse("portal:child_detail", kwargs={"child_id": child.public_id}) + "#documents"


# The size limit is applied while the file is received (peps.attachments.limit_uploads),
# which has to happen before anything reads the request body. CsrfViewMiddleware reads it
# for every POST, so this one view is exempt from the middleware and checks the CSRF token
# itself (csrf_protect on _upload), right after installing the limit: the documented way
# to change upload handlers (Django docs, "Modifying upload handlers on the fly").
@csrf_exempt
@roles_required(*permissions.ATTACHMENT_UPLOADERS)
@require_http_methods(["GET", "POST"])
def attachment_upload(request, child_id: UUID):
    attachments.limit_uploads(request)
    return _upload(request, child_id)


@csrf_protect
def _upload(request, child_id: UUID):
    actor = request.actor
    child = access_child_by_id(actor=actor, child_id=child_id)
    open_peps = list(peps_for(actor=actor).filter(child=child).exclude(status=Status.FINALISED))
    form_kwargs = {
        "peps": open_peps,
        "limit_text": attachments.describe_limit(settings.ATTACHMENT_MAX_BYTES),
    }
    if request.method == "POST":
        form = AttachmentForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            with service_errors(form) as call:
                attachment = services.attachment_upload(
                    actor=actor,
                    child=child,
                    pep=form.chosen_pep,
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    uploaded_file=form.cleaned_data["file"],
                )
            if call.ok:
                messages.success(request, f"“{attachment.title}” has been added")
                return redirect(_documents_url(child))
    else:
        initial = {}
        wanted = request.GET.get("pep", "")
        if any(str(p.public_id) == wanted for p in open_peps):
            initial["pep"] = wanted
        form = AttachmentForm(initial=initial, **form_kwargs)
    return render(
        request,
        "portal/attachments/upload.html",
        {
            "title": "Add a document",
            "child": child,
            "form": form,
            "accept": attachments.ACCEPT,
        },
    )


@roles_required(*permissions.ATTACHMENT_READERS)
@require_GET
def attachment_download(request, attachment_id: UUID):
    attachment = access_attachment_by_id(actor=request.actor, attachment_id=attachment_id)
    try:
        handle = attachments.open_stored(attachment.storage_name)
    except (OSError, ValueError):
        logger.error("The file of document %s is missing", attachment.public_id)
        raise Http404("No document found") from None
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = attachment_header(attachments.download_filename(attachment))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@roles_required(*permissions.ATTACHMENT_UPLOADERS)
@require_http_methods(["GET", "POST"])
def attachment_delete(request, attachment_id: UUID):
    actor = request.actor
    attachment = access_attachment_by_id(actor=actor, attachment_id=attachment_id, action=None)
    if not permissions.can_delete_attachment(actor, attachment):
        raise Http404("No document found")
    child = attachment.child
    if request.method == "POST":
        try:
            services.attachment_delete(actor=actor, attachment=attachment)
        except PermissionDenied:
            raise Http404("No document found") from None
        messages.success(request, f"“{attachment.title}” has been deleted")
        return redirect(_documents_url(child))
    return render(
        request,
        "portal/attachments/delete.html",
        {
            "title": f"Delete “{attachment.title}”?",
            "attachment": attachment,
            "child": child,
        },
    )
