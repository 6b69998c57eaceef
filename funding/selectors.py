"""Reads about PP+, always scoped through the child's access rules (a line, an allocation)
or the actor's authorities (budgets, runs, reports). Totals are SQL aggregates."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from children.selectors import children_for
from epep.tenancy.access import fetch_or_404

from .models import (
    FUNDED_STATUSES,
    ChildAllocation,
    LineStatus,
    PaymentRun,
    PpBudget,
    PpLine,
    PpPolicy,
)


def lines_for(*, actor) -> QuerySet[PpLine]:
    """The PP+ lines of the children ``actor`` may see."""
    return PpLine.objects.filter(child__in=children_for(actor=actor).values("pk"))


def access_line_by_id(*, actor, line_id: UUID) -> PpLine:
    """The one way to fetch a line a URL names: 404 when missing or out of reach."""
    return fetch_or_404(
        lines_for(actor=actor).select_related("pep", "child", "school"),
        actor=actor,
        object_type="funding.ppline",
        public_id=line_id,
        message="No PP+ request found",
    )


def pep_lines(*, pep) -> QuerySet[PpLine]:
    """A PEP's lines with their targets, in the order asked (the PEP was reached through
    ``peps.selectors.access_pep_by_id``)."""
    return (
        PpLine.objects.filter(pep=pep)
        .select_related("decided_by", "requested_by")
        .prefetch_related("targets")
        .order_by("requested_at", "pk")
    )


def lines_waiting_for_decision(*, actor) -> QuerySet[PpLine]:
    return (
        lines_for(actor=actor)
        .filter(status=LineStatus.REQUESTED)
        .select_related("child", "school", "pep")
        .order_by("requested_at", "pk")
    )


def funded_lines_without_impact(*, actor) -> QuerySet[PpLine]:
    """Funded lines whose school has not said what difference they made."""
    return (
        lines_for(actor=actor)
        .filter(status__in=FUNDED_STATUSES, impact_rating="")
        .select_related("child", "school")
        .order_by("requested_at", "pk")
    )


def policies_for(*, actor) -> QuerySet[PpPolicy]:
    return PpPolicy.objects.filter(local_authority_id__in=actor.authority_ids)


def published_policies(*, local_authority_ids=None) -> QuerySet[PpPolicy]:
    """Published policies (public: no child data), newest year first."""
    policies = PpPolicy.objects.filter(published_at__isnull=False).select_related("local_authority")
    if local_authority_ids is not None:
        policies = policies.filter(local_authority_id__in=local_authority_ids)
    return policies.order_by("local_authority__name", "-financial_year")


def budget_for(*, actor, local_authority_id: int, financial_year: int) -> PpBudget | None:
    if local_authority_id not in actor.authority_ids:
        return None
    return PpBudget.objects.filter(
        local_authority_id=local_authority_id, financial_year=financial_year
    ).first()


def child_ledger(*, child) -> QuerySet[ChildAllocation]:
    """A child's allocation per financial year (the child reached through
    ``children.selectors.access_child_by_id``)."""
    return ChildAllocation.objects.filter(child=child).order_by("-financial_year")


def payment_runs_for(*, actor) -> QuerySet[PaymentRun]:
    return (
        PaymentRun.objects.filter(local_authority_id__in=actor.authority_ids)
        .annotate(
            lines=Count("payments"),
            total_pence=Coalesce(Sum("payments__amount_pence"), 0),
            schools=Count("payments__school", distinct=True),
        )
        .order_by("-created_at")
    )


def access_payment_run_by_id(*, actor, run_id: UUID) -> PaymentRun:
    return fetch_or_404(
        payment_runs_for(actor=actor),
        actor=actor,
        object_type="funding.paymentrun",
        public_id=run_id,
        belongs_to_child=False,
        message="No payment run found",
    )


_FUNDED = Q(status__in=FUNDED_STATUSES)


def spend_by(*, actor, financial_year: int, by: str) -> QuerySet:
    """Pence requested, approved and paid (``requested``, ``approved``, ``paid``), grouped by ``by``
    ("school", "child", "term" or "category"), one SQL aggregate."""
    return spend_totals(lines_for(actor=actor).filter(financial_year=financial_year), by=by)


#: What :func:`spend_totals` groups by, as the values it returns.
SPEND_GROUPS = {
    "school": ["school_id", "school__name"],
    "child": ["child_id", "child__legal_first_name", "child__legal_last_name"],
    "term": ["academic_year", "term"],
    "category": ["category"],
}


def spend_totals(lines: QuerySet[PpLine], *, by: str) -> QuerySet:
    """:func:`spend_by` over any scoped lines (a report's children and year): ``lines``,
    ``requested``, ``approved`` (funded lines) and ``paid`` (funded lines in a paid run) in
    pence, grouped by ``by`` (:data:`SPEND_GROUPS`), one SQL aggregate."""
    groups = SPEND_GROUPS[by]
    return lines.values(*groups).annotate(**spend_sums()).order_by(*groups)


def spend_sums() -> dict:
    """The sums of :func:`spend_totals`, for ``annotate`` or ``aggregate`` over lines."""
    return {
        "lines": Count("pk"),
        "requested": Coalesce(Sum("amount_pence"), 0),
        "approved": Coalesce(Sum("approved_pence", filter=_FUNDED), 0),
        "paid": Coalesce(
            Sum("approved_pence", filter=_FUNDED & Q(payments__run__status="paid")), 0
        ),
    }


# --- The school's side (portal.ppplus school screens) ------------------------------------


def lines_needing_impact(*, pep) -> QuerySet[PpLine]:
    """Funded lines of the child's earlier PEPs whose school has not yet said what
    difference they made: asked for at the next PEP (``pep`` reached through
    ``peps.selectors.access_pep_by_id``)."""
    return (
        PpLine.objects.filter(
            child_id=pep.child_id,
            status__in=FUNDED_STATUSES,
            impact_rating="",
            pep__created_at__lt=pep.created_at,
        )
        .select_related("pep")
        .order_by("requested_at", "pk")
    )


# --- The Virtual School's side (portal.ppplus Virtual School screens) ---------------------


def allocations_for(*, actor, financial_year: int) -> QuerySet[ChildAllocation]:
    """The children's allocations of ``actor``'s authorities in ``financial_year``, with
    ``remaining_left`` (allocated less committed and paid) in SQL, by child's name."""
    return (
        ChildAllocation.objects.filter(
            local_authority_id__in=actor.authority_ids, financial_year=financial_year
        )
        .select_related("child")
        .annotate(remaining_left=F("allocated_pence") - F("committed_pence") - F("paid_pence"))
        .order_by("child__legal_last_name", "child__legal_first_name", "pk")
    )


def unspent_allocations(*, actor, financial_year: int) -> dict:
    """What of the year's allocations is neither committed nor paid (``pence``) and how
    many children have some left (``children``): one SQL aggregate."""
    return allocations_for(actor=actor, financial_year=financial_year).aggregate(
        pence=Coalesce(Sum("remaining_left", filter=Q(remaining_left__gt=0)), 0),
        children=Count("pk", filter=Q(remaining_left__gt=0)),
    )


# --- The school's side in a page's one query (portal.templatetags.ppplus_school) --------
# The PEP's PP+ page reads everything in one query; the designated teacher's home keeps
# its query budget (tests/portal/test_query_budget.py) by reading the lines in the
# children's own query. Both as JSON turned back into unsaved ``PpLine``/``PpPolicy``
# instances (their display methods work; nothing saves them).

_LINE_FIELDS = (
    "public_id",
    "what",
    "provider",
    "category",
    "amount_pence",
    "approved_pence",
    "term",
    "academic_year",
    "status",
    "decision_reason",
    "decided_at",
    "exceptional",
    "end_date",
    "exit_plan",
    "impact",
    "impact_rating",
    "requested_at",
)


def _line_json():
    from django.contrib.postgres.expressions import ArraySubquery
    from django.db.models import OuterRef
    from django.db.models.functions import JSONObject

    from peps.models import Target

    targets = ArraySubquery(
        Target.objects.filter(pp_lines=OuterRef("pk")).order_by("pk").values("description")
    )
    return JSONObject(
        **{name: name for name in _LINE_FIELDS},
        decided_by_name="decided_by__full_name",
        pep_public_id="pep__public_id",
        pep_term="pep__term",
        pep_academic_year="pep__academic_year",
        child_name="child__preferred_name",
        child_first_name="child__legal_first_name",
        child_last_name="child__legal_last_name",
        target_descriptions=targets,
    )


def line_from_json(data: dict) -> PpLine:
    """An unsaved ``PpLine`` for display from :func:`_line_json`'s object, with
    ``decided_by_name``, ``pep_public_id``, ``pep_term``, ``pep_academic_year``,
    ``child_display_name`` and ``target_descriptions``."""
    from django.utils.dateparse import parse_date, parse_datetime

    from peps.models import Term

    values = {name: data.get(name) for name in _LINE_FIELDS}
    for name in ("decided_at", "requested_at"):
        values[name] = parse_datetime(values[name]) if values[name] else None
    values["end_date"] = parse_date(values["end_date"]) if values["end_date"] else None
    for name in ("provider", "decision_reason", "exit_plan", "impact", "impact_rating"):
        values[name] = values[name] or ""
    line = PpLine(**values)
    line.decided_by_name = data.get("decided_by_name") or ""
    line.pep_public_id = data.get("pep_public_id")
    line.pep_term_label = Term(data["pep_term"]).label if data.get("pep_term") else ""
    line.pep_academic_year = data.get("pep_academic_year") or ""
    first = data.get("child_name") or data.get("child_first_name") or ""
    line.child_display_name = f"{first} {data.get('child_last_name') or ''}".strip()
    line.target_descriptions = [t for t in data.get("target_descriptions") or [] if t]
    return line


def pep_ppplus(*, pep, financial_year: int) -> tuple[PpPolicy | None, list, list]:
    """For the PEP's PP+ page, in one query: the authority's policy for ``financial_year``, the
    PEP's lines (in the order asked) and the funded lines of the child's earlier PEPs
    with no impact yet (``pep`` reached through ``peps.selectors.access_pep_by_id``)."""
    from django.contrib.postgres.expressions import ArraySubquery
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import JSONObject

    from epep.tenancy.models import LocalAuthority

    from .services.policy import POLICY_FIELDS

    policy = PpPolicy.objects.filter(
        local_authority_id=OuterRef("pk"), financial_year=financial_year
    ).values(
        json=JSONObject(**{name: name for name in POLICY_FIELDS}, financial_year="financial_year")
    )[:1]
    own = PpLine.objects.filter(pep_id=pep.pk).order_by("requested_at", "pk")
    earlier = lines_needing_impact(pep=pep)
    row = (
        LocalAuthority.objects.filter(pk=pep.local_authority_id)
        .annotate(
            policy_json=Subquery(policy),
            own_json=ArraySubquery(own.values(json=_line_json())),
            earlier_json=ArraySubquery(earlier.values(json=_line_json())),
        )
        .values("policy_json", "own_json", "earlier_json")
        .get()
    )
    found = None
    if row["policy_json"]:
        found = PpPolicy(local_authority_id=pep.local_authority_id, **row["policy_json"])
    return (
        found,
        [line_from_json(d) for d in row["own_json"]],
        [line_from_json(d) for d in row["earlier_json"]],
    )


def school_panel_annotation(*, since, limit: int = 10):
    """Per child (an annotation for the children's own query): their PP+ lines decided
    since ``since``, waiting for a decision, or funded with no impact yet, as JSON
    (:func:`line_from_json`), newest first, at most ``limit``."""
    from django.contrib.postgres.expressions import ArraySubquery
    from django.db.models import OuterRef

    lines = (
        PpLine.objects.filter(child_id=OuterRef("pk"))
        .filter(
            Q(status=LineStatus.REQUESTED)
            | Q(decided_at__gte=since)
            | Q(status__in=FUNDED_STATUSES, impact_rating="")
        )
        .order_by("-requested_at", "-pk")
    )
    return ArraySubquery(lines.values(json=_line_json())[:limit])
