"""The access matrix's rows: every route of the URLconf (a walk of the resolver), the methods it is
sent, the objects it is filled with (``KINDS``), and the table of docs/access-matrix.md."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from tests.security.matrix_world import World

TABLE = Path(__file__).resolve().parents[2] / "docs" / "access-matrix.md"
FIXED = ("route", "method", "object")
MARKER = "<!-- table: everything below is read by tests/security/test_access_matrix.py -->"


@dataclass(frozen=True)
class Route:
    key: str  # the URL name (namespaced), or the pattern for the admin's unnamed redirects
    pattern: str  # the full pattern, from the site's root

    @property
    def area(self) -> str:
        if self.pattern.startswith("admin/"):
            return "admin"
        if self.pattern.startswith("api/"):
            return "api"
        return "site"


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[Route]:
    found: list[Route] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            found.append(Route(f"{namespace}{entry.name}" if entry.name else pattern, pattern))
    return found


def url_routes() -> list[Route]:
    return _walk(get_resolver().url_patterns)


def schema_operations() -> set[tuple[str, str]]:
    """(route key, method) of every operation of the OpenAPI schema, resolved through the URLconf."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = set()
    for path, operations in schema["paths"].items():
        sample = re.sub(r"\{reference\}", "PJL-2026-000001", path)
        sample = re.sub(r"\{[a-z_]+\}", "1", sample)
        match = resolve(sample)
        for method in operations:
            found.add((match.view_name, method.upper()))
    return found


_ADMIN_POST = ("_add", "_change", "_delete", "password_change", "admin:logout")


def methods_for(route: Route, operations: set[tuple[str, str]]) -> tuple[str, ...]:
    """Pages are read with GET; the site's routes are also sent a POST (most change something, and
    the others must refuse it); the admin's forms too; the API gets what its schema declares."""
    if route.area == "admin":
        return ("GET", "POST") if route.key.endswith(_ADMIN_POST) else ("GET",)
    if route.area == "api":
        return tuple(sorted({"GET"} | {method for key, method in operations if key == route.key}))
    return ("GET", "POST")


# --- Objects ---------------------------------------------------------------------------------
# A route's kinds: which objects it is tried on, each giving its URL's parameters.
Fill = Callable[[World], dict[str, Any] | str]


def _ref(kind: str) -> Fill:
    return lambda w: {"reference": w.dossiers[kind].reference}


def _child(kind: str, param: str, child: Callable[[World, str], Any], owner: str | None = None) -> Fill:
    """A dossier's child object (file, letter, attachment); ``owner`` takes the child from another
    dossier (cross: the applicant's reference with the other citizen's object)."""
    return lambda w: {"reference": w.dossiers[kind].reference, param: child(w, owner or kind).pk}


def _file(w: World, kind: str) -> Any:
    return w.dossiers[kind].files.order_by("pk").first()


def _letter(w: World, kind: str) -> Any:
    return w.objects["letters"][kind]


def _attachment(w: World, kind: str) -> Any:
    return w.objects["attachments"][kind]


def _refs(*kinds: str) -> dict[str, Fill]:
    return {kind: _ref(kind) for kind in kinds}


def _children(param: str, child: Callable[[World, str], Any], *kinds: str, cross: str) -> dict[str, Fill]:
    fills = {kind: _child(kind, param, child) for kind in kinds}
    fills["cross"] = _child(cross, param, child, owner="other")
    return fills


CITIZEN_DOSSIER = ("own_draft", "own", "organisme", "other")
AGENT_DOSSIER = ("own_draft", "own", "other")
# The statuses where who may act changes: transmitted and waiting in the queue, complement asked.
BY_STATUS = ("own_queued", "own_complement")
NO_OBJECT: dict[str, Fill] = {"-": lambda w: {}}


def _obj(group: str, param: str = "pk") -> dict[str, Fill]:
    return {kind: (lambda w, kind=kind: {param: w.objects[group][kind].pk}) for kind in ("own", "other")}


def _sides(fill: Callable[[World, str], dict[str, Any]]) -> dict[str, Fill]:
    return {kind: (lambda w, kind=kind: fill(w, kind)) for kind in ("own", "other")}


def _organisme(w: World, kind: str) -> Any:
    return w.organisme if kind == "own" else w.other_organisme


def _service(w: World, kind: str) -> Any:
    return w.service if kind == "own" else w.other_service


def _teleservice(w: World, kind: str) -> Any:
    return w.teleservice if kind == "own" else w.other_teleservice


def _agent(w: World, kind: str) -> Any:
    return w.users["agent" if kind == "own" else "other_agent"]


