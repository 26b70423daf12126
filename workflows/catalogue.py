"""The six téléservices of the demo catalogue (CATALOGUE.md), as each module describes itself.

Each ``workflows/<module>/catalogue.py`` defines ``ENTRY``: the fields of its ``Teleservice``
row (slug, code, title, fiche, audience, category, processing_days, flow_class_path, and
optionally validation_threshold, opens_on…), except the instructing service. ``seed_demo`` and
the tests create the téléservices from these entries."""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string

MODULES = (
    "pack_jeunes",
    "afde",
    "bds",
    "mille_semaines_familles",
    "mille_semaines_collectives",
    "palmares",
)


def entries() -> dict[str, dict[str, Any]]:
    """Module name → its téléservice's fields."""
    return {name: dict(import_string(f"workflows.{name}.catalogue.ENTRY")) for name in MODULES}


def module_of(teleservice: Any) -> str:
    """``workflows.pack_jeunes.flow.PackJeunesFlow`` → ``pack_jeunes``."""
    return str(teleservice.flow_class_path).split(".")[1]
