"""The OpenAPI document tells a generated client every status and media type it will meet."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

PROBLEM = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_every_api_operation_declares_its_errors_as_problem_json(document: dict[str, Any]) -> None:
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            errors = {code: r for code, r in operation["responses"].items() if code.startswith("4")}
            if path.startswith("/api/v1/") and "401" not in errors:
                missing.append(f"{method.upper()} {path}: no 401")
            for code, response in errors.items():
                if response.get("content") != {"application/problem+json": {"schema": PROBLEM}}:
                    missing.append(f"{method.upper()} {path}: {code} is not problem+json")
    assert not missing, "\n".join(missing)


def test_the_problem_schema_has_the_rfc_9457_fields(document: dict[str, Any]) -> None:
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "instance"} <= set(problem["required"])


def test_a_resource_route_declares_404_and_a_write_409(document: dict[str, Any]) -> None:
    read = document["paths"]["/api/v1/subjects/{subject_id}"]["get"]["responses"]
    assert {"200", "401", "403", "404", "422"} <= set(read)
    write = document["paths"]["/api/v1/subjects/{subject_id}/erase"]["post"]["responses"]
    assert {"401", "403", "404", "409", "422"} <= set(write)


def test_files_are_declared_with_their_media_types(document: dict[str, Any]) -> None:
    letter = document["paths"]["/api/v1/requests/{case_id}/letter.pdf"]["get"]["responses"]["200"]
    assert list(letter["content"]) == ["application/pdf"]
    ledger = document["paths"]["/api/v1/datamap/ledger"]["get"]["responses"]["200"]
    assert "text/csv" in ledger["content"]


def test_the_schema_carries_the_limits_the_server_enforces(document: dict[str, Any]) -> None:
    audit = document["paths"]["/api/v1/audit"]["get"]["parameters"]
    after = next(p for p in audit if p["name"] == "after")
    assert after["schema"]["maximum"] == 2**63 - 1
    identifier = document["components"]["schemas"]["IdentifierIn"]["properties"]
    assert set(identifier["kind"]["enum"]) == {
        "email", "phone", "member_number", "employee_number", "shareholder_number",
    }  # fmt: skip
