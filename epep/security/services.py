"""Session lifecycle: when a session started, when it was last used, ending sessions.

Timestamps are kept in the session itself (seconds since the epoch, as floats):

- ``SIGNED_IN_AT``: set when the person signs in (``user_logged_in``); never refreshed.
  After ``SESSION_ABSOLUTE_TIMEOUT`` seconds the session ends whatever the activity.
- ``LAST_ACTIVITY_AT``: refreshed by every request the person makes, except background
  polling (views marked ``@not_activity``, such as the session-status endpoint). After
  ``SESSION_IDLE_TIMEOUT`` seconds without activity the session ends.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings

SIGNED_IN_AT = "security.signed_in_at"
LAST_ACTIVITY_AT = "security.last_activity_at"

IDLE = "idle"
ABSOLUTE = "absolute"
INACTIVE = "inactive"


def idle_timeout() -> int:
    return int(getattr(settings, "SESSION_IDLE_TIMEOUT", 30 * 60))


def absolute_timeout() -> int:
    return int(getattr(settings, "SESSION_ABSOLUTE_TIMEOUT", 12 * 60 * 60))


def warning_period() -> int:
    return int(getattr(settings, "SESSION_TIMEOUT_WARNING", 2 * 60))


def activity_resolution() -> int:
    """Seconds between two writes of the last-activity time: a page view within this
    long of the last recorded one does not save the session again. A sixtieth of the
    idle timeout, at most 30 seconds, so the idle limit is never more than that early."""
    return min(30, idle_timeout() // 60)


def describe_duration(seconds: int) -> str:
    """``1800`` -> "30 minutes", ``43200`` -> "12 hours", ``90`` -> "1 minute 30 seconds"."""
    seconds = max(0, int(seconds))
    parts = []
    for size, unit in ((3600, "hour"), (60, "minute"), (1, "second")):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'' if count == 1 else 's'}")
    return " ".join(parts) or "0 seconds"


def session_started(session, *, now: float | None = None) -> None:
    now = time.time() if now is None else now
    session[SIGNED_IN_AT] = now
    session[LAST_ACTIVITY_AT] = now


def activity_record(session, *, now: float | None = None, force: bool = False) -> None:
    now = time.time() if now is None else now
    last = session.get(LAST_ACTIVITY_AT)
    if force or last is None or now - last >= activity_resolution():
        session[LAST_ACTIVITY_AT] = now


@dataclass(frozen=True)
class SessionTimes:
    idle_seconds_left: int
    absolute_seconds_left: int

    @property
    def seconds_left(self) -> int:
        return min(self.idle_seconds_left, self.absolute_seconds_left)

    @property
    def extendable(self) -> bool:
        """Whether "Stay signed in" would give more time (not when the absolute limit is
        the nearer one)."""
        return self.idle_seconds_left < self.absolute_seconds_left

    @property
    def ended_because(self) -> str | None:
        if self.absolute_seconds_left < 0:
            return ABSOLUTE
        if self.idle_seconds_left < 0:
            return IDLE
        return None

    def as_json(self) -> dict:
        return {
            "signed_in": True,
            "seconds_left": max(0, self.seconds_left),
            "idle_seconds_left": max(0, self.idle_seconds_left),
            "absolute_seconds_left": max(0, self.absolute_seconds_left),
            "extendable": self.extendable,
        }


def session_times(session, *, now: float | None = None) -> SessionTimes:
    """Time left in a signed-in session. A session without timestamps (signed in before
    these limits existed) is treated as starting now."""
    now = time.time() if now is None else now
    if SIGNED_IN_AT not in session:
        session_started(session, now=now)
    signed_in = session[SIGNED_IN_AT]
    last = session.get(LAST_ACTIVITY_AT, signed_in)
    # Whole seconds, rounded down: "0 left" means "ending now"; below 0 means ended.
    return SessionTimes(
        idle_seconds_left=_floor(last + idle_timeout() - now),
        absolute_seconds_left=_floor(signed_in + absolute_timeout() - now),
    )


def _floor(value: float) -> int:
    return int(value // 1)


def sessions_end_for_user(*, user, keep_session_key: str | None = None) -> int:
    """End every session of ``user`` (except ``keep_session_key``, if given) at once: the
    next request from any of their browsers is signed out. Returns how many were ended.

    Sessions are found through django-allauth's ``usersessions`` records (one per signed-in
    session, made at sign-in and refreshed on activity). Whatever this misses, a
    deactivated person is refused anyway: allauth's backend, like Django's ModelBackend,
    returns no user for an inactive account, and ``SessionLimitsMiddleware`` checks too.
    """
    from allauth.usersessions.adapter import get_adapter
    from allauth.usersessions.models import UserSession

    from epep.accounts.context import account_context

    # The records are readable only in the person's context (epep.accounts.context): this
    # may be someone else's account (deactivation, a reset by an administrator).
    with account_context(user_id=user.pk):
        sessions = [
            session
            for session in UserSession.objects.filter(user_id=user.pk)
            if session.session_key != keep_session_key
        ]
        get_adapter().end_sessions(sessions)
    return len(sessions)
