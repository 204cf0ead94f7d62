"""Stripe's conventions over HTTP: form-encoded bodies, unknown parameters refused,
validated filters, expand[], Stripe-Version, and lists limited to a shop."""

from __future__ import annotations

from typing import Any

from support.app import Api

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def _shop(api: Api) -> tuple[dict[str, str], dict[str, Any]]:
    admin = await api.key("admin")
    return admin, await api.location(admin)


async def test_a_form_encoded_body_creates_what_the_json_body_creates(api: Api) -> None:
    admin, shop = await _shop(api)
    body = (
        f"amount=4999&location={shop['id']}&payment_method=pm_card_visa&confirm=true"
        "&metadata[repair_order]=R-1001&payment_method_types[0]=card"
    )
    response = await api.client.post("/v1/payment_intents", content=body, headers=admin | FORM)
    assert response.status_code == 200, response.text
    pi = response.json()
    assert pi["status"] == "succeeded" and pi["amount_received"] == 4999
    assert pi["metadata"] == {"repair_order": "R-1001"}
    assert pi["payment_method_types"] == ["card"]


async def test_form_errors_name_the_parameter_in_bracket_notation(api: Api) -> None:
    admin, shop = await _shop(api)
    cases = [
        (f"amount=abc&location={shop['id']}", "amount", "parameter_invalid"),
        (f"amount=100&location={shop['id']}&nmae=x", "nmae", "parameter_unknown"),
        (f"amount=100&location={shop['id']}&metadata[{'k' * 41}]=v", None, None),
        (f"amount=&location={shop['id']}", "amount", "parameter_invalid"),
        ("location=", "amount", "parameter_missing"),
    ]
    for body, param, code in cases:
        response = await api.client.post("/v1/payment_intents", content=body, headers=admin | FORM)
        assert response.status_code == 400, (body, response.text)
        error = response.json()["error"]
        assert "Invalid None" not in error["message"]
        if param is None:
            assert error["param"].startswith("metadata[")
            continue
        assert (error["param"], error["code"]) == (param, code), body
    unset = await api.client.post(
        "/v1/payment_intents", content=f"amount=&location={shop['id']}", headers=admin | FORM
    )
    assert "cannot be unset" in unset.json()["error"]["message"]


async def test_an_empty_form_value_unsets_and_an_empty_metadata_clears(api: Api) -> None:
    admin, _ = await _shop(api)
    created = await api.client.post(
        "/v1/customers",
        content="name=Ada&phone=%2B49+30+1&metadata[a]=1&metadata[b]=2",
        headers=admin | FORM,
    )
    customer = created.json()
    assert customer["phone"] == "+49 30 1" and customer["metadata"] == {"a": "1", "b": "2"}
    one = await api.client.post(
        f"/v1/customers/{customer['id']}", content="metadata[a]=&phone=", headers=admin | FORM
    )
    assert one.json()["metadata"] == {"b": "2"} and one.json()["phone"] is None
    cleared = await api.client.post(
        f"/v1/customers/{customer['id']}", content="metadata=", headers=admin | FORM
    )
    assert cleared.json()["metadata"] == {}


async def test_an_empty_post_body_is_no_parameters(api: Api) -> None:
    admin, _ = await _shop(api)
    response = await api.client.post("/v1/customers", headers=admin | FORM)
    assert response.status_code == 200, response.text


async def test_a_body_that_is_not_an_object_is_a_clear_400(api: Api) -> None:
    admin, _ = await _shop(api)
    response = await api.client.post("/v1/customers", json=[1, 2], headers=admin)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("The request body must be an object")
    multipart = await api.client.post("/v1/customers", files={"f": b"x"}, headers=admin)
    assert multipart.status_code == 400 and "form-encoded" in multipart.json()["error"]["message"]


