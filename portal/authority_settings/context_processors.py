"""What every Virtual School page shows about the authority's settings: whether the
person may open them (a pure permission check, no query) and a warning when the current
or next academic year has no term dates (``calendars.selectors.years_without_terms``:
cached per authority, worked out again when the calendar changes). Registered in
``TEMPLATES`` (``epep/settings/base.py``) and shown by ``templates/base.html``."""

from __future__ import annotations

from functools import cache

from calendars.permissions import can_edit_calendar
from calendars.selectors import years_without_terms
from epep.tenancy.permissions import can_open_authority_settings


def authority_settings(request) -> dict:
    actor = getattr(request, "actor", None)
    if not can_open_authority_settings(actor):
        return {"can_open_authority_settings": False, "years_without_terms": ()}
    authority_id = actor.authorities[0].pk

    @cache
    def missing() -> list[str]:
        # Only when a template asks (the base template does, once per page).
        if not can_edit_calendar(actor, authority_id):
            return []
        return years_without_terms(local_authority_id=authority_id)

    return {"can_open_authority_settings": True, "years_without_terms": missing}
