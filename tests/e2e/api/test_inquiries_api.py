"""The inquiries API: problem+json on bad input with nothing written, the lifecycle, the report."""

from __future__ import annotations

from fastapi.testclient import TestClient

COMPLAINT = {
    "channel": "phone",
    "language": "ja",
    "category": "complaint",
    "message": "店舗での説明が不十分でした。",
    "name": "山田 花子",
    "email": "hanako@example.jp",
}


def _auth(tokens: dict[str, str], role: str = "agent") -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[role]}"}


def test_log_assign_answer_close_and_report(client: TestClient, tokens: dict[str, str]) -> None:
    headers = _auth(tokens)
    created = client.post("/api/v1/inquiries", json=COMPLAINT, headers=headers)
    assert created.status_code == 201, created.text
    inquiry = created.json()
    assert inquiry["state"] == "new"
    assert "山田" not in created.text  # the plain view carries no personal data
    base = f"/api/v1/inquiries/{inquiry['id']}"
    assert (
        client.post(f"{base}/assign", json={"assignee": "agent"}, headers=headers).json()["state"]
        == "assigned"
    )
    answered = client.post(
        f"{base}/replies", json={"answer": "ご指摘を店舗と共有しました。"}, headers=headers
    )
    assert answered.status_code == 201, answered.text
    assert answered.json()["state"] == "answered"
    thread = client.get(f"{base}/thread", headers=_auth(tokens, "auditor"))
    assert thread.status_code == 200
    assert thread.json()["name"] == "山田 花子"
    assert "山田 花子" in thread.text  # JSON keeps Japanese as characters
    assert [m["direction"] for m in thread.json()["messages"]] == ["in", "out"]
    assert client.post(f"{base}/close", json={}, headers=headers).json()["state"] == "closed"
    report = client.get(
        "/api/v1/inquiries/reports/complaints?start=2020-01-01&end=2099-12-31", headers=headers
    )
    assert report.json()["complaints"] == 1
    by_ref = client.get(f"/api/v1/inquiries/by-reference/{inquiry['reference']}", headers=headers)
    assert by_ref.json()["id"] == inquiry["id"]


def test_bad_input_is_problem_json_naming_the_fields(client: TestClient, tokens: dict[str, str]) -> None:
    headers = _auth(tokens)
    bad = {**COMPLAINT, "message": "", "language": "fr"}
    response = client.post("/api/v1/inquiries", json=bad, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert {e["field"] for e in response.json()["errors"]} == {"message", "language"}
    assert client.get("/api/v1/inquiries", headers=headers).json() == []


def test_an_illegal_transition_is_409(client: TestClient, tokens: dict[str, str]) -> None:
    headers = _auth(tokens)
    inquiry = client.post("/api/v1/inquiries", json=COMPLAINT, headers=headers).json()
    # A new inquiry cannot be reopened (a reply would assign it first: that is allowed).
    response = client.post(f"/api/v1/inquiries/{inquiry['id']}/reopen", headers=headers)
    assert response.status_code == 409
    assert response.json()["type"].endswith("invalid-transition")
    assert client.get(f"/api/v1/inquiries/{inquiry['id']}", headers=headers).json()["state"] == "new"


def test_reading_needs_the_scope_and_writing_too(client: TestClient, tokens: dict[str, str]) -> None:
    assert client.get("/api/v1/inquiries").status_code == 401
    response = client.post("/api/v1/inquiries", json=COMPLAINT, headers=_auth(tokens, "auditor"))
    assert response.status_code == 403


def test_the_open_list_is_ordered_by_time_left(client: TestClient, tokens: dict[str, str]) -> None:
    headers = _auth(tokens)
    client.post("/api/v1/inquiries", json={**COMPLAINT, "category": "other"}, headers=headers)
    client.post("/api/v1/inquiries", json=COMPLAINT, headers=headers)
    listed = client.get("/api/v1/inquiries", headers=headers).json()
    assert [row["category"] for row in listed] == ["complaint", "other"]
    assert listed[0]["remaining_business_minutes"] <= listed[1]["remaining_business_minutes"]


def test_convert_into_a_request_case(client: TestClient, tokens: dict[str, str]) -> None:
    headers = _auth(tokens)
    inquiry = client.post(
        "/api/v1/inquiries", json={**COMPLAINT, "category": "personal_information"}, headers=headers
    )
    url = f"/api/v1/inquiries/{inquiry.json()['id']}/convert"
    refused = client.post(url, json={"request_type": "telepathy"}, headers=headers)
    assert refused.status_code == 422
    assert client.get(f"/api/v1/inquiries/{inquiry.json()['id']}", headers=headers).json()["state"] == "new"
    converted = client.post(url, json={"request_type": "disclosure"}, headers=headers)
    assert converted.status_code == 200, converted.text
    assert converted.json()["state"] == "converted"
    assert converted.json()["request_case_id"] is not None
    again = client.post(url, json={"request_type": "disclosure"}, headers=headers)
    assert again.status_code == 409
