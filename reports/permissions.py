"""Who may see the Virtual School's reports: every "may this person" answer of the
reports app."""

from __future__ import annotations

from epep.tenancy.roles import VIRTUAL_SCHOOL_ROLES, Role


def can_see_reports(actor) -> bool:
    """The Virtual School Head and officers, for their own authority: the dashboard, each
    section, the children behind a number and the downloads."""
    return actor is not None and actor.role in VIRTUAL_SCHOOL_ROLES and len(actor.authorities) == 1


def can_download_reports(actor) -> bool:
    """Downloads (CSV, XLSX) leave the Virtual School: the same people, small numbers
    suppressed (``reports.suppression``)."""
    return can_see_reports(actor)


def can_edit_commentary(actor) -> bool:
    """The annual report's commentary per section is the Virtual School Head's own words
    for the governing body: the Head only, for their own authority."""
    return can_see_reports(actor) and actor.role == Role.VS_HEAD
