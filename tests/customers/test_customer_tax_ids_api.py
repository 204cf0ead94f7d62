"""Customers' tax ids (/v1/customers/{id}/tax_ids) and tax_exempt, Stripe's shapes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from payments.app.bootstrap import build_vat_id_checker
from payments.customers.repository import CustomerRepository
from payments.customers.service.tax_ids import tax_party_of
from payments.kernel.clock import to_unix
from payments.tax.domain import TaxExempt, TaxParty
from support.app import Api, make_settings
from support.fake_vies import FakeVies, running_fake_vies


async def _customer(api: Api, headers: dict[str, str], **fields: object) -> dict[str, object]:
    response = await api.client.post(
        "/v1/customers", json={"name": "Ada"} | fields, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_customers_have_tax_exempt_none_by_default_and_can_change_it(api: Api) -> None:
    clerk = await api.key("clerk")
    plain = await _customer(api, clerk)
    assert plain["tax_exempt"] == "none"
    business = await _customer(api, clerk, tax_exempt="reverse")
    assert business["tax_exempt"] == "reverse"
    updated = await api.client.post(
        f"/v1/customers/{business['id']}", json={"tax_exempt": "exempt"}, headers=clerk
    )
    assert updated.json()["tax_exempt"] == "exempt"
    fetched = await api.client.get(f"/v1/customers/{business['id']}", headers=clerk)
    assert fetched.json()["tax_exempt"] == "exempt"
    bad = await api.client.post("/v1/customers", json={"tax_exempt": "sometimes"}, headers=clerk)
    assert bad.status_code == 400
    assert bad.json()["error"]["param"] == "tax_exempt"


async def test_a_clerk_adds_lists_retrieves_and_deletes_a_tax_id(api: Api) -> None:
    clerk = await api.key("clerk")
    customer = await _customer(api, clerk, address={"country": "AT"})
    base = f"/v1/customers/{customer['id']}/tax_ids"

    created = await api.client.post(
        base, json={"type": "eu_vat", "value": "atu 1358 5627"}, headers=clerk
    )
    assert created.status_code == 200, created.text
    tax_id = created.json()
    assert tax_id["id"].startswith("txi_")
    assert {k: tax_id[k] for k in ("object", "type", "value", "country", "customer")} == {
        "object": "tax_id",
        "type": "eu_vat",
        "value": "ATU13585627",
        "country": "AT",
        "customer": customer["id"],
    }
    assert tax_id["owner"] == {"type": "customer", "customer": customer["id"]}
    assert tax_id["verification"] == {
        "status": "unavailable",  # offline default: format and checksum only
        "verified_name": None,
        "verified_address": None,
        "checked_at": to_unix(api.container.clock.now()),
        "source": "offline",
        "reference": None,
    }
    assert tax_id["livemode"] is False

    listed = await api.client.get(base, headers=clerk)
    assert listed.json()["object"] == "list"
    assert listed.json()["url"] == base
    assert [t["id"] for t in listed.json()["data"]] == [tax_id["id"]]
    fetched = await api.client.get(f"{base}/{tax_id['id']}", headers=clerk)
    assert fetched.json() == tax_id

    deleted = await api.client.delete(f"{base}/{tax_id['id']}", headers=clerk)
    assert deleted.json() == {"id": tax_id["id"], "object": "tax_id", "deleted": True}
    assert (await api.client.get(base, headers=clerk)).json()["data"] == []
    gone = await api.client.get(f"{base}/{tax_id['id']}", headers=clerk)
    assert gone.status_code == 404
    again = await api.client.delete(f"{base}/{tax_id['id']}", headers=clerk)
    assert again.status_code == 404

    admin = await api.key("admin")
    events = (await api.client.get("/v1/events", headers=admin)).json()["data"]
    assert [e["type"] for e in events] == [
        "customer.tax_id.deleted",
        "customer.tax_id.created",
        "customer.created",
    ]
    assert events[1]["data"]["object"] == tax_id
    assert events[0]["data"]["object"]["id"] == tax_id["id"]


@pytest.mark.parametrize(
    ("type_", "value", "normalised", "country"),
    [
        ("ch_vat", "che113398497tva", "CHE-113.398.497 TVA", "CH"),
        ("gb_vat", "GB 980 7806 84", "GB980780684", "GB"),
        ("no_vat", "995 525 828", "995525828MVA", "NO"),
        ("eu_vat", "EL094259216", "EL094259216", "GR"),
    ],
)
async def test_tax_ids_of_every_type_are_normalised(
    api: Api, type_: str, value: str, normalised: str, country: str
) -> None:
    clerk = await api.key("clerk")
    customer = await _customer(api, clerk)
    created = await api.client.post(
        f"/v1/customers/{customer['id']}/tax_ids",
        json={"type": type_, "value": value},
        headers=clerk,
    )
    assert (created.json()["value"], created.json()["country"]) == (normalised, country)


async def test_bad_tax_ids_are_400s_naming_the_param_and_write_nothing(api: Api) -> None:
    admin = await api.key("admin")
    customer = await _customer(api, admin)
    base = f"/v1/customers/{customer['id']}/tax_ids"
    cases = [
        ({"type": "eu_vat", "value": "DE136695977"}, "value", "tax_id_invalid"),
        ({"type": "eu_vat", "value": "GB980780684"}, "value", "tax_id_invalid"),
        ({"type": "us_ein", "value": "12-3456789"}, "type", "parameter_invalid"),
        ({"type": "eu_vat"}, "value", "parameter_missing"),
        ({"value": "DE136695976"}, "type", "parameter_missing"),
        ({"type": "eu_vat", "value": "DE136695976", "x": 1}, "x", "parameter_unknown"),
    ]
    for body, param, code in cases:
        response = await api.client.post(base, json=body, headers=admin)
        assert response.status_code == 400, (body, response.text)
        error = response.json()["error"]
        assert (error["type"], error["param"], error["code"]) == (
            "invalid_request_error",
            param,
            code,
        ), body
    assert (await api.client.get(base, headers=admin)).json()["data"] == []
    events = (await api.client.get("/v1/events", headers=admin)).json()["data"]
    assert [e["type"] for e in events] == ["customer.created"]
    missing = await api.client.post(
        "/v1/customers/cus_nope/tax_ids",
        json={"type": "eu_vat", "value": "DE136695976"},
        headers=admin,
    )
    assert missing.status_code == 404
    unknown = await api.client.get(f"{base}/txi_nope", headers=admin)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "resource_missing")


async def test_tax_ids_can_be_given_when_the_customer_is_created(api: Api) -> None:
    clerk = await api.key("clerk")
    customer = await _customer(
        api,
        clerk,
        tax_exempt="reverse",
        tax_id_data=[{"type": "eu_vat", "value": "NL004495445B01"}],
    )
    listed = await api.client.get(f"/v1/customers/{customer['id']}/tax_ids", headers=clerk)
    assert [t["value"] for t in listed.json()["data"]] == ["NL004495445B01"]
    bad = await api.client.post(
        "/v1/customers",
        json={"name": "B", "tax_id_data": [{"type": "eu_vat", "value": "NL004495446B01"}]},
        headers=clerk,
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["param"] == "tax_id_data[0][value]"
    names = [
        c["name"] for c in (await api.client.get("/v1/customers", headers=clerk)).json()["data"]
    ]
    assert names == ["Ada"]


async def test_a_readonly_key_sees_tax_ids_but_cannot_add_or_delete_them(api: Api) -> None:
    admin = await api.key("admin")
    readonly = await api.key("readonly")
    customer = await _customer(api, admin)
    base = f"/v1/customers/{customer['id']}/tax_ids"
    tax_id = (
        await api.client.post(base, json={"type": "eu_vat", "value": "DE136695976"}, headers=admin)
    ).json()
    assert (await api.client.get(base, headers=readonly)).status_code == 200
    denied = await api.client.post(
        base, json={"type": "eu_vat", "value": "DE136695976"}, headers=readonly
    )
    assert denied.status_code == 403
    assert (await api.client.delete(f"{base}/{tax_id['id']}", headers=readonly)).status_code == 403


async def test_a_location_restricted_key_sees_tax_ids_of_its_shops_customers_only(
    api: Api,
) -> None:
    admin = await api.key("admin")
    berlin = await api.location(admin)
    amsterdam = await api.location(
        admin, name="Amsterdam", address={"country": "NL"}, timezone="Europe/Amsterdam"
    )
    berlin_clerk = await api.key("clerk", location=berlin["id"])
    theirs = await _customer(api, admin, location=amsterdam["id"])
    mine = await _customer(api, berlin_clerk)
    tax_id = (
        await api.client.post(
            f"/v1/customers/{theirs['id']}/tax_ids",
            json={"type": "eu_vat", "value": "NL004495445B01"},
            headers=admin,
        )
    ).json()
    base = f"/v1/customers/{theirs['id']}/tax_ids"
    for response in (
        await api.client.get(base, headers=berlin_clerk),
        await api.client.get(f"{base}/{tax_id['id']}", headers=berlin_clerk),
        await api.client.delete(f"{base}/{tax_id['id']}", headers=berlin_clerk),
        await api.client.post(
            base, json={"type": "eu_vat", "value": "DE136695976"}, headers=berlin_clerk
        ),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "resource_missing"
    # nor through another customer's path
    cross = await api.client.get(
        f"/v1/customers/{mine['id']}/tax_ids/{tax_id['id']}", headers=berlin_clerk
    )
    assert cross.status_code == 404
    own = await api.client.post(
        f"/v1/customers/{mine['id']}/tax_ids",
        json={"type": "eu_vat", "value": "DE136695976"},
        headers=berlin_clerk,
    )
    assert own.status_code == 200
    events = (await api.client.get("/v1/events", headers=berlin_clerk)).json()["data"]
    assert tax_id["id"] not in {e["data"]["object"]["id"] for e in events}


@pytest.fixture
def vies() -> Iterator[FakeVies]:
    with running_fake_vies(ATU13585627=("ACME Handels GmbH", "Ringstrasse 1, 1010 Wien")) as fake:
        yield fake


async def test_with_vies_enabled_the_check_and_its_date_are_kept_as_proof(
    api: Api, vies: FakeVies
) -> None:
    settings = make_settings(
        api.container.settings.database_url,
        vies_enabled=True,
        vies_url=vies.url,
        vies_timeout_seconds=0.5,
        vies_requester_vat_id="DE136695976",
    )
    api.container.vat_id_checker = build_vat_id_checker(settings, api.container.clock)
    try:
        clerk = await api.key("clerk")
        customer = await _customer(api, clerk)
        base = f"/v1/customers/{customer['id']}/tax_ids"
        verified = await api.client.post(
            base, json={"type": "eu_vat", "value": "ATU13585627"}, headers=clerk
        )
        assert verified.json()["verification"] == {
            "status": "verified",
            "verified_name": "ACME Handels GmbH",
            "verified_address": "Ringstrasse 1, 1010 Wien",
            "checked_at": to_unix(api.container.clock.now()),
            "source": "vies",
            "reference": "WAPIAAAAXYZ123",
        }
        unknown = await api.client.post(
            base, json={"type": "eu_vat", "value": "NL004495445B01"}, headers=clerk
        )
        assert unknown.json()["verification"]["status"] == "unverified"
        vies.answer("hold")
        timed_out = await api.client.post(
            base, json={"type": "eu_vat", "value": "DE136695976"}, headers=clerk
        )
        assert timed_out.status_code == 200
        assert timed_out.json()["verification"]["status"] == "unavailable"
        kept = await api.client.get(f"{base}/{verified.json()['id']}", headers=clerk)
        assert kept.json()["verification"]["reference"] == "WAPIAAAAXYZ123"
    finally:
        await api.container.vat_id_checker.aclose()  # type: ignore[attr-defined]


async def test_a_customer_becomes_the_buyer_party_of_the_vat_rules(api: Api) -> None:
    clerk = await api.key("clerk")
    business = await _customer(
        api,
        clerk,
        address={"country": "AT"},
        tax_exempt="reverse",
        tax_id_data=[
            {"type": "eu_vat", "value": "DE136695976"},
            {"type": "eu_vat", "value": "ATU13585627"},
        ],
    )
    walk_in = await _customer(api, clerk)
    foreign = await _customer(api, clerk, tax_id_data=[{"type": "ch_vat", "value": "CHE113398497"}])
    async with api.container.uow_factory() as uow:
        repo = uow.repo(CustomerRepository)
        parties = [
            await tax_party_of(uow, await repo.get(c["id"]), default_country="DE")  # type: ignore[arg-type]
            for c in (business, walk_in, foreign)
        ]
    assert parties == [
        TaxParty("AT", "ATU13585627", TaxExempt.REVERSE),  # the VAT id of its address's country
        TaxParty("DE"),  # a walk-in: the shop's country
        TaxParty("CH", "CHE-113.398.497 MWST"),  # no address: its VAT id's country
    ]
