"""Full-text search of dossiers: French stemming, accents ignored, refreshed by the actions."""

from __future__ import annotations

from instruction.models import Dossier
from instruction.search import refresh_search_vector, search_query
from tests.factories import filed_dossier


def _found(text):
    return set(Dossier.objects.filter(search_vector=search_query(text)).values_list("reference", flat=True))


def test_search_finds_reference_applicant_beneficiary_commune_ignoring_accents(cast):
    """Reference, names and communes are found whatever the accents and case typed."""
    cast.applicant.last_name = "Lefèvre"
    cast.applicant.save()
    foyer = cast.applicant.foyer
    foyer.commune = "Héricourt"
    foyer.save()
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    other = filed_dossier(cast.teleservice, cast.other_citizen)
    refresh_search_vector([dossier.pk, other.pk])
    beneficiary = foyer.members.get()
    assert _found(dossier.reference) == {dossier.reference}
    assert dossier.reference in _found("lefevre")
    assert dossier.reference in _found("HERICOURT")
    assert dossier.reference in _found(beneficiary.first_name.lower())
    assert other.reference not in _found("lefevre")
