from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from payments.app.bootstrap import Container
from support.app import Api
from support.webhooks import webhook_ready

HOOK = "https://hooks.example.com/payments"


@pytest.fixture
async def container(container: Container) -> AsyncIterator[Container]:
    async with webhook_ready(container) as ready:
        yield ready


async def _create(api: Api, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {"url": HOOK, "enabled_events": ["customer.created"]} | fields
    response = await api.client.post("/v1/webhook_endpoints", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_an_admin_registers_lists_updates_and_deletes_an_endpoint(api: Api) -> None:
    admin = await api.key("admin")
    created = await _create(
        api,
        admin,
        enabled_events=["customer.created", "charge.*"],
        description="ERP",
        metadata={"team": "finance"},
    )
    assert created["id"].startswith("we_")
    assert created["object"] == "webhook_endpoint"
    assert created["status"] == "enabled"
    assert created["enabled_events"] == ["customer.created", "charge.*"]
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert created["livemode"] is False and isinstance(created["created"], int)

    fetched = (await api.client.get(f"/v1/webhook_endpoints/{created['id']}", headers=admin)).json()
    assert "secret" not in fetched
    assert fetched == {k: v for k, v in created.items() if k != "secret"}

    updated = await api.client.post(
        f"/v1/webhook_endpoints/{created['id']}",
        json={"enabled_events": ["*"], "metadata": {"team": "", "erp": "sap"}, "disabled": True},
        headers=admin,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["enabled_events"] == ["*"]
    assert updated.json()["metadata"] == {"erp": "sap"}
    assert updated.json()["status"] == "disabled"
    assert updated.json()["url"] == HOOK and "secret" not in updated.json()

    listed = (await api.client.get("/v1/webhook_endpoints", headers=admin)).json()
    assert [e["id"] for e in listed["data"]] == [created["id"]]
    assert "secret" not in listed["data"][0]

    deleted = await api.client.delete(f"/v1/webhook_endpoints/{created['id']}", headers=admin)
    assert deleted.json() == {"id": created["id"], "object": "webhook_endpoint", "deleted": True}
    missing = await api.client.get(f"/v1/webhook_endpoints/{created['id']}", headers=admin)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "resource_missing"

    events = (await api.client.get("/v1/events", headers=admin)).json()["data"]
    assert [e["type"] for e in events] == [
        "webhook_endpoint.deleted",
        "webhook_endpoint.updated",
        "webhook_endpoint.created",
    ]
    assert created["secret"] not in str(events)
    assert events[1]["data"]["previous_attributes"]["status"] == "enabled"


async def test_the_secret_is_shown_only_on_create_and_rotate(api: Api) -> None:
    admin = await api.key()
    created = await _create(api, admin)
    rotated = await api.client.post(
        f"/v1/webhook_endpoints/{created['id']}/rotate_secret", headers=admin
    )
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["secret"]
    assert new_secret.startswith("whsec_") and new_secret != created["secret"]
    custom = await api.client.post(
        f"/v1/webhook_endpoints/{created['id']}/rotate_secret",
        json={"expires_in_seconds": 0},
        headers=admin,
    )
    assert custom.status_code == 200
    everything = [
        (await api.client.get("/v1/webhook_endpoints", headers=admin)).text,
        (await api.client.get(f"/v1/webhook_endpoints/{created['id']}", headers=admin)).text,
        (await api.client.get("/v1/events", headers=admin)).text,
    ]
    for secret in (created["secret"], new_secret, custom.json()["secret"]):
        assert all(secret not in text for text in everything)


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        (
            {"enabled_events": ["customer.created", "customer.exploded"]},
            "enabled_events[1]",
            "parameter_invalid",
        ),
        ({"enabled_events": ["nothing.*"]}, "enabled_events[0]", "parameter_invalid"),
        ({"enabled_events": []}, "enabled_events", "parameter_invalid"),
        ({"url": "http://hooks.example.com/x"}, "url", "url_invalid"),
        ({"url": "ftp://hooks.example.com/x"}, "url", "url_invalid"),
        ({"url": "not a url"}, "url", "url_invalid"),
        ({"url": "https://10.0.0.5/hook"}, "url", "url_invalid"),
        ({"url": "https://169.254.169.254/latest/meta-data"}, "url", "url_invalid"),
        ({"url": "https://[::1]:8443/hook"}, "url", "url_invalid"),
        ({"url": "https://0.0.0.0/hook"}, "url", "url_invalid"),
        ({"url": "https://224.0.0.1/hook"}, "url", "url_invalid"),
        ({"url": "https://[::ffff:192.168.1.1]/hook"}, "url", "url_invalid"),
        ({"metadata": {"k": 1}}, "metadata[k]", "parameter_invalid"),
        ({"secret": "whsec_mine"}, "secret", "parameter_unknown"),
    ],
)
async def test_invalid_endpoints_are_refused_naming_the_param(
    api: Api, body: dict[str, Any], param: str, code: str
) -> None:
    admin = await api.key()
    payload = {"url": HOOK, "enabled_events": ["customer.created"]} | body
    response = await api.client.post("/v1/webhook_endpoints", json=payload, headers=admin)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["param"], error["code"], error["type"]) == (param, code, "invalid_request_error")
    assert (await api.client.get("/v1/webhook_endpoints", headers=admin)).json()["data"] == []


