from __future__ import annotations

from django.core.exceptions import ValidationError

STALE = "{what} has changed since you opened it. Reload the page to see the change."


def refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})
