"""What the PEP page and the designated teacher's home show of PP+ (partials included by
one line in the host templates; the host views do not change), and the filters of the
school's PP+ pages."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from epep.tenancy import clock
from funding import permissions, selectors
from funding.models import FUNDED_STATUSES, Category, LineStatus
from funding.years import financial_year_label

register = template.Library()

#: How many lines each list of the home page's panel shows at most.
PANEL_LIMIT = 20


@register.filter
def financial_year(year) -> str:
    """2026 → "2026-27"."""
    return financial_year_label(int(year))


@register.filter
def category_labels(policy) -> list[str]:
    """The labels of the spending categories ``policy`` allows (empty: any)."""
    allowed = set(policy.allowed_categories or ())
    return [label for value, label in Category.choices if value in allowed]


@register.filter
def not_funded_items(policy) -> list[str]:
    """What ``policy`` will not fund, one item per line of its text."""
    return [item.strip() for item in (policy.not_funded or "").splitlines() if item.strip()]


@register.inclusion_tag("portal/ppplus/school/_pep_section.html", takes_context=True)
def ppplus_pep_section(context) -> dict:
    """PP+ on the PEP page: a link to the PEP's PP+ page and "Ask for PP+" while the PEP
    is editable. Answered from the actor and the PEP already loaded (no query: the PEP
    page is at its query budget)."""
    actor, pep = context.get("actor"), context["pep"]
    if not permissions.can_see_ppplus(actor, pep):
        return {"show": False}
    return {
        "show": True,
        "pep": pep,
        "can_ask": permissions.can_request_ppplus(actor, pep) and not pep.is_locked,
    }


def school_panel_annotations() -> dict:
    """For the designated teacher's home view: each child's PP+ lines to show (decided
    in the last week, waiting, funded with no impact), in the children's own query."""
    since = clock.now() - timedelta(days=7)
    return {"ppplus_lines": selectors.school_panel_annotation(since=since, limit=PANEL_LIMIT)}


@register.inclusion_tag("portal/ppplus/school/_dt_panel.html", takes_context=True)
def ppplus_school_panel(context) -> dict:
    """The designated teacher's children's PP+ (the children listed on the page):
    decided in the last week, waiting for a decision, funded with no impact yet; and the
    policies of their authorities. No query of its own: the lines come in the children's
    query (:func:`school_panel_annotations`), the authorities with the actor."""
    actor = context.get("actor")
    if not permissions.can_request_ppplus(actor):
        return {"show": False}
    since = clock.now() - timedelta(days=7)
    decided, waiting, needing = [], [], []
    for row in context.get("rows") or ():
        child = row["child"]
        for data in getattr(child, "ppplus_lines", None) or ():
            line = selectors.line_from_json(data)
            line.child_display_name = child.display_name
            if line.status == LineStatus.REQUESTED:
                waiting.append(line)
            elif line.decided_at and line.decided_at >= since:
                decided.append(line)
            if line.status in FUNDED_STATUSES and not line.impact_rating:
                needing.append(line)
    rows = context.get("rows") or ()
    codes = sorted({row["authority"].code for row in rows if row.get("authority")})
    query = urlencode([("authority", code) for code in codes])
    return {
        "show": True,
        "decided": sorted(decided, key=lambda line: line.decided_at, reverse=True),
        "waiting": sorted(waiting, key=lambda line: line.requested_at),
        "needing_impact": needing,
        "policies_url": reverse("portal:ppplus:policies") + (f"?{query}" if query else ""),
    }
