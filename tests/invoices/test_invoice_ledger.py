"""Invoices in the ledger: VAT per country and rate, receivables per invoice, payments that
settle later, and what ``payments ledger verify`` proves."""

from __future__ import annotations

import sqlalchemy as sa

from payments.app.capabilities import verify_ledger
from payments.invoices.tables import invoices
from payments.kernel.clock import FrozenClock
from support.app import Api
from support.invoices import LABOUR, PARTS, customer, dimension_balances, finalized, post, setup
from support.invoices import seller_shop as second_shop
from support.refunds import event_types, poll_gateway, verified

MANUAL = {"description": "Repair manual", "unit_amount": 2000, "tax_category": "reduced"}


async def test_vat_is_kept_per_country_category_and_rate(api: Api) -> None:
    admin, berlin = await setup(api)
    zurich = await second_shop(api, admin, "CH")
    await finalized(api, admin, berlin, await customer(api, admin), [LABOUR, PARTS, MANUAL])
    swiss = await customer(
        api,
        admin,
        address={"line1": "Limmatquai 1", "postal_code": "8001", "city": "Zurich", "country": "CH"},
    )
    await finalized(api, admin, zurich, swiss, [LABOUR])
    assert await dimension_balances(api, admin, "vat_payable") == {
        "CH:S:8.1": 972,  # 8.1 % of CHF 120.00
        "DE:S:19": 4731,
        "DE:S:7": 140,
    }
    assert await dimension_balances(api, admin, "vat_payable", prefix="CH:") == {"CH:S:8.1": 972}
    assert await dimension_balances(api, admin, "sales", prefix="DE:") == {
        "DE:S:19": 24900,
        "DE:S:7": 2000,
    }
    clerk = await api.key("clerk", location=berlin["id"])
    refused = await api.client.get("/v1/ledger/accounts/vat_payable/dimensions", headers=clerk)
    assert refused.status_code == 403
    missing = await api.client.get("/v1/ledger/accounts/nope/dimensions", headers=admin)
    assert missing.status_code == 404


async def test_a_sepa_payment_settles_the_invoice_when_the_debit_settles(
    api: Api, clock: FrozenClock
) -> None:
    admin, shop = await setup(api)
    invoice = await finalized(api, admin, shop, await customer(api, admin))
    pm = await post(
        api,
        "/v1/payment_methods",
        admin,
        type="sepa_debit",
        sepa_debit={"iban": "DE89370400440532013000"},
        billing_details={"name": "Ada Lovelace", "email": "ada@example.com"},
    )
    assert pm.status_code == 200, pm.text
    paying = await post(
        api, f"/v1/invoices/{invoice['id']}/pay", admin, payment_method=pm.json()["id"]
    )
    assert paying.status_code == 200, paying.text
    assert (paying.json()["status"], paying.json()["amount_remaining"]) == ("open", 29631)
    again = await post(api, f"/v1/invoices/{invoice['id']}/pay", admin, paid_out_of_band=True)
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invoice_payment_in_progress"
    clock.advance(seconds=api.container.settings.simulator_sepa_settlement_seconds + 1)
    await poll_gateway(api.container)
    paid = (await api.client.get(f"/v1/invoices/{invoice['id']}", headers=admin)).json()
    assert (paid["status"], paid["amount_paid"]) == ("paid", 29631)
    assert "invoice.paid" in await event_types(api, admin)
    await verified(api)


async def test_ledger_verify_finds_an_invoice_whose_receivable_disagrees(api: Api) -> None:
    admin, shop = await setup(api)
    invoice = await finalized(api, admin, shop, await customer(api, admin))
    await verified(api)
    async with api.container.engine.begin() as conn:
        await conn.execute(
            invoices.update().where(invoices.c.id == invoice["id"]).values(amount_remaining=100)
        )
    problems = await verify_ledger(uow_factory=api.container.uow_factory)
    assert any(
        p == f"invoice {invoice['id']} owes 100 eur but its receivable is 29631" for p in problems
    ), problems
    async with api.container.engine.begin() as conn:
        await conn.execute(
            invoices.update()
            .where(invoices.c.id == invoice["id"])
            .values(amount_remaining=29631, status="void")
        )
    problems = await verify_ledger(uow_factory=api.container.uow_factory)
    assert any("invoice.voided 0 times, expected 1" in p for p in problems), problems
    async with api.container.engine.connect() as conn:
        count = (await conn.execute(sa.select(sa.func.count()).select_from(invoices))).scalar()
    assert count == 1
