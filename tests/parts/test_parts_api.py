"""The parts catalogue, and invoice lines given by sku alone: priced from it when added,
never re-priced after, and announced to the Inventory Service (``inventory.part_used``)
when the invoice is finalized (both databases)."""

from __future__ import annotations

from typing import Any

from payments.app.capabilities import verify_ledger
from support.app import Api
from support.invoices import customer, draft, post, setup

DISPLAY = {
    "sku": "LCD-MBP13-2020",
    "currency": "eur",
    "description": "Display assembly MacBook Pro 13 (2020)",
    "unit_amount": 24900,
}
FAN = {
    "sku": "FAN-T14",
    "currency": "eur",
    "description": "Cooling fan ThinkPad T14",
    "unit_amount": 2990,
}


async def _part(api: Api, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    response = await api.client.post("/v1/parts", json=DISPLAY | fields, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_finance_keeps_the_catalogue_clerks_read_it(api: Api) -> None:
    admin, _shop = await setup(api)
    finance, clerk = await api.key("finance"), await api.key("clerk")
    part = await _part(api, finance)
    assert part["object"] == "part" and part["id"].startswith("part_")
    assert (part["sku"], part["unit_amount"], part["tax_category"], part["active"]) == (
        "LCD-MBP13-2020",
        24900,
        "standard",
        True,
    )
    refused = await api.client.post("/v1/parts", json=FAN, headers=clerk)
    assert refused.status_code == 403
    listed = await api.client.get("/v1/parts", params={"sku": "LCD-MBP13-2020"}, headers=clerk)
    assert [p["id"] for p in listed.json()["data"]] == [part["id"]]
    again = await api.client.post("/v1/parts", json=DISPLAY, headers=finance)
    assert (again.status_code, again.json()["error"]["param"]) == (400, "sku")
    in_pln = await _part(api, finance, currency="pln", unit_amount=109900)
    assert in_pln["currency"] == "pln"
    updated = await api.client.post(
        f"/v1/parts/{part['id']}", json={"unit_amount": 25900}, headers=admin
    )
    assert updated.json()["unit_amount"] == 25900


async def test_bad_parts_are_refused_naming_the_param_and_nothing_is_written(api: Api) -> None:
    admin, _shop = await setup(api)
    for body, param in (
        (DISPLAY | {"sku": "has space"}, "sku"),
        (DISPLAY | {"currency": "xyz"}, "currency"),
        (DISPLAY | {"tax_category": "luxury"}, "tax_category"),
        (DISPLAY | {"unit_amount": -1}, "unit_amount"),
        (DISPLAY | {"unit_amount": 12.5}, "unit_amount"),
    ):
        response = await api.client.post("/v1/parts", json=body, headers=admin)
        assert response.status_code == 400, body
        assert response.json()["error"]["param"] == param
    assert (await api.client.get("/v1/parts", headers=admin)).json()["data"] == []


async def test_a_line_given_by_sku_is_priced_from_the_catalogue_and_keeps_its_price(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    part = await _part(api, admin)
    cus = await customer(api, admin)
    invoice = await draft(api, admin, shop, cus, [{"sku": "LCD-MBP13-2020", "quantity": "1"}])
    line = invoice["lines"]["data"][0]
    assert (line["description"], line["unit_amount"], line["tax_category"]) == (
        "Display assembly MacBook Pro 13 (2020)",
        24900,
        "standard",
    )
    assert invoice["total"] == 24900 + 4731  # 19 % German VAT, rounded per line total

    # a new price applies to lines added from now on; the first line keeps its price
    await api.client.post(f"/v1/parts/{part['id']}", json={"unit_amount": 26900}, headers=admin)
    added = await post(
        api, f"/v1/invoices/{invoice['id']}/add_lines", admin, lines=[{"sku": "LCD-MBP13-2020"}]
    )
    assert added.status_code == 200, added.text
    assert [x["unit_amount"] for x in added.json()["lines"]["data"]] == [24900, 26900]

    # what the caller gives wins over the catalogue
    own = await post(
        api,
        f"/v1/invoices/{invoice['id']}/add_lines",
        admin,
        lines=[{"sku": "LCD-MBP13-2020", "unit_amount": 19900, "description": "Goodwill price"}],
    )
    assert own.json()["lines"]["data"][-1]["unit_amount"] == 19900


async def test_an_unpriced_line_is_refused_and_nothing_is_written(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    body = {"customer": cus["id"], "location": shop["id"], "lines": [{"sku": "NOPE-1"}]}
    unknown = await api.client.post("/v1/invoices", json=body, headers=admin)
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "resource_missing"
    assert unknown.json()["error"]["param"] == "lines[0][sku]"
    body["lines"] = [{"description": "Diagnosis"}]
    missing = await api.client.post("/v1/invoices", json=body, headers=admin)
    assert (missing.status_code, missing.json()["error"]["param"]) == (400, "lines[0][unit_amount]")
    assert (await api.client.get("/v1/invoices", headers=admin)).json()["data"] == []


async def test_finalizing_an_invoice_with_parts_tells_inventory_what_was_used(api: Api) -> None:
    admin, shop = await setup(api)
    await _part(api, admin)
    await api.client.post("/v1/parts", json=FAN, headers=admin)
    cus = await customer(api, admin)
    lines = [
        {"sku": "LCD-MBP13-2020"},
        {"sku": "FAN-T14", "quantity": "2"},
        {"description": "Labour", "unit_amount": 8000, "quantity": "1.5", "unit": "hour"},
        {"sku": "FAN-T14"},
    ]
    invoice = await draft(api, admin, shop, cus, lines)
    done = await post(api, f"/v1/invoices/{invoice['id']}/finalize", admin)
    assert done.status_code == 200, done.text

    events = await api.client.get(
        "/v1/events", params={"type": "inventory.part_used"}, headers=admin
    )
    [event] = events.json()["data"]
    usage = event["data"]["object"]
    assert usage["object"] == "part_usage" and usage["invoice"] == invoice["id"]
    assert usage["number"] == done.json()["number"] and usage["location"] == shop["id"]
    assert usage["parts"] == [
        {"sku": "LCD-MBP13-2020", "quantity": "1"},
        {"sku": "FAN-T14", "quantity": "3"},
    ]
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_an_invoice_without_parts_sends_no_part_usage(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    labour = [{"description": "Labour", "unit_amount": 8000}]
    invoice = await draft(api, admin, shop, cus, labour)
    assert (await post(api, f"/v1/invoices/{invoice['id']}/finalize", admin)).status_code == 200
    events = await api.client.get(
        "/v1/events", params={"type": "inventory.part_used"}, headers=admin
    )
    assert events.json()["data"] == []
