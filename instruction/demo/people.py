"""The people of the demo: households of the département with children of various ages, and
organismes (communes, an association, a holiday centre). Fixed names and birthdays relative to
today, so that each child stays in the age range of the aid it illustrates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from instruction.siret import luhn_is_valid


@dataclass(frozen=True)
class Child:
    civility: str
    first_name: str
    age: int
    # Days after today of the next birthday (so the age holds whatever the season).
    birthday_in: int = 40


@dataclass(frozen=True)
class Household:
    email: str
    first_name: str
    last_name: str
    civility: str
    address: str
    commune: str
    postal_code: str
    quotient_familial: int
    children: tuple[Child, ...]


@dataclass(frozen=True)
class Structure:
    email: str
    first_name: str
    last_name: str
    kind: str
    name: str
    siren: str
    address: str
    commune: str
    postal_code: str


HOUSEHOLDS = (
    Household(
        "citoyen@demo.test",
        "Camille",
        "Martin",
        "mme",
        "4 rue Gérôme",
        "Vesoul",
        "70000",
        450,
        (Child("mme", "Léa", 19), Child("m", "Hugo", 15), Child("mme", "Jade", 8)),
    ),
    Household(
        "lucas.bernard@demo.test",
        "Lucas",
        "Bernard",
        "m",
        "17 Grande Rue",
        "Gray",
        "70100",
        280,
        (Child("mme", "Emma", 20), Child("m", "Nathan", 12)),
    ),
    Household(
        "nadia.roux@demo.test",
        "Nadia",
        "Roux",
        "mme",
        "2 rue des Jardins",
        "Lure",
        "70200",
        820,
        (Child("m", "Théo", 23), Child("mme", "Manon", 10)),
    ),
    Household(
        "hugo.faivre@demo.test",
        "Hugo",
        "Faivre",
        "m",
        "9 avenue des Thermes",
        "Luxeuil-les-Bains",
        "70300",
        610,
        (Child("mme", "Inès", 18),),
    ),
    Household(
        "sandrine.petit@demo.test",
        "Sandrine",
        "Petit",
        "mme",
        "31 rue du Général-de-Gaulle",
        "Héricourt",
        "70400",
        350,
        (Child("mme", "Chloé", 21), Child("m", "Louis", 16), Child("mme", "Zoé", 6)),
    ),
    Household(
        "olivier.mougin@demo.test",
        "Olivier",
        "Mougin",
        "m",
        "5 place de la République",
        "Jussey",
        "70500",
        950,
        (Child("m", "Paul", 24), Child("mme", "Lina", 14)),
    ),
    Household(
        "claire.jacquot@demo.test",
        "Claire",
        "Jacquot",
        "mme",
        "12 rue de la Fontaine",
        "Champlitte",
        "70600",
        180,
        (Child("m", "Maël", 9), Child("mme", "Rose", 5)),
    ),
    Household(
        "mathieu.girardot@demo.test",
        "Mathieu",
        "Girardot",
        "m",
        "7 chemin des Vignes",
        "Rioz",
        "70190",
        1100,
        (Child("mme", "Lucie", 19),),
    ),
    Household(
        "aurelie.cuenot@demo.test",
        "Aurélie",
        "Cuenot",
        "mme",
        "22 quai Yves-Barbier",
        "Port-sur-Saône",
        "70170",
        520,
        (Child("m", "Tom", 13), Child("mme", "Sarah", 11)),
    ),
    Household(
        "julien.vuillemot@demo.test",
        "Julien",
        "Vuillemot",
        "m",
        "3 rue des Cerisiers",
        "Fougerolles",
        "70220",
        700,
        (Child("m", "Noah", 22),),
    ),
)

STRUCTURES = (
    Structure(
        "mairie@demo.test",
        "Bernard",
        "Vuillemin",
        "commune",
        "Commune de Gy",
        "21700282500016",
        "Place de l'Hôtel de Ville",
        "Gy",
        "70700",
    ),
    Structure(
        "mairie.rioz@demo.test",
        "Isabelle",
        "Grandjean",
        "commune",
        "Commune de Rioz",
        "217004441",
        "1 place de la Mairie",
        "Rioz",
        "70190",
    ),
    Structure(
        "mairie.marnay@demo.test",
        "Pascal",
        "Courtot",
        "commune",
        "Commune de Marnay",
        "217003310",
        "Place Villeneuve",
        "Marnay",
        "70150",
    ),
    Structure(
        "mairie.scey@demo.test",
        "Nathalie",
        "Chevalier",
        "commune",
        "Commune de Scey-sur-Saône-et-Saint-Albin",
        "217004789",
        "1 rue de la Mairie",
        "Scey-sur-Saône-et-Saint-Albin",
        "70360",
    ),
    Structure(
        "mairie.pesmes@demo.test",
        "Hélène",
        "Lambert",
        "commune",
        "Commune de Pesmes",
        "217004060",
        "2 rue Jacques Prévost",
        "Pesmes",
        "70140",
    ),
    Structure(
        "mairie.villersexel@demo.test",
        "Didier",
        "Maire",
        "commune",
        "Commune de Villersexel",
        "217005505",
        "Place de la Mairie",
        "Villersexel",
        "70110",
    ),
    Structure(
        "francas@demo.test",
        "Karima",
        "Belkacem",
        "association",
        "Les Francas de Haute-Saône",
        "778812345",
        "14 rue de la Mutualité",
        "Vesoul",
        "70000",
    ),
    Structure(
        "centre@demo.test",
        "Yannick",
        "Perrot",
        "centre_vacances",
        "Centre de vacances Les Mille Étangs",
        "443219876",
        "Route des Étangs",
        "Ronchamp",
        "70250",
    ),
)


def birth_date(child: Child) -> dt.date:
    """Born so as to be ``age`` today, with a birthday ``birthday_in`` days ahead."""
    next_birthday = timezone.localdate() + dt.timedelta(days=child.birthday_in)
    try:
        return next_birthday.replace(year=next_birthday.year - child.age - 1)
    except ValueError:  # 29 February
        return next_birthday.replace(year=next_birthday.year - child.age - 1, day=28)


def siret_of(siren: str) -> str:
    """The head office's SIRET (NIC 0001x) with a valid Luhn check digit (a full SIRET as is)."""
    if len(siren) == 14:
        return siren
    for last in range(10):
        candidate = f"{siren}0001{last}"
        if luhn_is_valid(candidate):
            return candidate
    raise ValueError(siren)  # unreachable: one of ten digits always completes a Luhn sum
