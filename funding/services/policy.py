"""The authority's PP+ policy for a financial year: written, changed and published by its
Virtual School Head (or LA administrators), one version at a time."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from epep.audit.services import audit_record_for
from epep.tenancy import clock

from .. import permissions
from ..models import Category, PpPolicy, ReleaseModel, TransferRule
from ._common import STALE

#: The fields ``pp_policy_save`` writes, with what they hold.
POLICY_FIELDS = (
    "grant_rate_pence",
    "retention_pence",
    "retention_percent",
    "retention_funds",
    "release_model",
    "termly_amount_pence",
    "child_year_cap_pence",
    "line_cap_pence",
    "head_approval_above_pence",
    "exceptional_allowed",
    "transfer_rule",
    "allowed_categories",
    "not_funded",
    "summary",
)


def policy_problems(values: dict) -> dict[str, str]:
    """What is wrong with a policy, by field, in words for the person writing it."""
    problems: dict[str, str] = {}
    if not values.get("grant_rate_pence"):
        problems["grant_rate_pence"] = "Enter the grant per child for this year."
    if values.get("retention_pence") is not None and values.get("retention_percent") is not None:
        problems["retention_percent"] = "Keep back an amount or a share of the grant, not both."
    percent = values.get("retention_percent")
    if percent is not None and not 0 <= percent <= 100:
        problems["retention_percent"] = "Enter a share between 0 and 100 %."
    if values.get("release_model") not in ReleaseModel.values:
        problems["release_model"] = "Choose how PP+ is released to schools."
    elif values["release_model"] != ReleaseModel.REQUESTS and not values.get("termly_amount_pence"):
        problems["termly_amount_pence"] = "Enter the amount released each term per child."
    if values.get("transfer_rule") not in TransferRule.values:
        problems["transfer_rule"] = "Choose what happens to PP+ when a child moves school."
    unknown = [c for c in values.get("allowed_categories") or () if c not in Category.values]
    if unknown:
        problems["allowed_categories"] = f"Unknown spending categories: {', '.join(unknown)}."
    line_cap, year_cap = values.get("line_cap_pence"), values.get("child_year_cap_pence")
    if line_cap and year_cap and line_cap > year_cap:
        problems["line_cap_pence"] = (
            "The most one request can be is more than the most a child's requests can total."
        )
    if year_cap and values.get("grant_rate_pence") and year_cap > values["grant_rate_pence"]:
        problems["child_year_cap_pence"] = (
            "A child's requests cannot total more than the grant per child."
        )
    return problems


@transaction.atomic
def pp_policy_save(
    *, actor, local_authority, financial_year: int, values: dict, version: int | None
) -> PpPolicy:
    """Create the year's policy (``version`` None) or change it (``version``: the one the
    person saw; another person's change since is refused, not overwritten)."""
    if not permissions.can_edit_pp_policy(actor, local_authority):
        raise PermissionDenied("Only the Virtual School Head or an LA administrator can.")
    values = {name: values.get(name) for name in POLICY_FIELDS}
    for text in ("retention_funds", "not_funded", "summary"):
        values[text] = (values[text] or "").strip()
    values["allowed_categories"] = sorted(set(values["allowed_categories"] or ()))
    values["exceptional_allowed"] = bool(values["exceptional_allowed"])
    problems = policy_problems(values)
    if problems:
        raise ValidationError(problems)
    if version is None:
        if PpPolicy.objects.filter(
            local_authority=local_authority, financial_year=financial_year
        ).exists():
            raise ValidationError(
                {"financial_year": "There is already a policy for this year: change that one."}
            )
        policy = PpPolicy.objects.create(
            local_authority=local_authority, financial_year=financial_year, **values
        )
        audit_record_for(actor, policy, "create", financial_year=financial_year)
        return policy
    updated = PpPolicy.objects.filter(
        local_authority=local_authority, financial_year=financial_year, version=version
    ).update(version=F("version") + 1, updated_at=clock.now(), **values)
    if not updated:
        raise ValidationError(STALE.format(what="This PP+ policy"))
    policy = PpPolicy.objects.get(local_authority=local_authority, financial_year=financial_year)
    audit_record_for(actor, policy, "update", financial_year=financial_year)
    return policy


@transaction.atomic
def pp_policy_publish(*, actor, policy: PpPolicy, version: int) -> PpPolicy:
    """Publish the policy on the authority's public page for schools."""
    if not permissions.can_edit_pp_policy(actor, policy.local_authority_id):
        raise PermissionDenied("Only the Virtual School Head or an LA administrator can.")
    if not policy.summary.strip():
        raise ValidationError({"summary": "Write the summary schools will read first."})
    updated = PpPolicy.objects.filter(pk=policy.pk, version=version).update(
        version=F("version") + 1, published_at=clock.now()
    )
    if not updated:
        raise ValidationError(STALE.format(what="This PP+ policy"))
    policy.refresh_from_db()
    audit_record_for(actor, policy, "publish", financial_year=policy.financial_year)
    return policy
