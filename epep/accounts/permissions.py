"""May this actor …? Who invites whom, who sees and manages the people of an authority,
and what may be done to one person's account (the rules are described above
``epep.accounts.services.administered_by``). The services enforce these; the People pages
and the admin only ask."""

from __future__ import annotations

from dataclasses import dataclass

from epep.tenancy.permissions import is_platform_operator
from epep.tenancy.roles import Role

#: Who may invite whom. LA administrators manage every role; Virtual School staff invite
#: the people around a child.
INVITABLE_ROLES = {
    Role.LA_ADMIN: frozenset(Role),
    Role.VS_HEAD: frozenset(Role) - {Role.LA_ADMIN},
    Role.VS_OFFICER: frozenset(Role) - {Role.LA_ADMIN, Role.VS_HEAD},
}
#: May deactivate, reactivate, remove from the authority and reset two-step sign-in.
ACCOUNT_MANAGER_ROLES = frozenset({Role.LA_ADMIN, Role.VS_HEAD})
#: May see the people of their authority and manage invitations (the People pages).
PEOPLE_ROLES = frozenset({Role.LA_ADMIN, Role.VS_HEAD, Role.VS_OFFICER})


def _role(actor):
    return getattr(actor, "role", None) if actor is not None else None


def can_invite(actor, role=None) -> bool:
    """May ``actor`` invite people (as ``role``, when given) into their one authority?"""
    own = _role(actor)
    if own not in INVITABLE_ROLES or len(actor.authorities) != 1:
        return False
    return role is None or Role(role) in INVITABLE_ROLES[own]


def invitable_roles(actor) -> frozenset[Role]:
    """The roles ``actor`` may invite someone into (none when they invite nobody)."""
    return INVITABLE_ROLES.get(_role(actor), frozenset())


def can_manage_invitation(actor, invitation) -> bool:
    """May ``actor`` resend or withdraw ``invitation`` (one of their authority's)?"""
    return _role(actor) in INVITABLE_ROLES and invitation.local_authority_id in actor.authority_ids


def can_open_people_pages(actor) -> bool:
    """Does ``actor``'s role have the People pages (the navigation's "People")?"""
    return _role(actor) in PEOPLE_ROLES


def can_manage_people(actor) -> bool:
    """May ``actor`` see the people of their authority and its invitations?"""
    return _role(actor) in PEOPLE_ROLES and len(actor.authorities) == 1


def can_manage_accounts(actor) -> bool:
    """May ``actor`` change people's accounts at all (deactivate, reactivate, remove from
    the authority, reset two-step sign-in)? Which accounts: :func:`account_actions`."""
    return _role(actor) in ACCOUNT_MANAGER_ROLES


def is_platform_support(actor) -> bool:
    """A superuser not acting in an authority role (in the admin): may change any
    account but their own."""
    return (
        actor is not None
        and getattr(actor.user, "is_superuser", False)
        and not can_manage_accounts(actor)
    )


@dataclass(frozen=True)
class AccountActions:
    """What an actor may do with one person's account, and why not when they may not."""

    deactivate: bool = False
    reactivate: bool = False
    remove: bool = False
    reset_mfa: bool = False
    reason: str = ""


def account_actions(actor, scope, *, mfa_enabled: bool) -> AccountActions:
    """What ``actor`` may do to the account of ``scope.person`` (a
    ``epep.accounts.services.PersonScope`` in the actor's authority), for the screens
    (which buttons, which explanation) and for the services (which refuse anything not
    allowed here)."""
    if not can_manage_accounts(actor):
        return AccountActions()
    if actor.authority_ids != {scope.authority.pk} or not scope.ours:
        return AccountActions()
    person = scope.person
    if person.pk == actor.user_id:
        return AccountActions(reason="You cannot change your own account here.")
    if person.is_superuser:
        return AccountActions(
            reason="This is an ePEP support account. Only ePEP support can change it."
        )
    beyond = {Role(m.role) for m in scope.active_ours} - INVITABLE_ROLES[actor.role]
    if beyond:
        labels = " and ".join(sorted(r.label.lower() for r in beyond))
        return AccountActions(
            reason=f"Only a local authority administrator can change the account of a {labels}."
        )
    whole = scope.whole_account
    active_here = bool(scope.active_ours)
    return AccountActions(
        deactivate=whole and person.is_active,
        reactivate=whole and not person.is_active and active_here,
        remove=active_here and bool(scope.elsewhere or scope.endorsed_elsewhere),
        reset_mfa=mfa_enabled and (active_here or whole),
    )


# -- the admin site ------------------------------------------------------------------------

#: Who manages accounts, invitations and agreements in the admin (settings): LA
#: administrators (Virtual School staff use the People pages).
ADMIN_ACCOUNT_ROLES = frozenset({Role.LA_ADMIN})


def can_manage_accounts_in_admin(actor, obj=None) -> bool:
    """May ``actor`` open the admin's pages of people, invitations, agreements and
    acceptances (their authority's rows: the admin's querysets)? LA administrators and
    ePEP support."""
    return _role(actor) in ADMIN_ACCOUNT_ROLES or is_platform_operator(actor)


# -- a young person's sign-in ----------------------------------------------------------

#: Who may invite a young person to their own account, besides the People roles: the
#: child's social worker (the view fetches the child through ``access_child_by_id``, so
#: only a child allocated to them).
CHILD_INVITERS = frozenset({Role.SOCIAL_WORKER})
#: The shortest password a young person may use without two-step sign-in, where the
#: authority's rule asks for more than the usual 12 characters.
LONG_PASSWORD_LENGTH = 15
#: Below this age two-step sign-in may be optional (the authority decides).
TWO_STEP_OPTIONAL_BELOW_AGE = 13


def can_invite_young_person(actor) -> bool:
    """May ``actor`` invite a young person to their own account (for a child they can
    reach: the caller fetches the child through ``children.selectors``)?"""
    own = _role(actor)
    return own in CHILD_INVITERS or (
        own in INVITABLE_ROLES and Role.YOUNG_PERSON in INVITABLE_ROLES[own]
    )


def is_young_person(actor) -> bool:
    """Is ``actor`` acting as a young person (their own account)?"""
    return _role(actor) == Role.YOUNG_PERSON


def age_on(date_of_birth, day) -> int:
    """Whole years of age on ``day``."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def young_person_needs_strong_sign_in(*, date_of_birth, two_step_optional_under_13, day) -> bool:
    """The young person's two-step rule (``mfa_required`` for a child): does a young
    person born on ``date_of_birth`` need, on ``day``, either a password of at least
    ``LONG_PASSWORD_LENGTH`` characters or two-step sign-in? Not under 13 where their
    authority makes two-step optional for them; otherwise yes. Professionals keep their
    own rule (two-step always: ``gate.MFA_ROLES``)."""
    if date_of_birth is None:
        return True
    under_13 = age_on(date_of_birth, day) < TWO_STEP_OPTIONAL_BELOW_AGE
    return not (under_13 and two_step_optional_under_13)


def can_set_team(actor, membership) -> bool:
    """May ``actor`` set the team of ``membership`` (the Virtual School's figures break
    down by it)? The LA administrator of the membership's authority, for a current social
    worker, personal adviser or IRO role."""
    from epep.tenancy.roles import ALLOCATED_ROLES

    return (
        _role(actor) == Role.LA_ADMIN
        and len(actor.authorities) == 1
        and membership.local_authority_id == actor.authorities[0].pk
        and membership.role in ALLOCATED_ROLES
        and membership.is_active
    )
