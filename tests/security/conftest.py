"""The API's client fixture, for the antivirus tests that download through the API too."""

from tests.api.conftest import api  # noqa: F401
