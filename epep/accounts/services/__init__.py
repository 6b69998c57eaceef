"""Writes about accounts, one module per entity:

- ``invitations``: invite by email, resend, withdraw, accept (the invitation email is
  put in the account-email outbox by ``invitations._send_invitation``);
- ``agreements``: user agreements;
- ``people``: account administration (the people of an authority, deactivate,
  reactivate, remove from the authority, reset two-step sign-in) and who must use
  two-step sign-in.

Who may do what is ``epep.accounts.permissions`` (enforced here); people and invitations
a URL names are fetched through ``epep.accounts.selectors``. Callers use the names
re-exported here: ``from epep.accounts import services; services.invitation_create(...)``.
"""

from epep.tenancy.roles import AUTHORITY_WIDE_ROLES

from ..permissions import ACCOUNT_MANAGER_ROLES, PEOPLE_ROLES, AccountActions, account_actions
from ..selectors import administered_by, people_of_authority
from .agreements import (
    agreement_publish,
    agreements_accept,
    agreements_outstanding,
    agreements_required,
)
from .invitations import (
    INVITATION_LIFETIME,
    InvitationRefused,
    InvitationUnusable,
    _hash,
    existing_account,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_resend,
    invitation_withdraw,
    is_helped,
    young_person_needs_long_password,
)
from .people import (
    PersonScope,
    acting_authority,
    mfa_required,
    person_scope,
    user_deactivate,
    user_has_mfa,
    user_mfa_reset,
    user_reactivate,
    user_remove_from_authority,
)

__all__ = [
    "ACCOUNT_MANAGER_ROLES",
    "AUTHORITY_WIDE_ROLES",
    "INVITATION_LIFETIME",
    "PEOPLE_ROLES",
    "AccountActions",
    "InvitationRefused",
    "InvitationUnusable",
    "PersonScope",
    "_hash",
    "account_actions",
    "acting_authority",
    "administered_by",
    "agreement_publish",
    "agreements_accept",
    "agreements_outstanding",
    "agreements_required",
    "existing_account",
    "invitation_accept",
    "invitation_create",
    "invitation_for_token",
    "invitation_resend",
    "invitation_withdraw",
    "is_helped",
    "young_person_needs_long_password",
    "mfa_required",
    "people_of_authority",
    "person_scope",
    "user_deactivate",
    "user_has_mfa",
    "user_mfa_reset",
    "user_reactivate",
    "user_remove_from_authority",
]
