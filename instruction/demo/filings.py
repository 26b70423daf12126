"""What each demo dossier holds: the form data per téléservice, and the dossiers of the demo
(who files, for which child, to which status). Every téléservice has dossiers in several
statuses, with messages, complements and decisions, so that every list and chart shows some."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from instruction.demo.steps import Filing
from instruction.models import Dossier, FoyerMember

DataBuilder = Callable[[Dossier, list[FoyerMember], dict[str, Any]], dict[str, Any]]


def _in_days(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _foyer_data(dossier: Dossier, children: list[FoyerMember]) -> dict[str, Any]:
    foyer = dossier.foyer
    assert foyer is not None and children  # noqa: S101 - demo data is ours
    return {"beneficiary": str(children[0].pk), "quotient_familial": str(foyer.quotient_familial), "certify": "on"}


def pack_jeunes(dossier: Dossier, children: list[FoyerMember], extra: dict[str, Any]) -> dict[str, Any]:
    foyer = dossier.foyer
    assert foyer is not None  # noqa: S101 - demo data is ours
    data = {**_foyer_data(dossier, children), "aid": "logement", "engagement": "aucun"}
    if extra.get("aid") == "permis":
        data.update(
            driving_school="Auto-école du Centre",
            driving_school_commune=foyer.commune,
            registration_date=_in_days(-45),
            permis_cost="1450",
        )
    else:
        data.update(
            housing_address="12 avenue Aristide Briand",
            housing_postal_code=foyer.postal_code,
            housing_commune=foyer.commune,
            move_in_date=_in_days(20),
            monthly_rent="420",
        )
    return {**data, **extra}


def afde(dossier: Dossier, children: list[FoyerMember], extra: dict[str, Any]) -> dict[str, Any]:
    student = children[0]
    age = timezone.localdate().year - student.birth_date.year
    return {
        **_foyer_data(dossier, children),
        "bac_year": str(student.birth_date.year + 18),
        "establishment": "Université de Franche-Comté, Besançon",
        "course": "Licence de biologie" if age < 21 else "Master de génie civil",
        "year_of_study": str(max(1, min(5, age - 18))),
        **extra,
    }


def bds(dossier: Dossier, children: list[FoyerMember], extra: dict[str, Any]) -> dict[str, Any]:
    foyer = dossier.foyer
    assert foyer is not None  # noqa: S101 - demo data is ours
    return {**_foyer_data(dossier, children), "school": f"Lycée de {foyer.commune}", **extra}


def mille_semaines_familles(dossier: Dossier, children: list[FoyerMember], extra: dict[str, Any]) -> dict[str, Any]:
    foyer = dossier.foyer
    assert foyer is not None  # noqa: S101 - demo data is ours
    stays = [
        ("Ligue de l'enseignement 70", "Champagney", 2),
        ("Les Francas de Haute-Saône", "Ronchamp", 1),
        ("Centre de vacances Les Mille Étangs", "Servance-Miellin", 3),
    ]
    rows = [
        {"child": str(child.pk), "organiser": organiser, "commune": commune, "first_day": _in_days(35 + 7 * i)}
        | {"weeks": str(weeks)}
        for i, (child, (organiser, commune, weeks)) in enumerate(zip(children, stays, strict=False))
    ]
    return {"quotient_familial": str(foyer.quotient_familial), "children": rows, "certify": "on", **extra}


def mille_semaines_collectives(dossier: Dossier, children: list[FoyerMember], extra: dict[str, Any]) -> dict[str, Any]:
    start = timezone.localdate() + dt.timedelta(days=50)
    return {
        "stay_name": "Séjour nature au plateau des Mille Étangs",
        "place": "Centre de la Planche des Belles Filles",
        "commune": "Plancher-les-Mines",
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=13)).isoformat(),
        "children": "24",
        "weeks": "2",
        "certify": "on",
        **extra,
    }


def palmares(dossier: Dossier, children: list[FoyerMember], extra: dict[str, Any]) -> dict[str, Any]:
    organisme = dossier.organisme
    assert organisme is not None  # noqa: S101 - demo data is ours
    return {
        "population_category": "moins_1000",
        "current_label": "aucun",
        "contact_name": "Service des espaces verts",
        "contact_phone": "03 84 00 00 00",
        "actions": f"{organisme.commune} fleurit ses entrées de village, son lavoir et la place de la mairie ; "
        "les habitants participent au concours des maisons fleuries.",
        "certify": "on",
        **extra,
    }


FORM_DATA: dict[str, DataBuilder] = {
    "pack_jeunes": pack_jeunes,
    "afde": afde,
    "bds": bds,
    "mille_semaines_familles": mille_semaines_familles,
    "mille_semaines_collectives": mille_semaines_collectives,
    "palmares": palmares,
}

BAIL = "Bonjour, le bail transmis n'est pas signé. Merci de joindre le bail signé par les deux parties."
VISIT = {"population_category": "1000_3000", "current_label": "1"}
# Filing.child names the beneficiary (a first name of the foyer), or the children of a
# 1000 Semaines dossier separated by commas.
FILINGS: dict[str, list[Filing]] = {
    "pack_jeunes": [
        Filing("citoyen@demo.test", "complement", "Léa", message=BAIL, motivation="Merci de joindre le bail signé."),
        Filing(
            "lucas.bernard@demo.test",
            "awaiting_validation",
            "Emma",
            amount="600",
            motivation="Premier logement à Gray, quotient familial de 280 € : majoration de 50 %.",
            data={"engagement": "jsp"},
        ),
        Filing("nadia.roux@demo.test", "transmitted", "Théo", data={"aid": "permis"}),
        Filing("hugo.faivre@demo.test", "in_instruction", "Inès", data={"aid": "permis"}),
        Filing("julien.vuillemot@demo.test", "accepted", "Noah"),
        Filing(
            "mathieu.girardot@demo.test",
            "rejected",
            "Lucie",
            motivation="Le logement est situé hors du département : l'aide ne peut être accordée.",
        ),
        Filing("sandrine.petit@demo.test", "answered", "Chloé", data={"aid": "permis"}),
        Filing("olivier.mougin@demo.test", "draft", "Paul"),
    ],
    "afde": [
        Filing("lucas.bernard@demo.test", "accepted", "Emma"),
        Filing("nadia.roux@demo.test", "in_instruction", "Théo"),
        Filing("hugo.faivre@demo.test", "transmitted", "Inès"),
        Filing(
            "sandrine.petit@demo.test",
            "rejected",
            "Chloé",
            motivation="Le certificat de scolarité concerne une formation qui ne relève pas de l'enseignement "
            "supérieur : l'allocation ne peut être accordée.",
        ),
        Filing(
            "olivier.mougin@demo.test",
            "closed",
            "Paul",
            motivation="Le demandeur a renoncé à sa demande par message du 3 novembre.",
        ),
        Filing(
            "julien.vuillemot@demo.test",
            "complement",
            "Noah",
            message="Bonjour, le certificat de scolarité joint date de l'an dernier.",
            motivation="Merci de joindre le certificat de scolarité de cette année universitaire.",
        ),
    ],
    "bds": [
        Filing("citoyen@demo.test", "accepted", "Hugo", data={"class_level": "2nde"}),
        Filing("lucas.bernard@demo.test", "answered", "Nathan", data={"class_level": "6e"}),
        Filing("sandrine.petit@demo.test", "transmitted", "Louis", data={"class_level": "1re_pro"}),
        Filing("aurelie.cuenot@demo.test", "in_instruction", "Tom", data={"class_level": "4e"}),
        Filing("nadia.roux@demo.test", "draft", "Manon", data={"class_level": "6e"}),
    ],
    "mille_semaines_familles": [
        Filing("citoyen@demo.test", "transmitted", "Hugo, Jade"),
        Filing(
            "nadia.roux@demo.test",
            "complement",
            "Manon",
            motivation="Merci de joindre l'attestation d'inscription au séjour signée par l'organisateur.",
        ),
        Filing("sandrine.petit@demo.test", "accepted", "Louis, Zoé"),
        Filing("claire.jacquot@demo.test", "in_instruction", "Maël, Rose"),
        Filing("aurelie.cuenot@demo.test", "answered", "Sarah, Tom"),
    ],
    "mille_semaines_collectives": [
        Filing("francas@demo.test", "accepted"),
        Filing("centre@demo.test", "in_instruction", data={"stay_name": "Colonie des Mille Étangs", "children": "30"}),
        Filing(
            "francas@demo.test",
            "complement",
            data={"stay_name": "Mini-camp au lac de Vesoul-Vaivre", "commune": "Vaivre-et-Montoille", "weeks": "1"},
            motivation="Merci de joindre le budget prévisionnel du séjour.",
        ),
        Filing("centre@demo.test", "transmitted", data={"stay_name": "Séjour équitation", "children": "12"}),
    ],
    "palmares": [
        # Gy (mairie@demo.test) has not registered yet: its mayor can do it by hand.
        Filing("mairie.scey@demo.test", "transmitted", data=VISIT),
        Filing(
            "mairie.rioz@demo.test",
            "ranked",
            prize="premier",
            motivation="Très belle mise en valeur du bourg.",
            data={"population_category": "1000_3000", "current_label": "2"},
        ),
        Filing("mairie.marnay@demo.test", "visit_scheduled", data={"population_category": "1000_3000"}),
        Filing("mairie.pesmes@demo.test", "awaiting_ranking"),
        Filing(
            "mairie.villersexel@demo.test",
            "closed",
            data=VISIT,
            motivation="La commune a retiré son inscription par délibération du conseil municipal.",
        ),
    ],
}