async def test_unknown_query_parameters_are_refused_naming_them(api: Api) -> None:
    admin, _ = await _shop(api)
    for path, name in (
        ("/v1/payment_intents?locaton=loc_1", "locaton"),
        ("/v1/customers?emial=a@b.c", "emial"),
        ("/v1/refunds?created[gtee]=1", "created[gtee]"),
        ("/v1/payment_intents/pi_1?foo=1", "foo"),
    ):
        response = await api.client.get(path, headers=admin)
        assert response.status_code == 400, path
        error = response.json()["error"]
        assert (error["code"], error["param"]) == ("parameter_unknown", name), path


async def test_enum_filters_are_validated(api: Api) -> None:
    admin, _ = await _shop(api)
    for path in (
        "/v1/payment_intents?status=bogus",
        "/v1/refunds?status=bogus",
        "/v1/charges?status=bogus",
        "/v1/disputes?status=bogus",
        "/v1/events?type=bogus.event",
    ):
        response = await api.client.get(path, headers=admin)
        assert response.status_code == 400, path
        assert response.json()["error"]["param"] in ("status", "type"), path


async def test_lists_filter_by_location_status_customer_and_created(api: Api) -> None:
    admin, berlin = await _shop(api)
    amsterdam = await api.location(
        admin,
        name="Amsterdam",
        address={"line1": "Damrak 1", "city": "Amsterdam", "country": "NL"},
        timezone="Europe/Amsterdam",
    )
    made = {}
    for shop in (berlin, amsterdam):
        response = await api.client.post(
            "/v1/payment_intents",
            json={"amount": 1000, "location": shop["id"], "payment_method": "pm_card_visa"},
            headers=admin,
        )
        made[shop["id"]] = response.json()
    listed = await api.client.get(f"/v1/payment_intents?location={berlin['id']}", headers=admin)
    assert [p["id"] for p in listed.json()["data"]] == [made[berlin["id"]]["id"]]
    status = "requires_confirmation"
    both = await api.client.get(f"/v1/payment_intents?status={status}", headers=admin)
    assert len(both.json()["data"]) == 2
    created = made[berlin["id"]]["created"]
    window = f"created[gte]={created}&created[lte]={created}"
    assert (
        len((await api.client.get(f"/v1/payment_intents?{window}", headers=admin)).json()["data"])
        == 2
    )
    after = await api.client.get(f"/v1/payment_intents?created[gt]={created}", headers=admin)
    assert after.json()["data"] == []
    exact = await api.client.get(f"/v1/payment_intents?created={created}", headers=admin)
    assert len(exact.json()["data"]) == 2


async def test_a_key_of_one_shop_naming_another_gets_404_not_an_empty_list(api: Api) -> None:
    _, berlin = await _shop(api)
    clerk = await api.key("clerk", location=berlin["id"])
    own = await api.client.get(f"/v1/payment_intents?location={berlin['id']}", headers=clerk)
    assert own.status_code == 200
    for path in (
        "/v1/payment_intents",
        "/v1/charges",
        "/v1/refunds",
        "/v1/customers",
        "/v1/events",
    ):
        other = await api.client.get(f"{path}?location=loc_other", headers=clerk)
        assert other.status_code == 404, path
        assert other.json()["error"]["param"] == "location"


async def test_expand_replaces_ids_with_objects_and_refuses_what_cannot_be_expanded(
    api: Api,
) -> None:
    admin, shop = await _shop(api)
    customer = (await api.client.post("/v1/customers", json={"name": "Ada"}, headers=admin)).json()
    pi = (
        await api.client.post(
            "/v1/payment_intents",
            json={
                "amount": 4999,
                "location": shop["id"],
                "customer": customer["id"],
                "payment_method": "pm_card_visa",
                "confirm": True,
            },
            headers=admin,
        )
    ).json()
    one = await api.client.get(
        f"/v1/payment_intents/{pi['id']}?expand[]=latest_charge&expand[]=customer", headers=admin
    )
    assert one.json()["latest_charge"]["object"] == "charge"
    assert one.json()["customer"]["name"] == "Ada"
    assert isinstance(one.json()["payment_method"], str)
    many = await api.client.get("/v1/payment_intents?expand[0]=data.latest_charge", headers=admin)
    assert many.json()["data"][0]["latest_charge"]["id"] == pi["latest_charge"]
    charge = await api.client.get(
        f"/v1/charges/{pi['latest_charge']}?expand[]=payment_intent", headers=admin
    )
    assert charge.json()["payment_intent"]["id"] == pi["id"]
    refused = await api.client.get(
        f"/v1/payment_intents/{pi['id']}?expand[]=latest_charge.balance_transaction",
        headers=admin,
    )
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "expand[0]"


