"""Attachments of outbox e-mails, rendered by the worker at delivery time.

An attachment spec is a small JSON dict stored in the outbox payload, e.g. ``{"kind":
"receipt"}``; each kind registers a renderer returning (filename, bytes, mimetype)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Renderer = Callable[[Any, dict[str, Any]], tuple[str, bytes, str]]
RENDERERS: dict[str, Renderer] = {}


def register(kind: str) -> Callable[[Renderer], Renderer]:
    def decorator(func: Renderer) -> Renderer:
        RENDERERS[kind] = func
        return func

    return decorator


def render_attachment(message: Any, spec: dict[str, Any]) -> tuple[str, bytes, str]:
    try:
        renderer = RENDERERS[spec["kind"]]
    except KeyError:
        raise ValueError(f"Unknown attachment kind {spec.get('kind')!r}") from None
    return renderer(message, spec)
