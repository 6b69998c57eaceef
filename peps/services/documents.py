"""Documents on a child's record or a PEP (the file rules are in ``peps.attachments``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from children.models import Child
from epep.audit.services import audit_record_for

from .. import permissions
from ..models import (
    Pep,
    Status,
)


def _audit_attachment(actor, action: str, attachment, **detail) -> None:
    pep = str(attachment.pep.public_id) if attachment.pep_id else None
    audit_record_for(actor, attachment, action, child=attachment.child, pep=pep, **detail)


def attachment_can_delete(actor, attachment) -> bool:
    """Kept for callers: ``peps.permissions.can_delete_attachment``."""
    return permissions.can_delete_attachment(actor, attachment)


@transaction.atomic
def attachment_upload(
    *, actor, child: Child, pep: Pep | None = None, kind: str, title: str, uploaded_file
):
    """Add a document to a child's record, or to one of their PEPs that is not finalised.

    The file is checked from its content first (``peps.attachments.check_upload``), so a
    refusal changes nothing: no row, no file, no audit event. The file is written before
    the row; if anything after the write fails, it is removed again."""
    from children.selectors import children_for

    from .. import attachments
    from ..models import Attachment, AttachmentKind

    if not permissions.can_upload_attachment(actor):
        raise PermissionDenied("Only professionals working with the child can add documents.")
    if not children_for(actor=actor).filter(pk=child.pk).exists():
        raise PermissionDenied("You cannot add documents to this child's record.")
    errors = {}
    if kind not in AttachmentKind.values:
        errors["kind"] = "Select what kind of document it is"
    if pep is not None and pep.child_id != child.pk:
        errors["pep"] = "Choose one of this child's PEPs"
    elif pep is not None and pep.status == Status.FINALISED:
        errors["pep"] = (
            "This PEP is finalised and cannot be changed. Add the document to the child's "
            "record instead"
        )
    title = (title or "").strip()
    if len(title) > 200:
        errors["title"] = "The title must be 200 characters or fewer"
    try:
        checked = attachments.check_upload(uploaded_file)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    stored = attachments.store(uploaded_file, authority_id=child.local_authority_id)
    try:
        attachment = Attachment(
            local_authority_id=child.local_authority_id,
            child=child,
            pep=pep,
            kind=kind,
            title=title or attachments.default_title(checked.original_name),
            original_name=checked.original_name,
            content_type=checked.type.content_type,
            size=stored.size,
            sha256=stored.sha256,
            storage_name=stored.storage_name,
            uploaded_by=actor.user,
        )
        attachment.full_clean(exclude=["child", "pep", "local_authority", "uploaded_by"])
        attachment.save()
        _audit_attachment(
            actor,
            "create",
            attachment,
            kind=kind,
            content_type=attachment.content_type,
            size=attachment.size,
            sha256=attachment.sha256,
        )
    except BaseException:
        attachments.discard(stored.storage_name)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, actor, attachment) -> None:
    """Delete a document: its row now, its file once the deletion is committed."""
    from functools import partial

    from .. import attachments

    if not permissions.can_delete_attachment(actor, attachment):
        raise PermissionDenied("You cannot delete this document.")
    _audit_attachment(actor, "delete", attachment, kind=attachment.kind, sha256=attachment.sha256)
    storage_name = attachment.storage_name
    attachment.delete()
    transaction.on_commit(partial(attachments.discard, storage_name), robust=True)
