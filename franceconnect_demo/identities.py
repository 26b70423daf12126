"""The fictitious identities the demonstration provider offers: FranceConnect's classic integration
test identities (names, birth dates and places as on its integration platform), with ``sub`` values
and e-mail addresses of our own (``exemple.test``: nothing is ever sent to a real mailbox).

Pure data: the demo banner reads it without importing Flask or authlib."""

from __future__ import annotations

from typing import Any

COUNTRIES = {"99100": "France"}
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip

IDENTITIES: tuple[dict[str, Any], ...] = (
    {
        "sub": "b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1",
        "given_name": "Angela Claire Louise",
        "family_name": "DUBOIS",
        "birthdate": "1962-08-24",
        "gender": "female",
        "birthplace": "75107",
        "birthcountry": "99100",
        "preferred_username": "",
        "email": "angela.dubois@exemple.test",
    },
    {
        "sub": "5d35a8fc4c53549e7c30fc1637e7ea7719771874b448f7dad2487b99e64adfeav1",
        "given_name": "Pierre",
        "family_name": "MERCIER",
        "birthdate": "1969-03-17",
        "gender": "male",
        "birthplace": "95277",
        "birthcountry": "99100",
        "preferred_username": "DUBOIS",
        "email": "pierre.mercier@exemple.test",
    },
    {
        "sub": "9afc573bfd6baf9ca26a20af87b13035d47effae22ec79065f9a950938edea7bv1",
        "given_name": "Melissandre Juliette",
        "family_name": "TROIS-DUPRE",
        "birthdate": "1981-07-27",
        "gender": "female",
        "birthplace": "13012",
        "birthcountry": "99100",
        "preferred_username": "",
        "email": "melissandre.trois-dupre@exemple.test",
    },
)


def identities() -> list[dict[str, Any]]:
    """Fresh copies, so a caller may change them."""
    return [dict(identity) for identity in IDENTITIES]


def find(sub: str) -> dict[str, Any] | None:
    return next((dict(identity) for identity in IDENTITIES if identity["sub"] == sub), None)


def full_name(identity: dict[str, Any]) -> str:
    return f"{identity['given_name']} {identity['family_name']}"


def french_date(iso: str) -> str:
    """« 24 août 1962 » for ``1962-08-24``; the value itself when it is not such a date."""
    try:
        year, month, day = (int(part) for part in iso.split("-"))
        return f"{'1er' if day == 1 else day} {MONTHS[month - 1]} {year}"
    except (ValueError, IndexError):
        return iso


def summary(identity: dict[str, Any]) -> str:
    """One line: « Angela Claire Louise DUBOIS, née le 24 août 1962 »."""
    born = "née" if identity.get("gender") == "female" else "né"
    return f"{full_name(identity)}, {born} le {french_date(str(identity.get('birthdate', '')))}"
