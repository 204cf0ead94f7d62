from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from payments.app.http import prepare_embedded
from payments.legal_entities.tables import legal_entities
from support.app import Api

SELLER: dict[str, Any] = {
    "legal_name": "MyComputer Deutschland GmbH",
    "address": {
        "line1": "Torstrasse 101",
        "postal_code": "10119",
        "city": "Berlin",
        "country": "de",
    },
    "vat_id": "de 136 695 976",
    "iban": "DE89 3704 0044 0532 0130 00",
}


async def test_a_legal_entity_is_created_with_validated_bank_and_vat_details(api: Api) -> None:
    admin = await api.key()
    response = await api.client.post("/v1/legal_entities", json=SELLER, headers=admin)
    assert response.status_code == 200, response.text
    entity = response.json()
    assert entity["id"].startswith("le_")
    assert entity["vat_id"] == "DE136695976"
    assert entity["iban"] == "DE89370400440532013000"
    assert entity["bic"] == "COBADEFFXXX"  # looked up from the IBAN's bank code
    assert entity["address"]["country"] == "DE"
    assert entity["invoice_prefix"] == "DE1"
    assert entity["invoice_number_pattern"] == "{prefix}-{year}-{seq:06d}"
    assert entity["credit_note_number_pattern"] == "{prefix}-CN-{year}-{seq:06d}"
    assert entity["retention_years"] == 10
    events = await api.client.get(
        "/v1/events", params={"type": "legal_entity.created"}, headers=admin
    )
    assert [e["data"]["object"]["id"] for e in events.json()["data"]] == [entity["id"]]


async def test_only_admins_write_legal_entities_and_every_role_reads_them(api: Api) -> None:
    admin = await api.key()
    created = (await api.client.post("/v1/legal_entities", json=SELLER, headers=admin)).json()
    for role in ("finance", "clerk", "readonly"):
        key = await api.key(role)
        refused = await api.client.post("/v1/legal_entities", json=SELLER, headers=key)
        assert refused.status_code == 403, role
        changed = await api.client.post(
            f"/v1/legal_entities/{created['id']}", json={"legal_name": "X"}, headers=key
        )
        assert changed.status_code == 403, role
        read = await api.client.get(f"/v1/legal_entities/{created['id']}", headers=key)
        assert read.status_code == 200, role
        listed = await api.client.get("/v1/legal_entities", headers=key)
        assert [e["id"] for e in listed.json()["data"]] == [created["id"]], role


async def test_an_update_changes_the_given_fields_and_an_empty_string_clears_one(
    api: Api,
) -> None:
    admin = await api.key()
    created = (
        await api.client.post(
            "/v1/legal_entities", json=SELLER | {"invoice_footer": "Danke!"}, headers=admin
        )
    ).json()
    response = await api.client.post(
        f"/v1/legal_entities/{created['id']}",
        json={
            "invoice_footer": "",
            "invoice_prefix": "BER",
            "invoice_number_pattern": "{year}/{prefix}/{seq:05d}",
            "retention_years": 11,
        },
        headers=admin,
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["invoice_footer"] is None
    assert (updated["invoice_prefix"], updated["invoice_number_pattern"]) == (
        "BER",
        "{year}/{prefix}/{seq:05d}",
    )
    assert updated["vat_id"] == created["vat_id"]
    events = await api.client.get(
        "/v1/events", params={"type": "legal_entity.updated"}, headers=admin
    )
    previous = events.json()["data"][0]["data"]["previous_attributes"]
    assert previous["invoice_footer"] == "Danke!"
    assert previous["retention_years"] == 10


async def test_null_clears_an_optional_field_and_a_form_body_updates_as_json(api: Api) -> None:
    admin = await api.key()
    created = (
        await api.client.post(
            "/v1/legal_entities",
            json=SELLER | {"tax_number": "30/123/45678", "metadata": {"erp": "7"}},
            headers=admin,
        )
    ).json()
    path = f"/v1/legal_entities/{created['id']}"
    cleared = await api.client.post(
        path, json={"tax_number": None, "metadata": None}, headers=admin
    )
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["tax_number"], cleared.json()["metadata"]) == (None, {})
    assert cleared.json()["vat_id"] == created["vat_id"]
    refused = await api.client.post(path, json={"legal_name": None}, headers=admin)
    assert refused.status_code == 400
    assert refused.json()["error"]["param"] == "legal_name"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    by_form = await api.client.post(
        path,
        content="phone=%2B49 30 1234567&address[city]=Berlin-Mitte&retention_years=12",
        headers=admin | form,
    )
    assert by_form.status_code == 400  # an address is replaced whole: line1 etc. needed
    assert by_form.json()["error"]["param"].startswith("address")
    by_form = await api.client.post(
        path, content="phone=%2B49 30 1234567&retention_years=12", headers=admin | form
    )
    assert by_form.status_code == 200, by_form.text
    assert (by_form.json()["phone"], by_form.json()["retention_years"]) == ("+49 30 1234567", 12)
    listed = await api.client.get("/v1/legal_entities", headers=admin)
    assert listed.json()["object"] == "list"
    assert [e["id"] for e in listed.json()["data"]] == [created["id"]]


