"""/api/docs/: the API's documentation page, rendered on the server from the OpenAPI schema that
drf-spectacular generates (the same one /api/schema/ serves), in French, accessible (one page
of headings, lists and tables, no script). Interactive explorers (Swagger UI and the like) are
not served: they fail axe-core (nested controls, contrast); any of them can load /api/schema/."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


@cache
def _schema() -> dict[str, Any]:
    """The schema does not change while the process runs (generated from the code)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def _fields(schema: dict[str, Any], body: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The top-level fields of a JSON body: name, type, required, description."""
    if not body:
        return []
    content = body.get("content", {}).get("application/json", {}).get("schema")
    if not content:
        return []
    node = _resolve(schema, content)
    required = set(node.get("required", []))
    fields = []
    for name, prop in node.get("properties", {}).items():
        prop = _resolve(schema, prop) if "$ref" in prop else prop
        kind = prop.get("type") or ("enum" if "enum" in prop else "")
        if "enum" in prop:
            kind = " | ".join(str(v) for v in prop["enum"] if v not in ("", None))
        fields.append(
            {"name": name, "type": kind, "required": name in required, "description": prop.get("description", "")}
        )
    return fields


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            operations.append(
                {
                    "anchor": operation.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "tag": (operation.get("tags") or [""])[0],
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p.get("in", ""),
                            "required": p.get("required", False),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "body": _fields(schema, operation.get("requestBody")),
                    "responses": [
                        {"status": status, "description": response.get("description", "")}
                        for status, response in operation.get("responses", {}).items()
                    ],
                }
            )
    return operations


def api_docs(request: HttpRequest) -> HttpResponse:
    schema = _schema()
    return render(
        request,
        "api/docs.html",
        {"info": schema.get("info", {}), "operations": _operations(schema)},
    )