def _member(w: World, kind: str) -> dict[str, Any]:
    return {"pk": _organisme(w, kind).pk, "user_id": w.users["co_member" if kind == "own" else "other_citizen"].pk}


def _document(kind: str) -> Fill:
    """The dossier's reference and the code of one of its documents (« Envoyer un autre fichier »)."""
    return lambda w: {"reference": w.dossiers[kind].reference, "code": _file(w, kind).document}


def _expert_access(dossier: str, grant: str) -> Fill:
    """An expert's access to revoke, on ``dossier`` (cross: the applicant's with the other side's access)."""
    return lambda w: {"reference": w.dossiers[dossier].reference, "pk": w.objects["expert_accesses"][grant].pk}


def _invitation(owner: str, invitation: str) -> Fill:
    def fill(w: World) -> dict[str, Any]:
        return {"pk": _organisme(w, owner).pk, "invitation_id": w.objects["invitations"][invitation].pk}

    return fill


KINDS: dict[str, dict[str, Fill]] = {
    # The portal
    "account_activate": {"invalid": lambda w: {"token": "jeton-invalide"}},
    "password_reset_confirm": {"invalid": lambda w: {"uidb64": "MQ", "token": "jeton-invalide"}},
    "citizen:teleservice": {"public": lambda w: {"slug": w.teleservice.slug}},
    "citizen:start": {"public": lambda w: {"slug": w.teleservice.slug}},
    "citizen:dossier": _refs(*CITIZEN_DOSSIER, *BY_STATUS),
    "citizen:edit": _refs(*CITIZEN_DOSSIER, *BY_STATUS),
    "citizen:transmit": _refs(*CITIZEN_DOSSIER),
    "citizen:file": _children("file_id", _file, "own", "organisme", "other", cross="own"),
    "citizen:remove_file": _children("file_id", _file, "own_draft", "organisme", "other", cross="own_draft"),
    "citizen:replace_file": {kind: _document(kind) for kind in (*CITIZEN_DOSSIER, *BY_STATUS)},
    "citizen:letter": _children("pk", _letter, "own_decided", "other", cross="own_decided"),
    "citizen:thread": _refs("own", "other"),
    "citizen:attachment": _children("pk", _attachment, "own", "other", cross="own"),
    "citizen:foyer_member_edit": _obj("foyer_members"),
    "citizen:foyer_member_remove": _obj("foyer_members"),
    "citizen:organisme": _sides(lambda w, k: {"pk": _organisme(w, k).pk}),
    "citizen:organisme_members": _sides(lambda w, k: {"pk": _organisme(w, k).pk}),
    "citizen:organisme_invite": _sides(lambda w, k: {"pk": _organisme(w, k).pk}),
    "citizen:organisme_member_role": _sides(_member),
    "citizen:organisme_member_remove": _sides(_member),
    "citizen:organisme_invitation_cancel": {
        "own": _invitation("own", "own"),
        "other": _invitation("other", "other"),
        "cross": _invitation("own", "other"),
    },
    "citizen:invitation": {"own": lambda w: {"token": w.objects["invitation_tokens"]["own"]}},
    # The back office
    "backoffice:export": {"-": lambda w: {"tab": "a-traiter"}},
    "backoffice:export_download": _obj("exports"),
    "backoffice:team_agent": _sides(lambda w, k: {"pk": _agent(w, k).pk}),
    "backoffice:assign": _refs(*AGENT_DOSSIER, *BY_STATUS),
    "backoffice:add_agent": _sides(lambda w, k: {"pk": _service(w, k).pk}),
    "backoffice:remove_agent": _sides(lambda w, k: {"pk": _service(w, k).pk, "agent": _agent(w, k).pk}),
    "backoffice:teleservice": _sides(lambda w, k: {"slug": _teleservice(w, k).slug}),
    "backoffice:review": _refs(*AGENT_DOSSIER, *BY_STATUS),
    "backoffice:dossier_chart": _refs(*AGENT_DOSSIER),
    # « Libérer » the dossier in instruction, « Prendre en charge » the queued one, « Décider » during
    # a complement (agents wait): each the action its status makes the question.
    "backoffice:act": {
        kind: (lambda w, kind=kind, action=action: {"reference": w.dossiers[kind].reference, "action": action})
        for kind, action in [
            ("own_draft", "liberer"),
            ("own", "liberer"),
            ("other", "liberer"),
            ("own_queued", "prendre"),
            ("own_complement", "decider"),
        ]
    },
    "backoffice:file": _children("file_id", _file, *AGENT_DOSSIER, cross="own"),
    "backoffice:preview": _children("file_id", _file, *AGENT_DOSSIER, cross="own"),
    "backoffice:letter": _children("pk", _letter, "own_decided", "other", cross="own_decided"),
    "backoffice:send_message": _refs(*AGENT_DOSSIER),
    "backoffice:attachment": _children("pk", _attachment, "own", "other", cross="own"),
    # Experts: invited before the decision (``own_decided`` is too late); the expert is invited on
    # ``own`` only, and ``other`` has the other side's expert.
    "backoffice:invite_expert": _refs(*AGENT_DOSSIER, *BY_STATUS, "own_decided"),
    "backoffice:revoke_expert": {
        "own": _expert_access("own", "own"),
        "other": _expert_access("other", "other"),
        "cross": _expert_access("own", "other"),
    },
    "backoffice:expert_dossier": _refs(*AGENT_DOSSIER, *BY_STATUS),
    "backoffice:expert_opinion": _refs(*AGENT_DOSSIER, *BY_STATUS),
    "backoffice:expert_file": _children("file_id", _file, "own", "own_queued", "other", cross="own"),
    # The API
    "api:teleservice-detail": _sides(lambda w, k: {"pk": _teleservice(w, k).pk}),
    "api:dossier-detail": _refs(*AGENT_DOSSIER, *BY_STATUS),
    "api:dossier-messages": _refs(*AGENT_DOSSIER),
    "api:dossier-file": _children("pk", _file, "own", "other", cross="own"),
    "api:message-attachment": _children("pk", _attachment, "own", "other", cross="own"),
    "api:dossier-take": _refs(*AGENT_DOSSIER, *BY_STATUS),
    "api:dossier-release": _refs(*AGENT_DOSSIER),
    "api:dossier-assign": _refs(*AGENT_DOSSIER),
    "api:dossier-request-complement": _refs(*AGENT_DOSSIER),
    "api:dossier-decide": _refs(*AGENT_DOSSIER, *BY_STATUS),
    "api:not-found": {"-": lambda w: "/api/inexistant/"},
    # The admin (for administrators only, whatever the object)
    "admin:view_on_site": {
        "-": lambda w: {
            "content_type_id": ContentType.objects.get_for_model(w.dossiers["own"]).pk,
            "object_id": w.dossiers["own"].pk,
        }
    },
    "admin:auth_user_password_change": {"-": lambda w: {"id": w.users["applicant"].pk}},
    "admin:app_list": {"-": lambda w: "/admin/instruction/"},
    "admin/(?P<url>.*)$": {"-": lambda w: "/admin/inexistant/"},
}
_ADMIN_OBJECT = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/<path:object_id>/")


