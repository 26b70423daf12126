"""Helpers of the API tests: a client sending a bearer token and JSON, tokens, problem checks."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from api.models import ApiToken


class ApiClient:
    """Django's test client with a bearer token and JSON bodies."""

    def __init__(self, key: str | None) -> None:
        self.client = Client()
        self.key = key

    def _headers(self, headers: dict[str, str]) -> dict[str, str]:
        if self.key is not None:
            headers = {"Authorization": f"Bearer {self.key}", **headers}
        return headers

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(path, params or {}, headers=self._headers(headers))

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        raw: str | None = None,
        content_type: str = "application/json",
        **headers: str,
    ) -> Any:
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return self.client.post(path, data, content_type=content_type, headers=self._headers(headers))


def token_for(user: Any, *scopes: str, **kwargs: Any) -> str:
    _token, key = ApiToken.issue(user, name="test", scopes=list(scopes or ("read", "instruct")), **kwargs)
    return key


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == status
    assert "/api/problemes/#" in body["type"]
    return body