async def test_plain_http_and_private_addresses_need_the_allow_list(api: Api) -> None:
    admin = await api.key()
    allowed = await _create(api, admin, url="http://127.0.0.1:9/hooks")
    assert allowed["url"] == "http://127.0.0.1:9/hooks"
    refused = await api.client.post(
        "/v1/webhook_endpoints",
        json={"url": "http://127.0.0.2:9/hooks", "enabled_events": ["*"]},
        headers=admin,
    )
    assert refused.status_code == 400
    assert "https" in refused.json()["error"]["message"]
    update = await api.client.post(
        f"/v1/webhook_endpoints/{allowed['id']}", json={"url": "https://10.1.2.3/"}, headers=admin
    )
    assert update.status_code == 400 and update.json()["error"]["param"] == "url"


async def test_only_admin_and_finance_manage_webhooks_and_everyone_reads(api: Api) -> None:
    admin = await api.key("admin")
    endpoint = await _create(api, admin)
    finance = await api.key("finance")
    assert (await _create(api, finance))["id"].startswith("we_")
    for role in ("clerk", "readonly"):
        headers = await api.key(role)
        create = await api.client.post(
            "/v1/webhook_endpoints", json={"url": HOOK, "enabled_events": ["*"]}, headers=headers
        )
        assert create.status_code == 403, role
        assert create.json()["error"]["code"] == "insufficient_permissions"
        for path in ("", "/rotate_secret"):
            response = await api.client.post(
                f"/v1/webhook_endpoints/{endpoint['id']}{path}", json={}, headers=headers
            )
            assert response.status_code == 403, (role, path)
        delete = await api.client.delete(f"/v1/webhook_endpoints/{endpoint['id']}", headers=headers)
        assert delete.status_code == 403
        read = await api.client.get(f"/v1/webhook_endpoints/{endpoint['id']}", headers=headers)
        assert read.status_code == 200


async def test_a_shop_restricted_key_sees_only_its_shops_endpoints(api: Api) -> None:
    admin = await api.key("admin")
    shop = await api.location(admin)
    shop_admin = await api.key("admin", location=shop["id"])
    central = await _create(api, admin)
    local = await _create(api, shop_admin)
    assert local["location"] == shop["id"] and central["location"] is None
    listed = (await api.client.get("/v1/webhook_endpoints", headers=shop_admin)).json()["data"]
    assert [e["id"] for e in listed] == [local["id"]]
    hidden = await api.client.get(f"/v1/webhook_endpoints/{central['id']}", headers=shop_admin)
    assert hidden.status_code == 404
    everything = (await api.client.get("/v1/webhook_endpoints", headers=admin)).json()["data"]
    assert {e["id"] for e in everything} == {central["id"], local["id"]}


async def test_unknown_endpoints_and_events_are_404(api: Api) -> None:
    admin = await api.key()
    for method, path in [
        ("GET", "/v1/webhook_endpoints/we_nope"),
        ("POST", "/v1/webhook_endpoints/we_nope/rotate_secret"),
        ("GET", "/v1/webhook_endpoints/we_nope/deliveries"),
        ("DELETE", "/v1/webhook_endpoints/we_nope"),
        ("POST", "/v1/events/evt_nope/redeliver"),
    ]:
        response = await api.client.request(method, path, headers=admin)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"]["code"] == "resource_missing"


async def test_replay_needs_a_range(api: Api) -> None:
    admin = await api.key()
    endpoint = await _create(api, admin)
    response = await api.client.post(
        f"/v1/webhook_endpoints/{endpoint['id']}/replay", json={}, headers=admin
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parameter_missing"
    bad = await api.client.post(
        f"/v1/webhook_endpoints/{endpoint['id']}/replay",
        json={"created": {"gte": "yesterday"}},
        headers=admin,
    )
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "created[gte]"
