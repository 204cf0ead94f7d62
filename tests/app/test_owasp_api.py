"""OWASP API Security Top 10 (2023), API3 Broken Object Property Level Authorization: a
client cannot set what is the server's to set (mass assignment), and answers carry no
internal property. (The other items' tests are listed in
docs/explanation/security-compliance.md.)"""

from __future__ import annotations

import pytest

from support.app import Api


@pytest.mark.parametrize(
    ("path", "body", "param"),
    [
        ("/v1/customers", {"name": "Eve", "id": "cus_mine"}, "id"),
        ("/v1/customers", {"name": "Eve", "deleted": True}, "deleted"),
        ("/v1/customers", {"name": "Eve", "livemode": True}, "livemode"),
        (
            "/v1/payment_intents",
            {"amount": 100, "currency": "eur", "status": "succeeded"},
            "status",
        ),
        (
            "/v1/payment_intents",
            {"amount": 100, "currency": "eur", "amount_received": 100},
            "amount_received",
        ),
    ],
)
async def test_server_owned_properties_cannot_be_set_by_a_client(
    api: Api, path: str, body: dict[str, object], param: str
) -> None:
    admin = await api.key()
    before = (await api.client.get(path, headers=admin)).json()["data"]
    response = await api.client.post(path, json=body, headers=admin)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
    assert (await api.client.get(path, headers=admin)).json()["data"] == before


async def test_answers_hold_no_internal_property(api: Api) -> None:
    admin = await api.key()
    created = (
        await api.client.post(
            "/v1/customers", json={"name": "Anna", "email": "anna@example.com"}, headers=admin
        )
    ).json()
    text = str(created)
    for internal in ("secret_hash", "email_index", "password", "location_id", "deleted_at"):
        assert internal not in text
