"""Template context for the space switcher in the header (templates/base.html)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from citizen_portal.spaces.active import Space, active_space, spaces_of


@dataclass
class SpaceMenu:
    spaces: list[Space]
    active: Space | None


def space_menu(request: HttpRequest) -> dict[str, Any]:
    def build() -> SpaceMenu:
        match = getattr(request, "resolver_match", None)
        # Only the citizen pages show it: the back office and account pages pay no query for it.
        if not request.user.is_authenticated or match is None or match.namespace != "citizen":
            return SpaceMenu([], None)
        return SpaceMenu(spaces_of(request), active_space(request))

    return {"space_menu": SimpleLazyObject(build)}
