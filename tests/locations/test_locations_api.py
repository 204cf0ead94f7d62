from __future__ import annotations

from support.app import Api


async def test_a_location_defaults_currency_and_methods_from_its_country(api: Api) -> None:
    admin = await api.key()
    warsaw = await api.location(
        admin,
        name="Warszawa",
        address={"country": "PL", "city": "Warszawa"},
        timezone="Europe/Warsaw",
        metadata={"region": "east"},
    )
    assert warsaw["id"].startswith("loc_")
    assert warsaw["default_currency"] == "pln"
    assert warsaw["payment_method_types"] == ["card", "customer_balance"]
    berlin = await api.location(admin)
    assert berlin["default_currency"] == "eur"
    assert berlin["payment_method_types"] == ["card", "sepa_debit", "customer_balance"]


async def test_a_location_can_be_updated_and_emits_an_event(api: Api) -> None:
    admin = await api.key()
    loc = await api.location(admin)
    updated = await api.client.post(
        f"/v1/locations/{loc['id']}",
        json={"name": "Berlin Kreuzberg", "payment_method_types": ["card"]},
        headers=admin,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "Berlin Kreuzberg"
    assert updated.json()["payment_method_types"] == ["card"]
    events = (
        await api.client.get("/v1/events", params={"type": "location.updated"}, headers=admin)
    ).json()["data"]
    assert events[0]["data"]["previous_attributes"]["name"] == "Berlin Mitte"


async def test_bad_location_input_names_the_param(api: Api) -> None:
    admin = await api.key()
    base = {"name": "X", "address": {"country": "DE"}, "timezone": "Europe/Berlin"}
    cases = [
        (base | {"default_currency": "xyz"}, "default_currency", "currency_invalid"),
        (base | {"timezone": "Mars/Olympus"}, "timezone", "parameter_invalid"),
        (base | {"address": {"country": "ZZ"}}, "address[country]", "country_invalid"),
        (base | {"payment_method_types": ["cash"]}, "payment_method_types[0]", "parameter_invalid"),
        ({"name": "X", "timezone": "Europe/Berlin"}, "address", "parameter_missing"),
    ]
    for body, param, code in cases:
        response = await api.client.post("/v1/locations", json=body, headers=admin)
        assert response.status_code == 400, body
        assert (response.json()["error"]["param"], response.json()["error"]["code"]) == (
            param,
            code,
        ), body
    assert (await api.client.get("/v1/locations", headers=admin)).json()["data"] == []
