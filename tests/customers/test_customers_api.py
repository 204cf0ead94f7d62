from __future__ import annotations

from support.app import Api


async def test_a_clerk_creates_retrieves_updates_and_deletes_a_customer(api: Api) -> None:
    clerk = await api.key("clerk")
    created = await api.client.post(
        "/v1/customers",
        json={
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "phone": "+49 30 1234567",
            "address": {
                "line1": "Torstrasse 1",
                "postal_code": "10119",
                "city": "Berlin",
                "country": "de",
            },
            "preferred_locales": ["de-DE", "en"],
            "metadata": {"crm_id": "42"},
        },
        headers=clerk,
    )
    assert created.status_code == 200, created.text
    customer = created.json()
    assert customer["id"].startswith("cus_")
    assert customer["object"] == "customer"
    assert customer["address"]["country"] == "DE"
    assert customer["preferred_locales"] == ["de-DE", "en"]
    assert customer["livemode"] is False
    assert isinstance(customer["created"], int)

    fetched = await api.client.get(f"/v1/customers/{customer['id']}", headers=clerk)
    assert fetched.json() == customer

    updated = await api.client.post(
        f"/v1/customers/{customer['id']}",
        json={"phone": "+49 30 7654321", "metadata": {"crm_id": "", "tier": "gold"}},
        headers=clerk,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["phone"] == "+49 30 7654321"
    assert updated.json()["metadata"] == {"tier": "gold"}
    assert updated.json()["name"] == "Ada Lovelace"

    deleted = await api.client.delete(f"/v1/customers/{customer['id']}", headers=clerk)
    assert deleted.json() == {"id": customer["id"], "object": "customer", "deleted": True}
    after = await api.client.get(f"/v1/customers/{customer['id']}", headers=clerk)
    assert after.json()["deleted"] is True
    listed = await api.client.get("/v1/customers", headers=clerk)
    assert customer["id"] not in [c["id"] for c in listed.json()["data"]]


async def test_customer_changes_are_recorded_as_events_with_the_object_snapshot(api: Api) -> None:
    admin = await api.key("admin")
    customer = (await api.client.post("/v1/customers", json={"name": "Bo"}, headers=admin)).json()
    await api.client.post(f"/v1/customers/{customer['id']}", json={"name": "Bo B."}, headers=admin)
    events = (await api.client.get("/v1/events", headers=admin)).json()["data"]
    assert [e["type"] for e in events] == ["customer.updated", "customer.created"]
    assert events[0]["data"]["object"]["name"] == "Bo B."
    assert events[0]["data"]["previous_attributes"] == {"name": "Bo"}
    one = await api.client.get(f"/v1/events/{events[1]['id']}", headers=admin)
    assert one.json()["data"]["object"]["id"] == customer["id"]
    filtered = await api.client.get(
        "/v1/events", params={"type": "customer.created"}, headers=admin
    )
    assert [e["type"] for e in filtered.json()["data"]] == ["customer.created"]


async def test_customers_can_be_listed_by_email(api: Api) -> None:
    admin = await api.key()
    for email in ("a@example.com", "b@example.com", "a@example.com"):
        await api.client.post("/v1/customers", json={"email": email}, headers=admin)
    listed = await api.client.get("/v1/customers", params={"email": "a@example.com"}, headers=admin)
    assert [c["email"] for c in listed.json()["data"]] == ["a@example.com", "a@example.com"]


async def test_invalid_customer_fields_name_the_bad_param_and_write_nothing(api: Api) -> None:
    admin = await api.key()
    cases = [
        ({"email": "not-an-email"}, "email", "parameter_invalid"),
        ({"address": {"country": "XX"}}, "address[country]", "country_invalid"),
        ({"address": {"country": "DEU"}}, "address[country]", "parameter_invalid"),
        ({"preferred_locales": ["xx-QQ-zz"]}, "preferred_locales[0]", "locale_invalid"),
        ({"name": 12}, "name", "parameter_invalid"),
        ({"metadata": {"k": 1}}, "metadata[k]", "parameter_invalid"),
        ({"favourite_colour": "blue"}, "favourite_colour", "parameter_unknown"),
        ({"address": {"country": "DE", "planet": "earth"}}, "address[planet]", "parameter_unknown"),
        ({"location": "loc_doesnotexist"}, "location", "resource_missing"),
    ]
    for body, param, code in cases:
        response = await api.client.post("/v1/customers", json=body, headers=admin)
        error = response.json()["error"]
        assert response.status_code in (400, 404), (body, response.text)
        assert (error["param"], error["code"]) == (param, code), body
        assert "pydantic" not in response.text and "input" not in error
    listed = await api.client.get("/v1/customers", headers=admin)
    assert listed.json()["data"] == []
    assert (await api.client.get("/v1/events", headers=admin)).json()["data"] == []


async def test_an_unknown_customer_is_a_404_resource_missing(api: Api) -> None:
    admin = await api.key()
    response = await api.client.get("/v1/customers/cus_nope", headers=admin)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "resource_missing"
    assert response.json()["error"]["type"] == "invalid_request_error"
