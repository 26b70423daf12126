"""Full-text search over dossiers for the agents' lists: French stemming, accents ignored.

The vector is written from SQL joins (reference, applicant, beneficiary, foyer or organisme
commune and name, the housing commune of the form) by the actions that change those values."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery
from django.db import connection

CONFIG = "french_unaccent"

_REFRESH = """
UPDATE instruction_dossier d SET search_vector =
    setweight(to_tsvector('simple', d.reference), 'A') ||
    setweight(to_tsvector('french_unaccent', coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '') || ' '
        || coalesce(u.email, '')), 'B') ||
    setweight(to_tsvector('french_unaccent', coalesce(m.first_name, '') || ' ' || coalesce(m.last_name, '')), 'B') ||
    setweight(to_tsvector('french_unaccent', coalesce(o.name, '') || ' ' || coalesce(o.commune, '') || ' '
        || coalesce(f.commune, '') || ' ' || coalesce(d.data ->> 'housing_commune', '')), 'C')
FROM permissions_user u, instruction_dossier d2
LEFT JOIN instruction_foyermember m ON m.id = d2.beneficiary_id
LEFT JOIN instruction_foyer f ON f.id = d2.foyer_id
LEFT JOIN instruction_organisme o ON o.id = d2.organisme_id
WHERE d2.id = d.id AND u.id = d.applicant_id AND d.id = ANY(%s)
"""


def refresh_search_vector(dossier_ids: Iterable[int]) -> None:
    ids = list(dossier_ids)
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(_REFRESH, [ids])


def search_query(text: str) -> SearchQuery:
    """What an agent types: words (prefixes allowed) all required, accents and case ignored."""
    return SearchQuery(text, config=CONFIG, search_type="websearch")
