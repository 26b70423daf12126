"""The API under schemathesis, as in tests/api/test_schemathesis.py, with one more rule: a refused
request (4xx) changes nothing in the database or the storage. Each generated case runs in a
savepoint rolled back afterwards, so that every case meets the same dossiers (one accepted
« take » does not turn the next cases into refusals of a taken dossier)."""

from __future__ import annotations

from typing import Any

import schemathesis
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from instruction import actions
from instruction.models import DossierFile, MessageAttachment
from tests.api.helpers import token_for
from tests.api.test_schemathesis import CHECKS, operations, wsgi_app  # noqa: F401
from tests.factories import filed_dossier, pdf_upload
from tests.security.snapshot import Snapshot

EXAMPLES_PER_OPERATION = 15
# A valid key's last use is recorded on every request it makes, refused or not.
WRITTEN_BY_DESIGN = frozenset({"api_apitoken"})


class RolledBack(Exception):
    pass


def test_fuzz_api_refused_requests_change_nothing(cast, wsgi_app):  # noqa: F811
    """Every operation, generated cases (half aimed at real dossiers, files and attachments): no
    5xx, answers as the schema says, and each 4xx leaves the database and the storage as they were."""
    cache.clear()
    queued = filed_dossier(cast.teleservice, cast.applicant)
    taken = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(taken, acting_user=cast.agent)
    actions.send_message(taken, acting_user=cast.applicant, body="Voici le bail.", files=[pdf_upload("bail.pdf")])
    real = {
        "reference": [queued.reference, taken.reference],
        "id": [
            cast.teleservice.pk,
            *DossierFile.objects.values_list("pk", flat=True),
            *MessageAttachment.objects.values_list("pk", flat=True),
        ],
    }
    headers = {"Authorization": f"Bearer {token_for(cast.agent, 'read', 'instruct')}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    refused: list[tuple[str, int]] = []

    for operation in operations(schema):

        @given(case=operation.as_strategy(), data=st.data())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any, data: Any) -> None:
            for name, values in real.items():
                if case.path_parameters and name in case.path_parameters and data.draw(st.booleans()):
                    case.path_parameters[name] = data.draw(st.sampled_from(values))
            try:
                with transaction.atomic():
                    before = Snapshot.take()
                    response = case.call(headers=headers)
                    case.validate_response(response, checks=CHECKS)
                    if 400 <= response.status_code < 500:
                        changes = Snapshot.take().changes_since(before, WRITTEN_BY_DESIGN)
                        assert not changes, (case.method, case.formatted_path, response.status_code, changes)
                        refused.append((case.method, response.status_code))
                    raise RolledBack
            except RolledBack:
                pass

        run()

    assert len(refused) > 50
    assert any(method == "POST" for method, _status in refused)
