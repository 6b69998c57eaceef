"""Reads for the imports app."""

from __future__ import annotations

from epep.tenancy.models import LocalAuthority


def authority_by_code(code: str) -> LocalAuthority | None:
    """The authority with DfE LA code ``code`` (``886``), or ``None``."""
    return LocalAuthority.objects.filter(code=(code or "").strip()).first()
