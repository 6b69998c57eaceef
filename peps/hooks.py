"""What the apps above ``peps`` add to a PEP's PDF, without ``peps`` importing them.

An app registers, from its ``AppConfig.ready()``, a provider for one section of the PDF
(``voice.apps``: the answers the child shared in My Voice, in the section "My Voice: the
child's views"). ``peps.pdf.pep_context`` asks every provider of a section while it reads
the PEP (the authority context is set); a provider returns ``None`` (nothing to add) or
``{"template": ..., "context": {...}}``, rendered under the section's own fields.
"""

from __future__ import annotations

from collections.abc import Callable

#: section key -> providers ``func(pep) -> dict | None``
pdf_section_providers: dict[str, list[Callable[..., dict | None]]] = {}


def register_pdf_section(key: str, func: Callable[..., dict | None]) -> None:
    """Add ``func`` to section ``key`` once (``ready()`` may run more than once in tests)."""
    providers = pdf_section_providers.setdefault(key, [])
    if func not in providers:
        providers.append(func)


def pdf_section_extras(key: str, pep) -> list[dict]:
    """What the registered providers add to section ``key`` of ``pep``'s PDF."""
    extras = (provider(pep) for provider in pdf_section_providers.get(key, ()))
    return [extra for extra in extras if extra]
