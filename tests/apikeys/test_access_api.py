from __future__ import annotations

from payments.apikeys.repository import ApiKeyRepository
from support.app import Api


async def test_requests_without_a_valid_key_are_401_in_the_error_shape(api: Api) -> None:
    for headers in ({}, {"Authorization": "Bearer sk_test_nope"}, {"Authorization": "Basic x"}):
        response = await api.client.get("/v1/customers", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["type"] == "authentication_error"
        assert "sk_test_nope" not in response.text


async def test_a_revoked_key_stops_working(api: Api) -> None:
    from payments.apikeys.service import revoke_api_key

    admin = await api.key()
    assert (await api.client.get("/v1/customers", headers=admin)).status_code == 200
    async with api.container.uow_factory() as uow:
        key_id = (await uow.repo(ApiKeyRepository).all())[0].id
    await revoke_api_key(key_id, uow_factory=api.container.uow_factory, clock=api.container.clock)
    response = await api.client.get("/v1/customers", headers=admin)
    assert response.status_code == 401


async def test_readonly_keys_may_only_read(api: Api) -> None:
    readonly = await api.key("readonly")
    assert (await api.client.get("/v1/customers", headers=readonly)).status_code == 200
    response = await api.client.post("/v1/customers", json={"name": "x"}, headers=readonly)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_permissions"


async def test_only_admins_write_locations(api: Api) -> None:
    admin = await api.key("admin")
    loc = await api.location(admin)
    for role in ("finance", "clerk", "readonly"):
        headers = await api.key(role)
        valid = {"name": "Shop", "address": {"country": "NL"}, "timezone": "Europe/Amsterdam"}
        create = await api.client.post("/v1/locations", json=valid, headers=headers)
        assert create.status_code == 403, role
        update = await api.client.post(
            f"/v1/locations/{loc['id']}", json={"name": "y"}, headers=headers
        )
        assert update.status_code == 403, role
        assert (
            await api.client.get(f"/v1/locations/{loc['id']}", headers=headers)
        ).status_code == 200


async def test_a_location_restricted_key_sees_only_its_shop(api: Api) -> None:
    admin = await api.key("admin")
    berlin = await api.location(admin)
    amsterdam = await api.location(
        admin, name="Amsterdam", address={"country": "NL"}, timezone="Europe/Amsterdam"
    )
    berlin_clerk = await api.key("clerk", location=berlin["id"])

    mine = (
        await api.client.post("/v1/customers", json={"name": "Local"}, headers=berlin_clerk)
    ).json()
    assert mine["location"] == berlin["id"]
    theirs = (
        await api.client.post(
            "/v1/customers", json={"name": "Other", "location": amsterdam["id"]}, headers=admin
        )
    ).json()

    listed = (await api.client.get("/v1/customers", headers=berlin_clerk)).json()["data"]
    assert [c["id"] for c in listed] == [mine["id"]]
    hidden = await api.client.get(f"/v1/customers/{theirs['id']}", headers=berlin_clerk)
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "resource_missing"
    update = await api.client.post(
        f"/v1/customers/{theirs['id']}", json={"name": "hack"}, headers=berlin_clerk
    )
    assert update.status_code == 404
    other_shop = await api.client.post(
        "/v1/customers", json={"name": "x", "location": amsterdam["id"]}, headers=berlin_clerk
    )
    assert other_shop.status_code == 404
    assert (
        await api.client.get(f"/v1/locations/{amsterdam['id']}", headers=berlin_clerk)
    ).status_code == 404
    shops = (await api.client.get("/v1/locations", headers=berlin_clerk)).json()["data"]
    assert [s["id"] for s in shops] == [berlin["id"]]
    events = (await api.client.get("/v1/events", headers=berlin_clerk)).json()["data"]
    assert {e["data"]["object"]["id"] for e in events} <= {mine["id"], berlin["id"]}


async def test_a_payment_method_belongs_to_the_shop_of_the_customer_it_is_attached_to(
    api: Api,
) -> None:
    admin = await api.key("admin")
    berlin = await api.location(admin)
    amsterdam = await api.location(
        admin, name="Amsterdam", address={"country": "NL"}, timezone="Europe/Amsterdam"
    )
    berlin_clerk = await api.key("clerk", location=berlin["id"])
    amsterdam_clerk = await api.key("clerk", location=amsterdam["id"])
    customer = (
        await api.client.post(
            "/v1/customers", json={"name": "Berliner", "location": berlin["id"]}, headers=admin
        )
    ).json()
    pm = (
        await api.client.post(
            "/v1/payment_methods",
            json={"type": "card", "card": {"token": "pm_card_visa"}},
            headers=admin,  # unrestricted: the method has no shop of its own
        )
    ).json()
    # unattached, a method made by an unrestricted key is usable by every shop
    unattached = await api.client.get(f"/v1/payment_methods/{pm['id']}", headers=amsterdam_clerk)
    assert unattached.status_code == 200
    attached = await api.client.post(
        f"/v1/payment_methods/{pm['id']}/attach", json={"customer": customer["id"]}, headers=admin
    )
    assert attached.status_code == 200, attached.text

    for path, method in (
        (f"/v1/payment_methods/{pm['id']}", "GET"),
        (f"/v1/payment_methods/{pm['id']}/detach", "POST"),
    ):
        response = await api.client.request(method, path, headers=amsterdam_clerk)
        assert response.status_code == 404, (path, response.text)
        assert response.json()["error"]["code"] == "resource_missing"
    used = await api.client.post(
        "/v1/payment_intents",
        json={"amount": 1000, "payment_method": pm["id"]},
        headers=amsterdam_clerk,
    )
    assert used.status_code == 404
    assert used.json()["error"]["param"] == "payment_method"

    mine = await api.client.get(f"/v1/payment_methods/{pm['id']}", headers=berlin_clerk)
    assert (mine.status_code, mine.json()["customer"]) == (200, customer["id"])
    detached = await api.client.post(f"/v1/payment_methods/{pm['id']}/detach", headers=berlin_clerk)
    assert detached.status_code == 200, detached.text
    assert detached.json()["customer"] is None


async def test_the_company_wide_ledger_is_refused_to_a_location_restricted_key(api: Api) -> None:
    admin = await api.key("admin")
    berlin = await api.location(admin)
    amsterdam = await api.location(
        admin, name="Amsterdam", address={"country": "NL"}, timezone="Europe/Amsterdam"
    )
    for shop in (berlin, amsterdam):
        paid = await api.client.post(
            "/v1/payment_intents",
            json={
                "amount": 5000,
                "location": shop["id"],
                "payment_method": "pm_card_visa",
                "confirm": True,
            },
            headers=admin,
        )
        assert paid.json()["status"] == "succeeded", paid.text
    berlin_finance = await api.key("finance", location=berlin["id"])
    for path in ("/v1/ledger/accounts", "/v1/ledger/transactions"):
        response = await api.client.get(path, headers=berlin_finance)
        assert response.status_code == 403, (path, response.text)
        error = response.json()["error"]
        assert error["code"] == "insufficient_permissions"
        assert "company-wide" in error["message"]
        assert (await api.client.get(path, headers=admin)).status_code == 200
        assert (await api.client.get(path, headers=await api.key("finance"))).status_code == 200


async def test_a_clerk_is_refused_the_ledger_for_lack_of_the_ledger_permission(api: Api) -> None:
    clerk = await api.key("clerk")
    for path in ("/v1/ledger/accounts", "/v1/ledger/transactions"):
        response = await api.client.get(path, headers=clerk)
        assert response.status_code == 403
        error = response.json()["error"]
        assert error["code"] == "insufficient_permissions"
        assert "read_ledger" in error["message"], error["message"]
