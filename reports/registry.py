"""The sections of the Virtual School Head's dashboard, in the order they are shown.

Each value is the dotted path of a ``section(*, actor, filters) -> Section`` builder; its
module also holds ``DRILLS``: for each measure key (``"compliance.in_date"``) a function
narrowing the children in scope to those behind the number. A section whose module is
not there yet is left out (so screens render whatever sections exist).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from django.utils.module_loading import import_string

SECTIONS: dict[str, str] = {
    "compliance": "reports.selectors.compliance.section",
    "quality": "reports.selectors.quality.section",
    "ppplus": "reports.selectors.ppplus.section",
    "outcomes": "reports.selectors.outcomes.section",
}

SECTION_TITLES: dict[str, str] = {
    "compliance": "PEP compliance",
    "quality": "PEP quality",
    "ppplus": "Pupil premium plus",
    "outcomes": "Outcomes",
}


def _module_path(key: str) -> str:
    return SECTIONS[key].rsplit(".", 1)[0]


def _is_missing(error: ModuleNotFoundError, module_path: str) -> bool:
    """Only the section's own module missing, never an import error inside it."""
    return error.name is not None and module_path.startswith(error.name)


def section_builder(key: str) -> Callable | None:
    """The builder of section ``key``; None while its module is not written yet."""
    path = SECTIONS[key]
    try:
        return import_string(path)
    except ModuleNotFoundError as error:
        if _is_missing(error, _module_path(key)):
            return None
        raise


def available_sections() -> dict[str, Callable]:
    """key -> builder for every section whose module exists, in dashboard order."""
    builders = {key: section_builder(key) for key in SECTIONS}
    return {key: builder for key, builder in builders.items() if builder is not None}


def drill_for(measure: str) -> Callable | None:
    """The function narrowing children to those behind ``measure`` ("compliance.in_date"):
    found in the ``DRILLS`` of the section named by the measure key's first part. The
    ``cohort.*`` measures live in the compliance section. None for an unknown measure."""
    section_key = measure.split(".", 1)[0]
    if section_key == "cohort":
        section_key = "compliance"
    if section_key not in SECTIONS:
        return None
    module_path = _module_path(section_key)
    try:
        module = import_module(module_path)
    except ModuleNotFoundError as error:
        if _is_missing(error, module_path):
            return None
        raise
    return getattr(module, "DRILLS", {}).get(measure)
