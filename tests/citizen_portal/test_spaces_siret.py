"""The SIRET check: 14 digits, a Luhn key, and La Poste's exception."""

from __future__ import annotations

import pytest

from instruction.siret import is_valid_siret, luhn_is_valid, normalize_siret


@pytest.mark.parametrize("value", ["73282932000074", "21700550300016"])
def test_siret_luhn_key_correct_is_valid(value):
    """A SIRET whose Luhn key is right is accepted."""
    assert luhn_is_valid(value) and is_valid_siret(value)


@pytest.mark.parametrize("value", ["73282932000075", "12345678901234"])
def test_siret_luhn_key_wrong_is_invalid(value):
    """One wrong digit breaks the key."""
    assert not is_valid_siret(value)


@pytest.mark.parametrize("value", ["7328293200007", "732829320000741", "7328293200007A", ""])
def test_siret_not_fourteen_digits_is_invalid(value):
    """Only 14 digits make a SIRET."""
    assert not is_valid_siret(value)


def test_siret_la_poste_digit_sum_multiple_of_five_is_valid():
    """La Poste's establishments are checked on the sum of their digits, not on Luhn."""
    value = "35600000049837"
    assert not luhn_is_valid(value) and sum(map(int, value)) % 5 == 0
    assert is_valid_siret(value)


def test_siret_la_poste_digit_sum_not_multiple_of_five_is_invalid():
    """A La Poste number whose digit sum is not a multiple of 5 is refused, even Luhn-valid."""
    value = next(f"3560000004983{d}" for d in "0123456789" if luhn_is_valid(f"3560000004983{d}"))
    assert sum(map(int, value)) % 5 != 0
    assert not is_valid_siret(value)


def test_siret_la_poste_head_office_is_valid():
    """La Poste's head office keeps its Luhn key."""
    assert is_valid_siret("35600000000048")


def test_normalize_siret_anonymous_strips_separators():
    """Spaces, dots and dashes copied from a document are ignored."""
    assert normalize_siret(" 732 829.320-00074 ") == "73282932000074"
