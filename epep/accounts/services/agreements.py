"""User agreements: which a person must accept in their role, accepting, publishing."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from epep.audit.services import audit_record

from ..models import AgreementAcceptance, UserAgreement

# --- User agreements ---------------------------------------------------------------


def agreements_required(actor) -> list[UserAgreement]:
    """The current agreement for the actor's role of every authority they act for (an
    authority's own, or the product default), newest version each."""
    if actor is None or actor.role is None:
        return []
    authority_ids = set(actor.authority_ids) | set(actor.db_authority_ids)
    latest: dict[int | None, UserAgreement] = {}
    for agreement in UserAgreement.objects.filter(
        role=actor.role, published_at__lte=timezone.now()
    ).order_by("version"):
        latest[agreement.local_authority_id] = agreement
    required = {}
    for authority_id in authority_ids or {None}:
        agreement = latest.get(authority_id) or latest.get(None)
        if agreement is not None:
            required[agreement.pk] = agreement
    return sorted(required.values(), key=lambda a: (a.local_authority_id or 0, a.pk))


def agreements_outstanding(actor) -> list[UserAgreement]:
    required = agreements_required(actor)
    if not required:
        return []
    accepted = set(
        AgreementAcceptance.objects.filter(
            user_id=actor.user_id, agreement__in=[a.pk for a in required]
        ).values_list("agreement_id", flat=True)
    )
    return [a for a in required if a.pk not in accepted]


@transaction.atomic
def agreements_accept(*, actor, agreements: list[UserAgreement]) -> list[AgreementAcceptance]:
    acceptances = []
    for agreement in agreements:
        acceptance, created = AgreementAcceptance.objects.get_or_create(
            user=actor.user,
            agreement=agreement,
            defaults={"local_authority_id": agreement.local_authority_id},
        )
        acceptances.append(acceptance)
        if created:
            audit_record(
                acting_user=actor.user,
                role=actor.role,
                action="agreement_accept",
                object_type="accounts.useragreement",
                object_id=str(agreement.pk),
                local_authority_id=agreement.local_authority_id,
                detail={"version": agreement.version, "title": agreement.title},
            )
    return acceptances


@transaction.atomic
def agreement_publish(*, acting_user, local_authority, role: str, title: str, body: str):
    """Publish a new version of an agreement (the previous ones stay as they were)."""
    previous = (
        UserAgreement.objects.filter(local_authority=local_authority, role=role)
        .order_by("-version")
        .first()
    )
    agreement = UserAgreement(
        local_authority=local_authority,
        role=role,
        version=(previous.version + 1) if previous else 1,
        title=title,
        body=body,
        created_by=acting_user,
    )
    agreement.full_clean()
    agreement.save()
    audit_record(
        acting_user=acting_user,
        role="",
        action="agreement_publish",
        object_type="accounts.useragreement",
        object_id=str(agreement.pk),
        local_authority_id=agreement.local_authority_id,
        detail={"version": agreement.version, "role": role},
    )
    return agreement
