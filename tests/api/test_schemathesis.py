"""schemathesis over the whole schema, in-process against the WSGI application, with a valid
agent token: no 5xx, and every answer (status, content type, headers, body) conforms to the
schema. Half the cases aim at real dossiers so that the actions run, not only their 404s."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from instruction import actions
from instruction.models import DossierFile, MessageAttachment
from tests.api.helpers import token_for
from tests.factories import filed_dossier, pdf_upload

EXAMPLES_PER_OPERATION = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_app(settings: Any) -> Any:
    """The real WSGI application, minus what would close the test's database connection (and
    with it its transaction) at the end of each request, as Django's test client does."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.API_RATE_LIMIT = "100000/minute"
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    application = get_wsgi_application()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        # A WSGI server closes the response (and the file a download streams); the test client does not.
        result = application(environ, start_response)
        try:
            return [b"".join(result)]
        finally:
            result.close()

    yield app
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def test_schemathesis_whole_schema(cast, wsgi_app):
    """Every operation of the schema, EXAMPLES_PER_OPERATION generated cases each, as the agent in charge."""
    queued = filed_dossier(cast.teleservice, cast.applicant)
    taken = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(taken, acting_user=cast.agent)
    actions.send_message(taken, acting_user=cast.applicant, body="Voici le bail.", files=[pdf_upload("bail.pdf")])
    real = {
        "reference": [queued.reference, taken.reference],
        # téléservices, files and attachments: each operation finds some of them
        "id": [
            cast.teleservice.pk,
            *DossierFile.objects.values_list("pk", flat=True),
            *MessageAttachment.objects.values_list("pk", flat=True),
        ],
    }
    headers = {"Authorization": f"Bearer {token_for(cast.agent, 'read', 'instruct')}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    tested = operations(schema)
    assert len(tested) == 14

    for operation in tested:

        @given(case=operation.as_strategy(), data=st.data())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any, data: Any) -> None:
            for name, values in real.items():
                if case.path_parameters and name in case.path_parameters and data.draw(st.booleans()):
                    case.path_parameters[name] = data.draw(st.sampled_from(values))
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        run()
