"""The children behind a number: every figure on the dashboard links to the list of the
children it counts, through the same access path (``children_in_scope``, hence
``children.selectors.children_for``)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.http import urlencode

from children.models import Child

from ..filters import ReportFilter
from ..registry import drill_for
from .cohort import children_in_scope

#: drill_query's keyword -> ReportFilter attribute and query-string key.
_OVERRIDES = {
    "term": "term",
    "cohort": "cohort",
    "school_id": "school",
    "key_stage": "key_stage",
    "team": "team",
}


class UnknownMeasure(LookupError):
    """No section defines this measure key."""


def filter_query(filters: ReportFilter, **overrides) -> dict[str, str]:
    """The query-string values of ``filters`` (only the dimensions set), with
    ``overrides`` (school_id=, key_stage=, term=, cohort=, team=; None clears one)."""
    unknown = set(overrides) - set(_OVERRIDES)
    if unknown:
        raise TypeError(f"drill_query() got unknown overrides: {', '.join(sorted(unknown))}")
    values = {"year": str(filters.academic_year)}
    for attribute, key in _OVERRIDES.items():
        value = overrides[attribute] if attribute in overrides else getattr(filters, attribute)
        if value is not None and value != "":
            values[key] = str(value)
    return values


def drill_query(filters: ReportFilter, measure: str, **overrides) -> str:
    """The query string (without '?') of the list of the children behind ``measure``
    ("compliance.in_date") under ``filters``, narrowed by ``overrides`` (a breakdown's row:
    school_id=, key_stage=, term=, cohort=, team=). The list page reads it back with
    ``parse_filters`` and ``children_behind``."""
    return urlencode({**filter_query(filters, **overrides), "measure": measure})


def children_behind(*, actor, filters: ReportFilter, measure: str) -> QuerySet[Child]:
    """The children counted in ``measure`` under ``filters``: those in scope, narrowed by
    the measure's drill (the section module's ``DRILLS``). Raises :class:`UnknownMeasure`
    for a measure no section defines."""
    drill = drill_for(measure)
    if drill is None:
        raise UnknownMeasure(measure)
    return drill(children_in_scope(actor=actor, filters=filters), filters)