def kinds_for(route: Route) -> dict[str, Fill]:
    if route.key in KINDS:
        return KINDS[route.key]
    found = _ADMIN_OBJECT.match(route.pattern)
    if found:
        model = apps.get_model(found["app"], found["model"])
        return {"-": lambda w: {"object_id": model._default_manager.order_by("pk").first().pk}}
    if "<" in route.pattern or "(" in route.pattern:
        return {}  # a parameter nobody fills: the coverage test names the route
    return NO_OBJECT


def url_of(route: Route, fill: Fill, world: World) -> str:
    params = fill(world)
    if isinstance(params, str):
        return params
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(params[m.group(1)]), route.pattern)
    return "/" + path


# --- The table -------------------------------------------------------------------------------


def read_table(path: Path = TABLE) -> tuple[list[str], dict[tuple[str, str, str], dict[str, str]]]:
    """(actor columns, {(route, method, object): {actor: expected}}) from the Markdown tables."""
    columns: list[str] | None = None
    rows: dict[tuple[str, str, str], dict[str, str]] = {}
    head, marker, body = path.read_text().partition(MARKER)
    if not marker:
        raise AssertionError(f"{path.name}: the marker line {MARKER!r} is missing")
    first = head.count("\n") + 1
    for number, line in enumerate(body.splitlines(), start=first):
        if not line.startswith("|"):
            continue
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if set("".join(cells)) <= set("-: "):
            continue
        if tuple(cells[:3]) == FIXED:
            if columns is not None and cells[3:] != columns:
                raise AssertionError(f"{path.name}:{number}: columns differ from the first table's")
            columns = cells[3:]
            continue
        if columns is None or len(cells) != len(columns) + 3:
            raise AssertionError(
                f"{path.name}:{number}: a row of {len(cells)} cells, expected {len(FIXED) + len(columns or [])}"
            )
        key = (cells[0], cells[1], cells[2])
        if key in rows:
            raise AssertionError(f"{path.name}:{number}: row {key} appears twice")
        rows[key] = dict(zip(columns, cells[3:], strict=True))
    return columns or [], rows
