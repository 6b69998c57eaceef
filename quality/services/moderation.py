"""QA services: moderation. Each term the Virtual School Head draws a random sample of the
term's completed QA (the authority's share, default 10 %), each sampled PEP is graded
again, blind, by a second officer or the Head, and any disagreement on the overall grade
is settled by the Head with a recorded outcome.

The draw is reproducible: the population is ordered by id and shuffled by
``random.Random(seed)``, and the seed is stored with the sample and shown.
"""

from __future__ import annotations

import random
import re
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from epep.audit.services import audit_record_for
from epep.tenancy import clock
from epep.tenancy.actor import Actor
from epep.tenancy.models import LocalAuthority
from peps.models import Term

from .. import permissions
from ..models import (
    ModerationItem,
    ModerationResolution,
    ModerationSample,
    QaReview,
    ReviewKind,
    ReviewStatus,
)
from ..selectors.moderation import (
    item_for_moderation_review,
    moderation_population,
    virtual_school_role_of,
)
from ..selectors.queue import qa_policy_for

ACADEMIC_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
ALREADY_DRAWN = "This term's moderation sample has already been drawn."
STALE_ITEM = (
    "This sampled PEP has changed since you opened it (someone else assigned or resolved "
    "it). Nothing was saved: look at it again."
)


