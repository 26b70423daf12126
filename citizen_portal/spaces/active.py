"""The person's spaces (their foyer, each organisme they act for) and the active one.

The active space is kept in the session: it is the one shown in the header, the one whose
téléservices « Déposer un dossier » lists, and the one a new dossier is filed from. It is
re-checked on every request against the person's current memberships, so that a membership
removed in the meantime never keeps filing for an organisme.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from instruction.models import Audience, Foyer, Organisme, Teleservice
from permissions.organismes import organismes_of

SESSION_KEY = "citizen_space"
PENDING_INVITATION_KEY = "pending_organisme_invitation"
FOYER_KEY = "foyer"


@dataclass(frozen=True)
class Space:
    key: str  # "foyer" or "organisme:<pk>", what the session and the switcher hold
    kind: str  # an Audience value
    label: str
    url: str
    detail: str = ""  # what kind of space, said under its name on the home page
    organisme_id: int | None = None


def organisme_key(organisme: Organisme) -> str:
    return f"organisme:{organisme.pk}"


def spaces_of(request: HttpRequest) -> list[Space]:
    """Foyer first, then organismes by name. One query, once per request: the header shows the
    switcher on every citizen page, whose query budgets are fixed."""
    cached: list[Space] | None = getattr(request, "_citizen_spaces", None)
    if cached is not None:
        return cached
    spaces: list[Space] = []
    user = request.user
    if user.is_authenticated:
        organisme_rows = (
            organismes_of(user).order_by("name", "pk").values(row=JSONObject(pk="pk", name="name", kind="kind"))
        )
        found = (
            get_user_model()
            .objects.filter(pk=user.pk)
            .annotate(
                foyer_pk=Subquery(Foyer.objects.filter(responsible=OuterRef("pk")).values("pk")[:1]),
                organisme_rows=ArraySubquery(organisme_rows),
            )
            .values("foyer_pk", "organisme_rows")
            .first()
        ) or {"foyer_pk": None, "organisme_rows": []}
        if found["foyer_pk"] is not None:
            spaces.append(
                Space(FOYER_KEY, Audience.FOYER, _("Mon foyer"), reverse("citizen:foyer"), _("Aides aux familles"))
            )
        kinds = dict(Organisme.Kind.choices)
        for row in found["organisme_rows"]:
            spaces.append(
                Space(
                    f"organisme:{row['pk']}",
                    Audience.ORGANISME,
                    row["name"],
                    reverse("citizen:organisme", args=[row["pk"]]),
                    str(kinds.get(row["kind"], "")),
                    organisme_id=row["pk"],
                )
            )
    request._citizen_spaces = spaces  # type: ignore[attr-defined]
    return spaces


def active_space(request: HttpRequest) -> Space | None:
    """The space chosen in this session, else the foyer, else the first organisme."""
    spaces = spaces_of(request)
    chosen = request.session.get(SESSION_KEY)
    for space in spaces:
        if space.key == chosen:
            return space
    return spaces[0] if spaces else None


def activate(request: HttpRequest, key: str) -> None:
    request.session[SESSION_KEY] = key


@dataclass
class Filing:
    """From which space a téléservice would be filed by this person, or what is missing."""

    space: Space | None = None
    # "" when a space is ready; "foyer" / "organisme" when it must be created first;
    # "choose" when the person acts for organismes but none is the active space.
    missing: str = ""
    choices: list[Space] = field(default_factory=list)


def filing_for(request: HttpRequest, teleservice: Teleservice) -> Filing:
    if not request.user.is_authenticated:
        return Filing()
    spaces = spaces_of(request)
    if teleservice.audience == Audience.FOYER:
        # A person has at most one foyer: filing from it is never ambiguous.
        foyer = next((s for s in spaces if s.kind == Audience.FOYER), None)
        return Filing(space=foyer) if foyer else Filing(missing="foyer")
    active = active_space(request)
    if active is not None and active.kind == Audience.ORGANISME:
        return Filing(space=active)
    choices = [s for s in spaces if s.kind == Audience.ORGANISME]
    return Filing(missing="choose", choices=choices) if choices else Filing(missing="organisme")
