"""The application's one clock: what "now" and "today" are.

Every rule that depends on the date (access that starts and ends on dates, terms and year
groups, PEP deadlines and reminders, "a meeting must be in the future") asks this module,
never ``date.today()`` or ``timezone.now()``. "Today" is the Europe/London date
(``TIME_ZONE``), so 00:30 in British Summer Time is already the new day.

What stays on the real clock: audit times (a record of when something really happened),
sessions and sign-in limits, invitation expiry, file ages.

Tests can set the clock; it then starts at that moment and runs on:

- for one test, ``with clock.travel(date(2028, 2, 29)): ...`` (or the ``clock_at``
  fixture in tests/conftest.py). A Celery worker the test starts does not see it.
- for a whole run, ``pytest --clock=2028-02-29``: the test settings' ``EPEP_TEST_CLOCK``
  (from the environment variable of that name, so workers started by the tests follow).
  Only the test settings define it; in production the clock is the real one.

A date given alone means noon in London that day, so a test that adds or takes away a
few hours stays on the same date.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

__all__ = ["now", "today", "travel", "setting_for", "moment_of"]

LONDON = ZoneInfo("Europe/London")
NOON = time(12, 0)

#: Set by ``travel`` (tests only); ``None``: the settings decide.
_offset: timedelta | None = None


def now() -> datetime:
    """The current moment (aware, UTC)."""
    return timezone.now() + _current_offset()


def today() -> date:
    """Today's date in Europe/London."""
    return timezone.localdate(now(), LONDON)


def moment_of(to: date | datetime) -> datetime:
    """``to`` as an aware moment: a date alone is noon in London that day."""
    if isinstance(to, datetime):
        if timezone.is_naive(to):
            raise ValueError("Give the clock an aware datetime (or a date).")
        return to
    return datetime.combine(to, NOON, tzinfo=LONDON)


@contextmanager
def travel(to: date | datetime) -> Iterator[None]:
    """Tests only: inside the block the clock starts at ``to`` and runs on."""
    global _offset
    previous = _offset
    _offset = moment_of(to) - timezone.now()
    try:
        yield
    finally:
        _offset = previous


def setting_for(to: date | datetime) -> str:
    """The ``EPEP_TEST_CLOCK`` value that sets every process's clock to ``to`` from now:
    the target moment and the real moment it corresponds to, so processes started later
    (Celery workers) keep exactly the same offset."""
    return f"{moment_of(to).isoformat()}@{timezone.now().timestamp()!r}"


def _current_offset() -> timedelta:
    if _offset is not None:
        return _offset
    return _parse_setting(getattr(settings, "EPEP_TEST_CLOCK", "") or "")


@functools.cache
def _parse_setting(value: str) -> timedelta:
    if not value:
        return timedelta(0)
    target, _, real = value.partition("@")
    moment = moment_of(
        date.fromisoformat(target) if len(target) == 10 else datetime.fromisoformat(target)
    )
    anchor = datetime.fromtimestamp(float(real), UTC) if real else timezone.now()
    return moment - anchor