def sample_size(population: int, share_percent: int) -> int:
    """How many of ``population`` reviews a ``share_percent`` sample takes: the share,
    rounded up (so at least one whenever there is anything to sample and a share)."""
    if population <= 0 or share_percent <= 0:
        return 0
    return min(population, -(-population * share_percent // 100))


def draw(population_ids: list[int], size: int, seed: int) -> list[int]:
    """The ids ``random.Random(seed)`` picks from ``population_ids`` (taken in id order):
    the same seed always gives the same sample."""
    return sorted(random.Random(seed).sample(sorted(population_ids), size))


def _check_term(academic_year: str, term: str) -> None:
    errors = {}
    match = ACADEMIC_YEAR.match(academic_year or "")
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        errors["academic_year"] = "Enter an academic year like 2026-27."
    if term not in Term.values:
        errors["term"] = "Choose the autumn, spring or summer term."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def sample_draw(
    *, actor, local_authority, academic_year: str, term: str, seed: int | None = None
) -> ModerationSample:
    """Draw the term's moderation sample of ``local_authority``: its completed QA of the
    term's PEPs (the latest round of each), the policy's share of it, at random from
    ``seed`` (a fresh 63-bit one when not given). Once per term."""
    sample = ModerationSample(
        local_authority=local_authority, academic_year=academic_year, term=term
    )
    if not permissions.can_draw_moderation_sample(actor, sample):
        raise PermissionDenied("Only the Virtual School Head draws the moderation sample.")
    _check_term(academic_year, term)
    if ModerationSample.objects.filter(
        local_authority=local_authority, academic_year=academic_year, term=term
    ).exists():
        raise ValidationError({"term": ALREADY_DRAWN})
    population = list(
        moderation_population(
            actor=actor,
            local_authority_id=local_authority.pk,
            academic_year=academic_year,
            term=term,
        ).values_list("pk", "pep_id")
    )
    share = qa_policy_for(local_authority.pk).moderation_share_percent
    sample.seed = secrets.randbits(63) if seed is None else int(seed)
    sample.share_percent = share
    sample.population = len(population)
    sample.drawn_by = actor.user
    sample.drawn_at = clock.now()
    try:
        with transaction.atomic():
            sample.save()
    except IntegrityError as error:  # drawn by someone else a moment ago
        raise ValidationError({"term": ALREADY_DRAWN}) from error
    pep_of = dict(population)
    chosen = draw(list(pep_of), sample_size(len(population), share), sample.seed)
    ModerationItem.objects.bulk_create(
        ModerationItem(
            sample=sample,
            local_authority=local_authority,
            pep_id=pep_of[review_id],
            original_id=review_id,
        )
        for review_id in chosen
    )
    audit_record_for(
        actor,
        sample,
        "draw_moderation_sample",
        academic_year=academic_year,
        term=term,
        share_percent=share,
        population=len(population),
        size=len(chosen),
        seed=str(sample.seed),
    )
    return sample


def _locked(item: ModerationItem) -> ModerationItem:
    return (
        ModerationItem.objects.select_for_update(of=("self",))
        .select_related("original", "moderation", "pep", "pep__child")
        .get(pk=item.pk, local_authority_id=item.local_authority_id)
    )


@transaction.atomic
def moderation_assign(*, actor, item: ModerationItem, moderator) -> QaReview:
    """Give the sampled PEP ``item`` to ``moderator`` to grade again, blind: a
    ``MODERATION`` review of the original's round, against the original's rubric. A second
    officer (never the one who graded it first) or the Virtual School Head. Assigning again
    before the second grading is finished withdraws the earlier assignment."""
    if not permissions.can_assign_moderator(actor, item):
        raise PermissionDenied("Only the Virtual School Head assigns moderators.")
    item = _locked(item)
    role = virtual_school_role_of(user=moderator, local_authority_id=item.local_authority_id)
    as_moderator = Actor(
        user=moderator, role=role, authorities=(LocalAuthority(pk=item.local_authority_id),)
    )
    if role is None or not permissions.can_moderate(as_moderator, item):
        raise ValidationError(
            {
                "moderator": "Choose someone of the Virtual School other than the officer "
                "who graded this PEP first."
            }
        )
    current = item.moderation
    if current is not None and current.status == ReviewStatus.COMPLETED:
        raise ValidationError(
            {"moderator": "This PEP has already been graded again: it cannot be reassigned."}
        )
    if current is not None and current.officer_id == moderator.pk:
        return current
    now = clock.now()
    if current is not None:
        QaReview.objects.filter(pk=current.pk).update(
            status=ReviewStatus.WITHDRAWN, version=current.version + 1
        )
    original = item.original
    review = QaReview.objects.create(
        local_authority_id=item.local_authority_id,
        pep_id=item.pep_id,
        kind=ReviewKind.MODERATION,
        round=original.round,
        submitted_at=original.submitted_at,
        officer=moderator,
        assigned_by=actor.user,
        assigned_at=now,
        rubric_id=original.rubric_id,
    )
    ModerationItem.objects.filter(pk=item.pk).update(moderation=review)
    item.moderation = review
    audit_record_for(
        actor,
        item,
        "assign_moderator",
        child=item.pep.child,
        moderator=moderator.pk,
        withdrawn=str(current.public_id) if current is not None else None,
    )
    return review


def moderation_after_review_completed(*, review: QaReview) -> ModerationItem | None:
    """Called by ``quality.services.grading`` in the transaction that completes a
    ``MODERATION`` review (which records that event): compare the overall grades. The
    same grade settles the item as ``AGREED``; a different one leaves it ``PENDING``
    for the Virtual School Head (:func:`moderation_resolve`)."""
    if review.kind != ReviewKind.MODERATION or review.status != ReviewStatus.COMPLETED:
        return None
    item = item_for_moderation_review(review=review)
    if item is None:
        return None
    if item.resolution != ModerationResolution.PENDING:
        return item
    if review.grade_id is not None and review.grade_id == item.original.grade_id:
        item.resolution = ModerationResolution.AGREED
        item.resolved_at = clock.now()
        ModerationItem.objects.filter(pk=item.pk).update(
            resolution=item.resolution, resolved_at=item.resolved_at
        )
    return item


RESOLUTIONS = (ModerationResolution.ORIGINAL_STANDS, ModerationResolution.MODERATED_STANDS)


@transaction.atomic
def moderation_resolve(
    *, actor, item: ModerationItem, resolution: str, note: str
) -> ModerationItem:
    """Settle a disagreement: the original grade stands, or the moderator's does, with a
    note saying why (required either way).

    The outcome is recorded on the moderation item only, and shown there and in the
    agreement report: ``MODERATED_STANDS`` does not change the original review's grade
    (the school was told that grade, and PP+ may have been released on it); the Virtual
    School follows it up with the school as it decides."""
    if not permissions.can_resolve_moderation(actor, item):
        raise PermissionDenied("Only the Virtual School Head resolves moderation.")
    note = (note or "").strip()
    errors = {}
    if resolution not in RESOLUTIONS:
        errors["resolution"] = "Choose whose grade stands."
    if not note:
        errors["note"] = "Enter a note saying why this grade stands."
    if errors:
        raise ValidationError(errors)
    locked = _locked(item)
    moderation = locked.moderation
    if moderation is None or moderation.status != ReviewStatus.COMPLETED:
        raise ValidationError(
            "This PEP has not been graded again yet: there is nothing to resolve."
        )
    if locked.resolution != ModerationResolution.PENDING:
        raise ValidationError(STALE_ITEM)
    locked.resolution = resolution
    locked.resolution_note = note
    locked.resolved_by = actor.user
    locked.resolved_at = clock.now()
    locked.save(update_fields=["resolution", "resolution_note", "resolved_by", "resolved_at"])
    audit_record_for(
        actor, locked, "resolve_moderation", child=locked.pep.child, resolution=resolution
    )
    return locked
