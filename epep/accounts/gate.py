"""What the account gate (``epep.accounts.middleware.AccountGateMiddleware``) asks on
every page, answered from the cache so that a page view costs no query for it:

- whether the person has two-step sign-in set up (per person);
- which agreements they have accepted (per person);
- the published agreements of each role (per role).

Every write that changes an answer drops the cached one (signals below, connected in
``AccountsConfig.ready``), at once and again when the transaction commits (so a
concurrent request cannot put back what the transaction is replacing). Entries also
expire after ``GATE_CACHE_SECONDS`` in case a change bypassed the signals (a bulk
``update()``), and an agreement published for a future time takes effect when due:
the cached list holds every version and the gate picks the current one on each view.
While the cache is unreachable the gate asks the database (pages that need no Redis keep
working: ``epep.health``).

Whether someone must use two-step sign-in comes from the memberships the actor resolver
already read (``Actor.available_roles``), not from another query.
"""

from __future__ import annotations

import logging

from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from epep.tenancy import clock
from epep.tenancy.models import LocalAuthority, Membership
from epep.tenancy.roles import PROFESSIONAL_ROLES, Role

from . import permissions
from .models import AgreementAcceptance, UserAgreement

logger = logging.getLogger(__name__)

#: How long a cached answer lives at most (seconds).
GATE_CACHE_SECONDS = 300

#: Roles that must use two-step sign-in (as ``services.mfa_required``).
MFA_ROLES = PROFESSIONAL_ROLES


def _cached(key: str):
    try:
        return cache.get(key)
    except Exception:  # Redis unreachable: ask the database
        return None


def _cache(key: str, value) -> None:
    try:
        cache.set(key, value, GATE_CACHE_SECONDS)
    except Exception as error:  # Redis unreachable: nothing kept
        logger.warning("Account gate: cache unavailable: %r", error)


def _drop(keys) -> None:
    try:
        cache.delete_many(keys)
    except Exception as error:  # Redis unreachable: the entries expire on their own
        logger.warning("Account gate: cache entries %s not dropped: %r", keys, error)


def _mfa_key(user_id: int) -> str:
    return f"gate:mfa:{user_id}"


def _accepted_key(user_id: int) -> str:
    return f"gate:accepted:{user_id}"


def _agreements_key(role: str) -> str:
    return f"gate:agreements:{role}"


def mfa_required(user, actor) -> bool:
    """``services.mfa_required`` from the memberships the actor resolver read."""
    if user.is_staff or user.is_superuser:
        return True
    if actor is None:
        from .services import mfa_required as from_database

        return from_database(user)
    return any(Role(r) in MFA_ROLES for r in actor.available_roles)


#: Whether this session signed in with a long password (``remember_password_length``):
#: only the answer is kept, never the password or its length.
LONG_PASSWORD_SESSION_KEY = "_epep_long_password"


def remember_password_length(request, password: str) -> None:
    """Note in the session whether the person signed in with a long password (the
    young person's rule: ``permissions.young_person_needs_strong_sign_in``)."""
    request.session[LONG_PASSWORD_SESSION_KEY] = (
        len(password or "") >= permissions.LONG_PASSWORD_LENGTH
    )


def _young_person_key(user_id: int) -> str:
    return f"gate:young-person:{user_id}"


def _two_step_key(authority_id: int) -> str:
    return f"gate:two-step-under-13:{authority_id}"


def _young_person(user_id: int):
    """(date of birth, authority id) of the person's young person membership."""
    key = _young_person_key(user_id)
    found = _cached(key)
    if found is None:
        row = (
            Membership.objects.active()
            .filter(user_id=user_id, role=Role.YOUNG_PERSON, child__isnull=False)
            .values_list("child__date_of_birth", "local_authority_id")
            .first()
        )
        found = row or (None, None)
        _cache(key, found)
    return found