async def test_the_client_secret_is_shown_to_keys_that_may_write_payments_only(api: Api) -> None:
    admin, shop = await _shop(api)
    pi = (
        await api.client.post(
            "/v1/payment_intents", json={"amount": 1000, "location": shop["id"]}, headers=admin
        )
    ).json()
    assert pi["client_secret"].startswith(f"{pi['id']}_secret_")
    readonly = await api.key("readonly")
    seen = (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=readonly)).json()
    assert seen["client_secret"] is None
    event = (await api.client.get("/v1/events?type=payment_intent.created", headers=admin)).json()
    assert event["data"][0]["data"]["object"]["client_secret"] is None


async def test_stripe_version_is_accepted_echoed_and_a_malformed_one_refused(api: Api) -> None:
    admin, _ = await _shop(api)
    ours = await api.client.get("/v1/customers", headers=admin)
    assert ours.headers["stripe-version"] == "2026-12-01"
    sent = await api.client.get(
        "/v1/customers", headers=admin | {"Stripe-Version": "2025-03-31.basil"}
    )
    assert sent.status_code == 200 and sent.headers["stripe-version"] == "2025-03-31.basil"
    bad = await api.client.get("/v1/customers", headers=admin | {"Stripe-Version": "latest"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "api_version_invalid"


async def test_a_shop_accepts_only_its_currencies(api: Api) -> None:
    admin = await api.key("admin")
    shop = await api.location(admin)
    assert shop["currencies"] == ["eur"]
    zurich = await api.location(
        admin,
        name="Zurich",
        address={"line1": "Bahnhofstrasse 1", "city": "Zurich", "country": "CH"},
        timezone="Europe/Zurich",
    )
    assert zurich["default_currency"] == "chf" and zurich["currencies"] == ["chf", "eur"]
    usd = await api.client.post(
        "/v1/payment_intents",
        json={"amount": 1000, "currency": "usd", "location": shop["id"]},
        headers=admin,
    )
    assert usd.status_code == 400
    assert (usd.json()["error"]["code"], usd.json()["error"]["param"]) == (
        "currency_not_accepted",
        "currency",
    )
    widened = await api.client.post(
        f"/v1/locations/{shop['id']}", json={"currencies": ["eur", "usd"]}, headers=admin
    )
    assert widened.json()["currencies"] == ["eur", "usd"]
    ok = await api.client.post(
        "/v1/payment_intents",
        json={"amount": 1000, "currency": "usd", "location": shop["id"]},
        headers=admin,
    )
    assert ok.status_code == 200, ok.text
    without_default = await api.client.post(
        f"/v1/locations/{shop['id']}", json={"currencies": ["usd"]}, headers=admin
    )
    assert without_default.status_code == 400
    assert without_default.json()["error"]["param"] == "currencies"


async def test_a_real_card_number_in_a_form_body_is_refused_however_it_is_spaced(api: Api) -> None:
    admin, _ = await _shop(api)
    for number in ("4012888888881881", "4012+8888+8888+1881", "4012%208888%208888%201881"):
        body = f"type=card&card[number]={number}&card[exp_month]=12&card[exp_year]=2030"
        response = await api.client.post("/v1/payment_methods", content=body, headers=admin | FORM)
        assert response.status_code == 400, number
        assert response.json()["error"]["code"] == "pan_not_allowed", number
        assert "4012" not in response.text
