"""Walk every URL pattern of the project, for the sweep tests."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass
class Route:
    pattern: str
    name: str | None
    callback: object
    kwargs: list[str]

    @property
    def is_public(self) -> bool:
        return getattr(self.callback, "login_required", True) is False

    def example_url(self, **values) -> str:
        def route_sub(match):
            converter, name = match.group(1) or "str", match.group(2)
            if name in values:
                return str(values[name])
            return {"uuid": str(uuid.uuid4()), "int": "1", "path": "x/y"}.get(converter, "x")

        url = re.sub(r"<(?:(\w+):)?(\w+)>", route_sub, self.pattern)
        # re_path patterns (the admin's): fill named groups with a plausible value.
        url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values.get(m.group(1), "accounts")), url)
        url = url.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
        return "/" + url


def _walk(resolver, prefix="", namespaces=()):
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry, pattern, inner)
        elif isinstance(entry, URLPattern):
            kwargs = re.findall(r"<(?:\w+:)?(\w+)>", pattern) + re.findall(r"\(\?P<(\w+)>", pattern)
            # Named within the top namespace ("care:child_add" under "portal").
            name = ":".join((*namespaces[1:], entry.name)) if entry.name else entry.name
            yield Route(pattern=pattern, name=name, callback=entry.callback, kwargs=kwargs)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver()))
