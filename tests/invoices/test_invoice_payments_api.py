"""Several payments per invoice: out of band in parts, by card and in cash, the
customer's credit for an over-payment, the list of an invoice's payments, and
record_offline_payment as other capabilities call it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from payments.invoices.repository import InvoiceRepository
from payments.invoices.service.payments import record_offline_payment
from payments.kernel.errors import InvalidRequest
from payments.kernel.money import Money
from support.app import Api
from support.invoices import customer, dimension_balances, finalized, post, setup
from support.refunds import event_types, ledger_kinds, verified

TOTAL = 29631  # LABOUR + PARTS with 19 % VAT


async def _payments(api: Api, headers: dict[str, str], invoice_id: str) -> list[dict[str, Any]]:
    listed = await api.client.get(f"/v1/invoices/{invoice_id}/payments", headers=headers)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert (body["object"], body["url"]) == ("list", f"/v1/invoices/{invoice_id}/payments")
    return body["data"]  # type: ignore[no-any-return]


async def test_a_clerk_records_cash_in_parts_and_the_invoice_stays_open_until_zero(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    clerk = await api.key("clerk")
    invoice = await finalized(api, admin, shop, await customer(api, admin))
    path = f"/v1/invoices/{invoice['id']}/pay"
    first = await post(
        api, path, clerk, paid_out_of_band=True, amount=10000, method="cash", note="deposit"
    )
    assert first.status_code == 200, first.text
    assert (first.json()["status"], first.json()["amount_paid"]) == ("open", 10000)
    assert first.json()["amount_remaining"] == TOTAL - 10000
    rest = await post(api, path, clerk, paid_out_of_band=True, method="card_terminal")
    assert rest.status_code == 200, rest.text
    assert (rest.json()["status"], rest.json()["amount_paid"]) == ("paid", TOTAL)
    assert rest.json()["amount_remaining"] == 0
    newest, oldest = await _payments(api, admin, invoice["id"])
    assert oldest["id"].startswith("inpay_")
    assert oldest["object"] == "invoice_payment"
    assert (oldest["invoice"], oldest["amount_paid"], oldest["currency"]) == (
        invoice["id"],
        10000,
        "eur",
    )
    assert oldest["status"] == "paid"
    assert oldest["payment"] == {
        "type": "out_of_band",
        "method": "cash",
        "note": "deposit",
        "reference": None,
    }
    assert (newest["amount_paid"], newest["payment"]["method"]) == (TOTAL - 10000, "card_terminal")
    assert await ledger_kinds(api, admin, oldest["id"]) == ["invoice.paid_out_of_band"]
    types = await event_types(api, admin)
    assert types.count("invoice_payment.paid") == 2
    assert "invoice.updated" in types and "invoice.paid" in types
    paged = await api.client.get(
        f"/v1/invoices/{invoice['id']}/payments", params={"limit": 1}, headers=admin
    )
    assert (paged.json()["has_more"], paged.json()["data"][0]["id"]) == (True, newest["id"])
    after = await api.client.get(
        f"/v1/invoices/{invoice['id']}/payments",
        params={"limit": 1, "starting_after": newest["id"]},
        headers=admin,
    )
    assert [p["id"] for p in after.json()["data"]] == [oldest["id"]]
    await verified(api)


async def test_card_and_cash_pay_one_invoice(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    invoice = await finalized(api, admin, shop, cus)
    cash = await post(
        api,
        f"/v1/invoices/{invoice['id']}/pay",
        admin,
        paid_out_of_band=True,
        amount=5000,
        method="cash",
    )
    assert cash.status_code == 200, cash.text
    card = await post(
        api, f"/v1/invoices/{invoice['id']}/pay", admin, payment_method="pm_card_visa"
    )
    assert card.status_code == 200, card.text
    assert (card.json()["status"], card.json()["amount_paid"]) == ("paid", TOTAL)
    by_card, by_cash = await _payments(api, admin, invoice["id"])
    assert by_card["payment"] == {
        "type": "payment_intent",
        "payment_intent": card.json()["payment_intent"],
    }
    assert by_card["amount_paid"] == TOTAL - 5000
    assert by_cash["payment"]["method"] == "cash"
    assert (await dimension_balances(api, admin, "accounts_receivable")).get(invoice["id"], 0) == 0
    await verified(api)


async def test_an_over_payment_goes_to_the_customers_credit_balance(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    invoice = await finalized(api, admin, shop, cus)
    paid = await post(
        api,
        f"/v1/invoices/{invoice['id']}/pay",
        admin,
        paid_out_of_band=True,
        amount=TOTAL + 369,
        method="bank_transfer",
        reference="TRF 2026-01-20 Ada",
    )
    assert paid.status_code == 200, paid.text
    assert (paid.json()["status"], paid.json()["amount_paid"]) == ("paid", TOTAL)
    (payment,) = await _payments(api, admin, invoice["id"])
    assert (payment["amount_requested"], payment["amount_paid"], payment["amount_credited"]) == (
        TOTAL + 369,
        TOTAL,
        369,
    )
    assert payment["payment"]["reference"] == "TRF 2026-01-20 Ada"
    assert (await dimension_balances(api, admin, "customer_credit"))[cus["id"]] == 369
    await verified(api)


async def test_bad_offline_payments_are_refused_naming_the_param_and_write_nothing(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    invoice = await finalized(api, admin, shop, await customer(api, admin))
    path = f"/v1/invoices/{invoice['id']}/pay"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"paid_out_of_band": True, "amount": 0}, "amount"),
        ({"paid_out_of_band": True, "amount": -5}, "amount"),
        ({"paid_out_of_band": True, "amount": "12.50"}, "amount"),
        ({"paid_out_of_band": True, "method": "cheque"}, "method"),
        ({"paid_out_of_band": True, "note": "x" * 1001}, "note"),
        ({"amount": 100}, "amount"),
        ({"method": "cash", "payment_method": "pm_card_visa"}, "method"),
    ]
    for body, param in cases:
        refused = await api.client.post(path, json=body, headers=admin)
        assert refused.status_code == 400, (body, refused.text)
        assert refused.json()["error"]["param"] == param, (body, refused.text)
    readonly = await api.key("readonly")
    denied = await post(api, path, readonly, paid_out_of_band=True)
    assert denied.status_code == 403
    assert await _payments(api, admin, invoice["id"]) == []
    still = (await api.client.get(f"/v1/invoices/{invoice['id']}", headers=admin)).json()
    assert (still["status"], still["amount_paid"]) == ("open", 0)
    await verified(api)


async def test_another_shops_key_sees_an_invoices_payments_as_missing(api: Api) -> None:
    admin, shop = await setup(api)
    invoice = await finalized(api, admin, shop, await customer(api, admin))
    other = await api.location(admin, name="Other shop")
    restricted = await api.key("clerk", location=other["id"])
    listed = await api.client.get(f"/v1/invoices/{invoice['id']}/payments", headers=restricted)
    assert listed.status_code == 404
    paid = await post(api, f"/v1/invoices/{invoice['id']}/pay", restricted, paid_out_of_band=True)
    assert paid.status_code == 404


async def test_record_offline_payment_applies_inside_the_callers_unit_of_work(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    invoice = await finalized(api, admin, shop, cus)
    now = datetime(2026, 1, 20, 10, 0, tzinfo=UTC)
    async with api.container.uow_factory() as uow:
        payment = await record_offline_payment(
            uow,
            invoice_id=invoice["id"],
            amount=Money(20000, "eur"),
            method="bank_transfer",
            reference="STMT-1/7",
            note="camt.053 entry 7",
            now=now,
        )
        await uow.commit()
    assert (payment.amount_paid, payment.amount_credited, payment.paid_at) == (20000, 0, now)
    async with api.container.uow_factory() as uow:
        stored = await uow.repo(InvoiceRepository).get(invoice["id"])
    assert stored is not None and stored.amount_remaining == TOTAL - 20000
    # rolled back with the caller: nothing applied
    async with api.container.uow_factory() as uow:
        await record_offline_payment(
            uow,
            invoice_id=invoice["id"],
            amount=Money(100, "eur"),
            method="bank_transfer",
            reference=None,
            note=None,
            now=now,
        )
    assert len(await _payments(api, admin, invoice["id"])) == 1
    async with api.container.uow_factory() as uow:
        second = await record_offline_payment(
            uow,
            invoice_id=invoice["id"],
            amount=Money(TOTAL, "eur"),
            method="bank_transfer",
            reference=None,
            note=None,
            now=now,
        )
        await uow.commit()
    assert (second.amount_paid, second.amount_credited) == (TOTAL - 20000, 20000)
    for bad, param in (
        (dict(amount=Money(100, "eur")), "id"),  # paid now: not open
        (dict(amount=Money(100, "chf")), "currency"),
    ):
        target = invoice["id"]
        if param == "currency":
            target = (await finalized(api, admin, shop, cus))["id"]
        async with api.container.uow_factory() as uow:
            try:
                await record_offline_payment(
                    uow,
                    invoice_id=target,
                    method="cash",
                    reference=None,
                    note=None,
                    now=now,
                    **bad,  # type: ignore[arg-type]
                )
            except InvalidRequest as refused:
                assert param == "currency" or refused.code == "invoice_unexpected_state"
            else:
                raise AssertionError(f"{bad} was accepted")
    await verified(api)
