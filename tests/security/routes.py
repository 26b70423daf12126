"""Every route of the URLconf, with a concrete path to request it, so that a test over "every
route" covers a route added tomorrow without anyone listing it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern


@dataclass(frozen=True)
class Route:
    pattern: str  # as written in the URLconf, prefixes joined
    name: str  # namespaced name, or the pattern itself for an unnamed route
    callback: Any

    @property
    def csrf_exempt(self) -> bool:
        return bool(getattr(self.callback, "csrf_exempt", False))


def all_routes() -> list[Route]:
    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Route]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, prefix + _text(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                full = prefix + _text(entry.pattern)
                yield Route(full, f"{namespace}{entry.name}" if entry.name else full, entry.callback)

    return list(walk(get_resolver().url_patterns, "", ""))


def _text(pattern: Any) -> str:
    text = str(pattern)
    if isinstance(pattern, RegexPattern):
        # The only regex routes: the admin's app list and catch-alls, which any text satisfies.
        text = re.sub(r"\(\?P<app_label>([a-z_]+)[^)]*\)", r"\1", text)
        text = re.sub(r"\(\?P<\w+>\.\*\)|\.\*", "x", text)
        text = text.replace("^", "").replace("$", "")
    return text


def concrete_path(route: Route, values: Mapping[str, str]) -> str:
    """The route's path with each ``<converter:name>`` replaced by ``values[name]`` (or ``1``)."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values.get(match.group(1), "1")), route.pattern)
    return "/" + path
