"""SIRET numbers: 14 digits (the SIREN of the company, then the establishment's number).

The last digit is a Luhn check digit, except for La Poste (SIREN 356000000): its establishments
outnumber what one check digit can tell apart, so INSEE numbers them so that the sum of the 14
digits is a multiple of 5. Its head office, 356 000 000 00048, predates that rule and is Luhn-valid.
"""

from __future__ import annotations

import re

LA_POSTE_SIREN = "356000000"
LA_POSTE_HEAD_OFFICE = "35600000000048"

_SEPARATORS = re.compile(r"[\s.\-]")


def normalize_siret(value: str) -> str:
    """What a person types, without the spaces, dots or dashes often copied from a Kbis."""
    return _SEPARATORS.sub("", value or "")


def luhn_is_valid(digits: str) -> bool:
    total = 0
    # From the right, every second digit is doubled (and 9 taken off when above 9).
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def is_valid_siret(value: str) -> bool:
    """True for 14 digits with a correct check (Luhn, or La Poste's sum of digits)."""
    if not re.fullmatch(r"\d{14}", value):
        return False
    if value.startswith(LA_POSTE_SIREN) and value != LA_POSTE_HEAD_OFFICE:
        return sum(int(char) for char in value) % 5 == 0
    return luhn_is_valid(value)