async def test_bad_legal_entity_input_names_the_param_and_writes_nothing(api: Api) -> None:
    admin = await api.key()
    cases: list[tuple[dict[str, Any], str, str]] = [
        (SELLER | {"vat_id": "DE136695977"}, "vat_id", "tax_id_invalid"),
        (SELLER | {"vat_id": "XX123"}, "vat_id", "tax_id_invalid"),
        (SELLER | {"iban": "DE89370400440532013001"}, "iban", "invalid_iban"),
        (SELLER | {"bic": "NOTABIC"}, "bic", "parameter_invalid"),
        (SELLER | {"invoice_number_pattern": "{prefix}-{year}"}, "invoice_number_pattern", ""),
        (
            SELLER | {"invoice_number_pattern": "{prefix}-{month}-{seq}"},
            "invoice_number_pattern",
            "",
        ),
        (SELLER | {"credit_note_number_pattern": "{seq:06q}xx"}, "credit_note_number_pattern", ""),
        (SELLER | {"address": SELLER["address"] | {"country": "ZZ"}}, "address[country]", ""),
        (SELLER | {"logo": "https://example.com/logo.png"}, "logo", ""),
        (SELLER | {"retention_years": 0}, "retention_years", ""),
        ({k: v for k, v in SELLER.items() if k != "iban"}, "iban", "parameter_missing"),
    ]
    for body, param, code in cases:
        response = await api.client.post("/v1/legal_entities", json=body, headers=admin)
        assert response.status_code == 400, (param, response.text)
        error = response.json()["error"]
        assert error["param"] == param, error
        if code:
            assert error["code"] == code, error
    async with api.container.engine.connect() as conn:
        assert (
            await conn.execute(sa.select(sa.func.count()).select_from(legal_entities))
        ).scalar() == 0


async def test_a_shop_names_its_legal_entity(api: Api) -> None:
    admin = await api.key()
    entity = (await api.client.post("/v1/legal_entities", json=SELLER, headers=admin)).json()
    shop = await api.location(admin, legal_entity=entity["id"])
    assert shop["legal_entity"] == entity["id"]
    other = await api.location(admin, name="Hamburg")
    assert other["legal_entity"] is None
    linked = await api.client.post(
        f"/v1/locations/{other['id']}", json={"legal_entity": entity["id"]}, headers=admin
    )
    assert linked.json()["legal_entity"] == entity["id"]
    missing = await api.client.post(
        "/v1/locations",
        json={
            "name": "X",
            "address": {"country": "DE"},
            "timezone": "Europe/Berlin",
            "legal_entity": "le_missing",
        },
        headers=admin,
    )
    assert missing.status_code == 404
    assert missing.json()["error"]["param"] == "legal_entity"


async def test_the_embedded_default_seeds_one_seller_per_sample_country_and_links_its_shops(
    api: Api,
) -> None:
    container = api.container
    settings = container.settings
    container.settings = settings.model_copy(update={"seed_sample_data": True})
    try:
        await prepare_embedded(container)
        await prepare_embedded(container)  # a second start changes nothing
    finally:
        container.settings = settings
    admin = await api.key()
    sellers = (await api.client.get("/v1/legal_entities", headers=admin)).json()["data"]
    shops = (await api.client.get("/v1/locations", headers=admin)).json()["data"]
    by_id = {s["id"]: s for s in sellers}
    assert sorted(s["address"]["country"] for s in sellers) == ["CH", "DE", "NL", "PL", "SE"]
    assert len(shops) == 5
    for shop in shops:
        seller = by_id[shop["legal_entity"]]
        assert seller["address"]["country"] == shop["address"]["country"]
        assert seller["vat_id"] and seller["iban"]
