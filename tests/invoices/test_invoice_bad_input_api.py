"""Bad input to invoices and credit notes: a clear 400 naming the param, nothing written."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from payments.events.tables import events
from payments.intents.tables import payment_intents
from payments.invoices.tables import (
    credit_note_lines,
    credit_notes,
    invoice_lines,
    invoices,
    number_series,
)
from payments.ledger.tables import ledger_entries
from payments.legal_entities.tables import legal_entities
from payments.refunds.tables import refunds
from support.app import Api
from support.invoices import LABOUR, PARTS, SELLERS, customer, draft, finalized, post, setup

TABLES = (
    invoices,
    invoice_lines,
    credit_notes,
    credit_note_lines,
    number_series,
    ledger_entries,
    events,
    payment_intents,
    refunds,
    legal_entities,
)


async def _counts(api: Api) -> dict[str, Any]:
    """Row counts, and every invoice's and series' state (what a refusal must not touch)."""
    async with api.container.engine.connect() as conn:
        counts: dict[str, Any] = {
            t.name: (await conn.execute(sa.select(sa.func.count()).select_from(t))).scalar()
            for t in TABLES
        }
        counts["invoice_rows"] = sorted(
            tuple(r) for r in (await conn.execute(sa.select(invoices))).all()
        )
        counts["line_rows"] = sorted(
            tuple(r) for r in (await conn.execute(sa.select(invoice_lines))).all()
        )
        counts["series"] = sorted(
            tuple(r) for r in (await conn.execute(sa.select(number_series))).all()
        )
    return counts


async def _refused(
    api: Api, path: str, headers: dict[str, str], body: dict[str, Any], param: str | None, code: str
) -> None:
    before = await _counts(api)
    response = await post(api, path, headers, **body)
    assert response.status_code == 400, (path, body, response.text)
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert (error["param"], error["code"]) == (param, code), (path, body, error)
    assert error["message"]
    assert await _counts(api) == before, (path, body)


async def test_finalizing_an_empty_invoice_is_refused_and_takes_no_number(api: Api) -> None:
    admin, shop = await setup(api)
    empty = await draft(api, admin, shop, await customer(api, admin), lines=[])
    empty_lines: dict[str, Any] = {}
    await _refused(
        api,
        f"/v1/invoices/{empty['id']}/finalize",
        admin,
        empty_lines,
        "lines",
        "invoice_no_line_items",
    )
    # the next invoice still gets number 1: nothing was taken from the series
    numbered = await finalized(api, admin, shop, await customer(api, admin))
    assert numbered["number"] == "DE1-2026-000001"


async def test_a_finalized_invoice_is_never_edited(api: Api) -> None:
    admin, shop = await setup(api)
    invoice = await finalized(api, admin, shop, await customer(api, admin))
    line = invoice["lines"]["data"][0]["id"]
    code = "invoice_unexpected_state"
    base = f"/v1/invoices/{invoice['id']}"
    await _refused(api, base, admin, {"footer": "changed"}, None, code)
    await _refused(api, f"{base}/add_lines", admin, {"lines": [PARTS]}, None, code)
    await _refused(api, f"{base}/remove_lines", admin, {"lines": [{"id": line}]}, None, code)
    await _refused(
        api, f"{base}/update_lines", admin, {"lines": [{"id": line, "quantity": "3"}]}, None, code
    )
    await _refused(api, f"{base}/finalize", admin, {}, None, code)


async def test_a_void_invoice_cannot_be_paid_or_credited(api: Api) -> None:
    admin, shop = await setup(api)
    invoice = await finalized(api, admin, shop, await customer(api, admin))
    assert (await post(api, f"/v1/invoices/{invoice['id']}/void", admin)).status_code == 200
    await _refused(
        api,
        f"/v1/invoices/{invoice['id']}/pay",
        admin,
        {"payment_method": "pm_card_visa"},
        None,
        "invoice_unexpected_state",
    )
    await _refused(
        api,
        f"/v1/invoices/{invoice['id']}/pay",
        admin,
        {"paid_out_of_band": True},
        None,
        "invoice_unexpected_state",
    )
    await _refused(
        api,
        "/v1/credit_notes",
        admin,
        {"invoice": invoice["id"], "amount": 100},
        "invoice",
        "invoice_unexpected_state",
    )


async def test_a_credit_note_above_what_remains_is_refused(api: Api) -> None:
    admin, shop = await setup(api)
    invoice = await finalized(api, admin, shop, await customer(api, admin))
    body = {"invoice": invoice["id"], "amount": invoice["total"] + 1}
    await _refused(api, "/v1/credit_notes", admin, body, "amount", "amount_too_large")
    owed_less = {"invoice": invoice["id"], "amount": 5000, "refund_amount": 5000}
    await _refused(api, "/v1/credit_notes", admin, owed_less, "refund_amount", "amount_too_large")
    line = invoice["lines"]["data"][1]["id"]
    too_many = {
        "invoice": invoice["id"],
        "lines": [{"type": "invoice_line_item", "invoice_line_item": line, "quantity": "2"}],
    }
    await _refused(
        api, "/v1/credit_notes", admin, too_many, "lines[0][quantity]", "amount_too_large"
    )


async def test_bad_lines_name_the_line_and_field(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    invoice = await draft(api, admin, shop, cus, [LABOUR])
    add = f"/v1/invoices/{invoice['id']}/add_lines"
    create = {"customer": cus["id"], "location": shop["id"]}
    cases: list[tuple[dict[str, Any], str, str]] = [
        (PARTS | {"tax_category": "luxury"}, "lines[0][tax_category]", "parameter_invalid"),
        (PARTS | {"quantity": "0"}, "lines[0][quantity]", "parameter_invalid"),
        (PARTS | {"quantity": "1000000000"}, "lines[0][quantity]", "parameter_invalid"),
        (PARTS | {"quantity": "-2"}, "lines[0][quantity]", "parameter_invalid"),
        (PARTS | {"quantity": 1.5}, "lines[0][quantity]", "parameter_invalid"),
        (PARTS | {"unit_amount": -1}, "lines[0][unit_amount]", "parameter_invalid"),
        (PARTS | {"discount_amount": 99999}, "lines[0][discount_amount]", "amount_too_large"),
        (PARTS | {"tax_behavior": "inclusive"}, "lines[0][tax_behavior]", "tax_behavior_mixed"),
        (
            PARTS | {"tax_category": "exempt"},
            "lines[0][exemption_reason]",
            "tax_exemption_reason_missing",
        ),
    ]
    for line, param, code in cases:
        await _refused(api, add, admin, {"lines": [line]}, param, code)
        if code != "tax_behavior_mixed":
            await _refused(api, "/v1/invoices", admin, create | {"lines": [line]}, param, code)


async def test_an_invoice_in_a_currency_the_shop_does_not_take_is_refused(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    body = {"customer": cus["id"], "location": shop["id"], "lines": [LABOUR]}
    await _refused(
        api, "/v1/invoices", admin, body | {"currency": "usd"}, "currency", "currency_not_accepted"
    )
    await _refused(
        api, "/v1/invoices", admin, body | {"currency": "xyz"}, "currency", "currency_invalid"
    )
    invoice = await draft(api, admin, shop, cus)
    await _refused(
        api,
        f"/v1/invoices/{invoice['id']}",
        admin,
        {"currency": "chf"},
        "currency",
        "currency_not_accepted",
    )


async def test_an_invalid_vat_id_is_refused_wherever_it_is_given(api: Api) -> None:
    admin, _ = await setup(api)
    cus = await customer(api, admin)
    bad_seller = SELLERS["DE"] | {"vat_id": "DE136695977"}
    await _refused(api, "/v1/legal_entities", admin, bad_seller, "vat_id", "tax_id_invalid")
    await _refused(
        api,
        f"/v1/customers/{cus['id']}/tax_ids",
        admin,
        {"type": "eu_vat", "value": "FR00000000000"},
        "value",
        "tax_id_invalid",
    )


async def test_an_invoice_needs_a_seller_and_a_complete_buyer(api: Api) -> None:
    admin, shop = await setup(api)
    unlinked = await api.location(admin, name="No seller")
    cus = await customer(api, admin)
    await _refused(
        api,
        "/v1/invoices",
        admin,
        {"customer": cus["id"], "location": unlinked["id"], "lines": [LABOUR]},
        "location",
        "location_without_legal_entity",
    )
    walk_in = await customer(api, admin, address=None, name="Walk-in")
    invoice = await draft(api, admin, shop, walk_in)
    await _refused(
        api,
        f"/v1/invoices/{invoice['id']}/finalize",
        admin,
        {},
        "customer",
        "invoice_customer_incomplete",
    )
    await _refused(
        api,
        "/v1/invoices",
        admin,
        {"customer": cus["id"], "location": shop["id"], "days_until_due": 10},
        "days_until_due",
        "parameter_invalid",
    )
