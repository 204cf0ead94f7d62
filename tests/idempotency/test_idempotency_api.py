from __future__ import annotations

from datetime import timedelta

from support.app import Api


async def test_the_same_key_and_body_replays_the_first_response(api: Api) -> None:
    admin = await api.key()
    headers = admin | {"Idempotency-Key": "order-1"}
    first = await api.client.post("/v1/customers", json={"name": "Once"}, headers=headers)
    second = await api.client.post("/v1/customers", json={"name": "Once"}, headers=headers)
    assert second.status_code == first.status_code == 200
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    listed = (await api.client.get("/v1/customers", headers=admin)).json()["data"]
    assert len(listed) == 1


async def test_the_same_key_with_another_body_is_an_idempotency_error(api: Api) -> None:
    admin = await api.key()
    headers = admin | {"Idempotency-Key": "order-2"}
    await api.client.post("/v1/customers", json={"name": "A"}, headers=headers)
    other = await api.client.post("/v1/customers", json={"name": "B"}, headers=headers)
    assert other.status_code == 400
    assert other.json()["error"]["type"] == "idempotency_error"
    assert len((await api.client.get("/v1/customers", headers=admin)).json()["data"]) == 1


async def test_keys_are_scoped_to_the_api_key(api: Api) -> None:
    one, two = await api.key(), await api.key()
    r1 = await api.client.post(
        "/v1/customers", json={"name": "A"}, headers=one | {"Idempotency-Key": "k"}
    )
    r2 = await api.client.post(
        "/v1/customers", json={"name": "A"}, headers=two | {"Idempotency-Key": "k"}
    )
    assert r1.json()["id"] != r2.json()["id"]
    assert "idempotent-replayed" not in r2.headers


async def test_a_validation_error_is_not_saved_so_the_fixed_request_can_reuse_the_key(
    api: Api,
) -> None:
    admin = await api.key()
    headers = admin | {"Idempotency-Key": "fix-me"}
    bad = await api.client.post("/v1/customers", json={"email": "nope"}, headers=headers)
    assert bad.status_code == 400
    good = await api.client.post("/v1/customers", json={"email": "a@example.com"}, headers=headers)
    assert good.status_code == 200
    assert "idempotent-replayed" not in good.headers


async def test_business_errors_are_replayed_like_successes(api: Api) -> None:
    admin = await api.key()
    headers = admin | {"Idempotency-Key": "missing-shop"}
    body = {"name": "x", "location": "loc_missing"}
    first = await api.client.post("/v1/customers", json=body, headers=headers)
    again = await api.client.post("/v1/customers", json=body, headers=headers)
    assert first.status_code == again.status_code == 404
    assert again.headers["idempotent-replayed"] == "true"


async def test_a_key_expires_after_24_hours(api: Api) -> None:
    admin = await api.key()
    headers = admin | {"Idempotency-Key": "daily"}
    first = await api.client.post("/v1/customers", json={"name": "D"}, headers=headers)
    api.container.clock.advance(timedelta(hours=24, seconds=1))  # type: ignore[attr-defined]
    later = await api.client.post("/v1/customers", json={"name": "D"}, headers=headers)
    assert later.json()["id"] != first.json()["id"]
    from payments.app.capabilities import run_once

    api.container.clock.advance(timedelta(hours=25))  # type: ignore[attr-defined]
    assert (await run_once(api.container, only={"purge_idempotency_keys"})) == {
        "purge_idempotency_keys": 1
    }


async def test_an_overlong_key_is_rejected(api: Api) -> None:
    admin = await api.key()
    response = await api.client.post(
        "/v1/customers", json={"name": "x"}, headers=admin | {"Idempotency-Key": "k" * 256}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_invalid"