def _two_step_optional(authority_id) -> bool:
    key = _two_step_key(authority_id)
    optional = _cached(key)
    if optional is None:
        optional = bool(
            LocalAuthority.objects.filter(pk=authority_id)
            .values_list("two_step_optional_under_13", flat=True)
            .first()
        )
        _cache(key, optional)
    return optional


def young_person_sign_in_too_weak(request, actor) -> bool:
    """Is ``actor`` a young person whose authority's rule asks for a long password or
    two-step sign-in, signed in with neither? (Cached answers; the session says how they
    signed in: every password sign-in notes it, and a session that did not sign in with a
    password, such as a test's ``force_login``, is not asked.)"""
    if not permissions.is_young_person(actor):
        return False
    if request.session.get(LONG_PASSWORD_SESSION_KEY, True):
        return False
    date_of_birth, authority_id = _young_person(actor.user_id)
    if authority_id is None:
        return False
    needs = permissions.young_person_needs_strong_sign_in(
        date_of_birth=date_of_birth,
        two_step_optional_under_13=_two_step_optional(authority_id),
        day=clock.today(),
    )
    return needs and not mfa_enabled(request.user)


def mfa_enabled(user) -> bool:
    from allauth.mfa.utils import is_mfa_enabled

    key = _mfa_key(user.pk)
    enabled = _cached(key)
    if enabled is None:
        enabled = is_mfa_enabled(user)
        _cache(key, enabled)
    return enabled


def _published_agreements(role: str) -> list[UserAgreement]:
    key = _agreements_key(role)
    agreements = _cached(key)
    if agreements is None:
        agreements = list(UserAgreement.objects.filter(role=role).order_by("version"))
        _cache(key, agreements)
    return agreements


def _accepted(user_id: int) -> frozenset[int]:
    key = _accepted_key(user_id)
    accepted = _cached(key)
    if accepted is None:
        accepted = frozenset(
            AgreementAcceptance.objects.filter(user_id=user_id).values_list(
                "agreement_id", flat=True
            )
        )
        _cache(key, accepted)
    return accepted


def agreements_outstanding(actor) -> bool:
    """Whether ``actor`` has an agreement to accept (``services.agreements_outstanding``,
    which lists them, answers the same)."""
    if actor is None or actor.role is None:
        return False
    now = timezone.now()
    latest: dict[int | None, UserAgreement] = {}
    for agreement in _published_agreements(Role(actor.role).value):
        if agreement.published_at <= now:
            latest[agreement.local_authority_id] = agreement
    authority_ids = set(actor.authority_ids) | set(actor.db_authority_ids)
    required = {
        agreement.pk
        for authority_id in authority_ids or {None}
        if (agreement := latest.get(authority_id) or latest.get(None)) is not None
    }
    if not required:
        return False
    return not required <= _accepted(actor.user_id)


def _forget(*keys: str) -> None:
    _drop(keys)
    transaction.on_commit(lambda: _drop(keys))


@receiver([post_save, post_delete], sender=Authenticator, dispatch_uid="gate_mfa")
def _authenticator_changed(sender, instance, **kwargs) -> None:
    _forget(_mfa_key(instance.user_id))


@receiver([post_save, post_delete], sender=AgreementAcceptance, dispatch_uid="gate_accepted")
def _acceptance_changed(sender, instance, **kwargs) -> None:
    _forget(_accepted_key(instance.user_id))


@receiver([post_save, post_delete], sender=UserAgreement, dispatch_uid="gate_agreements")
def _agreement_changed(sender, instance, **kwargs) -> None:
    _forget(_agreements_key(instance.role))


@receiver(post_save, sender=LocalAuthority, dispatch_uid="gate_two_step_under_13")
def _authority_changed(sender, instance, **kwargs) -> None:
    _forget(_two_step_key(instance.pk))


@receiver([post_save, post_delete], sender=Membership, dispatch_uid="gate_young_person")
def _membership_changed(sender, instance, **kwargs) -> None:
    if instance.role == Role.YOUNG_PERSON:
        _forget(_young_person_key(instance.user_id))
