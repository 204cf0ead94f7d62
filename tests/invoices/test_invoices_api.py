"""Invoices through the API: drafts, finalization, payment, void, uncollectible, send."""

from __future__ import annotations

from typing import Any

from payments.invoices.notifier import EXTRA_KEY
from support.app import Api
from support.invoices import (
    LABOUR,
    PARTS,
    customer,
    dimension_balances,
    draft,
    finalized,
    post,
    setup,
)
from support.refunds import event_types, ledger_kinds, verified


async def test_a_draft_invoice_has_stripes_amounts_and_no_number(api: Api) -> None:
    admin, shop = await setup(api)
    invoice = await draft(api, admin, shop, await customer(api, admin))
    assert invoice["id"].startswith("in_")
    assert invoice["status"] == "draft"
    assert invoice["number"] is None
    assert invoice["currency"] == "eur"  # the shop's
    labour, parts = invoice["lines"]["data"]
    assert labour["id"].startswith("il_")
    assert (labour["quantity"], labour["amount"], labour["kind"]) == ("1.5", 12000, "services")
    assert (parts["kind"], parts["sku"]) == ("goods", "LCD-133")
    assert invoice["subtotal"] == invoice["total_excluding_tax"] == 24900
    assert invoice["tax"] == 4731  # 19 % of 249.00, rounded once
    assert invoice["total"] == invoice["amount_due"] == invoice["amount_remaining"] == 29631
    assert invoice["tax_breakdown"] == [
        {
            "category": "S",
            "rate": "19",
            "country": "DE",
            "taxable_amount": 24900,
            "amount": 4731,
            "exemption_reason": None,
            "exemption_reason_code": None,
        }
    ]
    assert "invoice.created" in await event_types(api, admin)


async def test_a_draft_takes_added_removed_and_changed_lines_and_reprices(api: Api) -> None:
    admin, shop = await setup(api)
    invoice = await draft(api, admin, shop, await customer(api, admin), [LABOUR])
    added = await post(
        api,
        f"/v1/invoices/{invoice['id']}/add_lines",
        admin,
        lines=[PARTS, {"description": "Manual", "unit_amount": 1000, "tax_category": "reduced"}],
    )
    assert added.status_code == 200, added.text
    lines = added.json()["lines"]["data"]
    assert [x["description"] for x in lines] == [
        "Labour: replace display",
        "Display panel 13.3in",
        "Manual",
    ]
    assert [g["rate"] for g in added.json()["tax_breakdown"]] == ["19", "7"]
    changed = await post(
        api,
        f"/v1/invoices/{invoice['id']}/update_lines",
        admin,
        lines=[{"id": lines[0]["id"], "quantity": "2", "discount_amount": 1000}],
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["lines"]["data"][0]["amount"] == 16000
    assert changed.json()["lines"]["data"][0]["amount_excluding_tax"] == 15000
    removed = await post(
        api,
        f"/v1/invoices/{invoice['id']}/remove_lines",
        admin,
        lines=[{"id": lines[2]["id"]}],
    )
    assert removed.status_code == 200, removed.text
    body = removed.json()
    assert len(body["lines"]["data"]) == 2
    assert body["subtotal"] == 15000 + 12900
    assert body["tax"] == 5301  # 19 % of 279.00
    updated = await post(
        api, f"/v1/invoices/{invoice['id']}", admin, footer="Danke!", metadata={"order": "R-7"}
    )
    assert updated.json()["footer"] == "Danke!"
    assert updated.json()["metadata"] == {"order": "R-7"}
    assert (await event_types(api, admin)).count("invoice.updated") == 4


async def test_finalizing_numbers_freezes_and_posts_the_invoice(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    invoice = await finalized(api, admin, shop, cus)
    assert invoice["status"] == "open"
    assert invoice["number"] == "DE1-2026-000001"
    assert invoice["payment_reference"].startswith("RF")
    assert invoice["issue_date"] == invoice["tax_point"] == "2026-01-15"
    assert invoice["language"] == "de"  # the customer's preferred locale
    assert invoice["seller"]["legal_name"] == "MyComputer Deutschland GmbH"
    assert invoice["seller"]["vat_id"] == "DE136695976"
    assert invoice["customer_name"] == "Ada Lovelace"
    assert invoice["status_transitions"]["finalized_at"] is not None
    assert invoice["invoice_pdf"] == f"/v1/invoices/{invoice['id']}/pdf"
    second = await finalized(api, admin, shop, cus)
    assert second["number"] == "DE1-2026-000002"
    # later changes to the seller and the customer do not touch what was issued
    await post(api, f"/v1/legal_entities/{shop['legal_entity']}", admin, legal_name="Renamed")
    await post(api, f"/v1/customers/{cus['id']}", admin, name="Someone Else")
    again = (await api.client.get(f"/v1/invoices/{invoice['id']}", headers=admin)).json()
    assert again["seller"]["legal_name"] == "MyComputer Deutschland GmbH"
    assert again["customer_name"] == "Ada Lovelace"
    assert await ledger_kinds(api, admin, invoice["id"]) == ["invoice.finalized"]
    assert (await dimension_balances(api, admin, "accounts_receivable"))[invoice["id"]] == 29631
    vat = await dimension_balances(api, admin, "vat_payable", prefix="DE:")
    assert vat == {"DE:S:19": 2 * 4731}
    assert "invoice.finalized" in await event_types(api, admin)
    await verified(api)


async def test_paying_charges_the_card_and_allocates_the_payment(api: Api) -> None:
    admin, shop = await setup(api)
    invoice = await finalized(api, admin, shop, await customer(api, admin))
    paid = await post(
        api, f"/v1/invoices/{invoice['id']}/pay", admin, payment_method="pm_card_visa"
    )
    assert paid.status_code == 200, paid.text
    body = paid.json()
    assert body["status"] == "paid"
    assert (body["amount_paid"], body["amount_remaining"]) == (29631, 0)
    assert body["status_transitions"]["paid_at"] is not None
    pi = (
        await api.client.get(f"/v1/payment_intents/{body['payment_intent']}", headers=admin)
    ).json()
    assert (pi["status"], pi["amount"], pi["invoice"]) == ("succeeded", 29631, invoice["id"])
    assert await ledger_kinds(api, admin, pi["id"]) == ["invoice.payment"]
    assert (await dimension_balances(api, admin, "accounts_receivable")).get(invoice["id"], 0) == 0
    assert "invoice.paid" in await event_types(api, admin)
    again = await post(
        api, f"/v1/invoices/{invoice['id']}/pay", admin, payment_method="pm_card_visa"
    )
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invoice_unexpected_state"
    await verified(api)


async def test_paying_without_a_method_uses_the_customers_saved_one(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    pm = await post(api, "/v1/payment_methods", admin, type="card", card={"token": "pm_card_visa"})
    assert pm.status_code == 200, pm.text
    attached = await post(
        api, f"/v1/payment_methods/{pm.json()['id']}/attach", admin, customer=cus["id"]
    )
    assert attached.status_code == 200, attached.text
    invoice = await finalized(api, admin, shop, cus)
    paid = await post(api, f"/v1/invoices/{invoice['id']}/pay", admin)
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid"


async def test_a_declined_payment_leaves_the_invoice_open_and_records_payment_failed(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    invoice = await finalized(api, admin, shop, await customer(api, admin))
    declined = await post(
        api,
        f"/v1/invoices/{invoice['id']}/pay",
        admin,
        payment_method="pm_card_visa_chargeDeclinedInsufficientFunds",
    )
    assert declined.status_code == 402
    assert declined.json()["error"]["decline_code"] == "insufficient_funds"
    still = (await api.client.get(f"/v1/invoices/{invoice['id']}", headers=admin)).json()
    assert (still["status"], still["amount_remaining"], still["attempt_count"]) == (
        "open",
        29631,
        1,
    )
    assert "invoice.payment_failed" in await event_types(api, admin)
    retried = await post(
        api, f"/v1/invoices/{invoice['id']}/pay", admin, payment_method="pm_card_mastercard"
    )
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "paid"
    assert retried.json()["payment_intent"] == still["payment_intent"]  # the same intent, again
    await verified(api)


async def test_an_invoice_paid_out_of_band_posts_the_money_to_the_bank(api: Api) -> None:
    admin, shop = await setup(api)
    invoice = await finalized(api, admin, shop, await customer(api, admin))
    paid = await post(api, f"/v1/invoices/{invoice['id']}/pay", admin, paid_out_of_band=True)
    assert paid.status_code == 200, paid.text
    assert (paid.json()["status"], paid.json()["paid_out_of_band"]) == ("paid", True)
    assert await ledger_kinds(api, admin, invoice["id"]) == ["invoice.finalized"]
    listed = await api.client.get(f"/v1/invoices/{invoice['id']}/payments", headers=admin)
    (payment,) = listed.json()["data"]
    assert (payment["amount_paid"], payment["payment"]["method"]) == (29631, "other")
    assert await ledger_kinds(api, admin, payment["id"]) == ["invoice.paid_out_of_band"]
    await verified(api)


async def test_void_reverses_the_sale_and_a_void_invoice_cannot_be_paid(api: Api) -> None:
    admin, shop = await setup(api)
    invoice = await finalized(api, admin, shop, await customer(api, admin))
    voided = await post(api, f"/v1/invoices/{invoice['id']}/void", admin)
    assert voided.status_code == 200, voided.text
    assert (voided.json()["status"], voided.json()["amount_remaining"]) == ("void", 0)
    assert voided.json()["number"] == invoice["number"]  # numbers are never reused
    assert await ledger_kinds(api, admin, invoice["id"]) == ["invoice.finalized", "invoice.voided"]
    assert await dimension_balances(api, admin, "vat_payable") == {"DE:S:19": 0}
    pay = await post(api, f"/v1/invoices/{invoice['id']}/pay", admin, payment_method="pm_card_visa")
    assert pay.status_code == 400
    assert pay.json()["error"]["code"] == "invoice_unexpected_state"
    assert "invoice.voided" in await event_types(api, admin)
    await verified(api)


async def test_an_uncollectible_invoice_keeps_its_receivable_and_may_still_be_paid(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    invoice = await finalized(api, admin, shop, await customer(api, admin))
    marked = await post(api, f"/v1/invoices/{invoice['id']}/mark_uncollectible", admin)
    assert marked.status_code == 200, marked.text
    assert marked.json()["status"] == "uncollectible"
    await verified(api)
    paid = await post(api, f"/v1/invoices/{invoice['id']}/pay", admin, paid_out_of_band=True)
    assert paid.json()["status"] == "paid"
    assert "invoice.marked_uncollectible" in await event_types(api, admin)


async def test_sending_records_invoice_sent_and_hands_it_to_the_notifier(api: Api) -> None:
    sent: list[tuple[str, str]] = []

    class Recorder:
        async def invoice_sent(self, invoice: dict[str, Any], *, to: str) -> None:
            sent.append((invoice["number"], to))

    api.container.extras[EXTRA_KEY] = Recorder()
    admin, shop = await setup(api)
    invoice = await finalized(
        api, admin, shop, await customer(api, admin), collection_method="send_invoice"
    )
    assert invoice["days_until_due"] == 14
    assert invoice["due_date"] is not None
    response = await post(api, f"/v1/invoices/{invoice['id']}/send", admin)
    assert response.status_code == 200, response.text
    assert response.json()["sent_at"] is not None
    assert sent == [(invoice["number"], "ada@example.com")]
    assert "invoice.sent" in await event_types(api, admin)
    drafted = await draft(api, admin, shop, await customer(api, admin))
    refused = await post(api, f"/v1/invoices/{drafted['id']}/send", admin)
    assert refused.json()["error"]["code"] == "invoice_unexpected_state"


async def test_an_invoice_of_zero_is_paid_when_finalized(api: Api) -> None:
    admin, shop = await setup(api)
    free = [{"description": "Diagnosis (free of charge)", "unit_amount": 0}]
    invoice = await finalized(api, admin, shop, await customer(api, admin), free)
    assert (invoice["status"], invoice["total"]) == ("paid", 0)
    assert invoice["number"] == "DE1-2026-000001"
    assert await ledger_kinds(api, admin, invoice["id"]) == []
    await verified(api)


async def test_the_list_filters_by_customer_status_location_and_due_date(api: Api) -> None:
    admin, shop = await setup(api)
    ada, bob = await customer(api, admin), await customer(api, admin, name="Bob")
    open_ada = await finalized(
        api, admin, shop, ada, collection_method="send_invoice", days_until_due=30
    )
    await draft(api, admin, shop, bob)

    async def ids(**params: Any) -> list[str]:
        response = await api.client.get("/v1/invoices", params=params, headers=admin)
        assert response.status_code == 200, response.text
        return [i["id"] for i in response.json()["data"]]

    assert len(await ids()) == 2
    assert await ids(customer=ada["id"]) == [open_ada["id"]]
    assert await ids(status="open") == [open_ada["id"]]
    assert len(await ids(location=shop["id"])) == 2
    assert await ids(**{"due_date[gte]": open_ada["due_date"]}) == [open_ada["id"]]
    assert await ids(**{"due_date[lte]": open_ada["due_date"] - 86400}) == []
    clerk = await api.key("clerk", location=shop["id"])
    assert len(await ids()) == 2
    other = await api.location(admin, name="Hamburg")
    elsewhere = await api.key("clerk", location=other["id"])
    listed = await api.client.get("/v1/invoices", headers=elsewhere)
    assert listed.json()["data"] == []
    hidden = await api.client.get(f"/v1/invoices/{open_ada['id']}", headers=elsewhere)
    assert hidden.status_code == 404
    seen = await api.client.get(f"/v1/invoices/{open_ada['id']}", headers=clerk)
    assert seen.status_code == 200


async def test_a_shop_invoices_in_the_currencies_it_accepts(api: Api) -> None:
    admin, shop = await setup(api, "CH")
    cus = await customer(
        api,
        admin,
        address={"line1": "Limmatquai 1", "postal_code": "8001", "city": "Zurich", "country": "CH"},
    )
    chf = await draft(api, admin, shop, cus)
    assert chf["currency"] == "chf"
    assert chf["tax_breakdown"][0]["rate"] == "8.1"
    eur = await draft(api, admin, shop, cus, currency="eur")
    assert eur["currency"] == "eur"
    usd = await api.client.post(
        "/v1/invoices",
        json={"customer": cus["id"], "location": shop["id"], "currency": "usd", "lines": [LABOUR]},
        headers=admin,
    )
    assert usd.status_code == 400
    assert (usd.json()["error"]["param"], usd.json()["error"]["code"]) == (
        "currency",
        "currency_not_accepted",
    )
    accepting = await api.client.post(
        f"/v1/locations/{shop['id']}", json={"currencies": ["chf", "eur", "usd"]}, headers=admin
    )
    assert accepting.status_code == 200, accepting.text
    assert (await draft(api, admin, shop, cus, currency="usd"))["currency"] == "usd"


async def test_readonly_keys_read_invoices_and_clerks_write_them(api: Api) -> None:
    admin, shop = await setup(api)
    invoice = await draft(api, admin, shop, await customer(api, admin))
    readonly, clerk = await api.key("readonly"), await api.key("clerk")
    assert (
        await api.client.get(f"/v1/invoices/{invoice['id']}", headers=readonly)
    ).status_code == 200
    refused = await post(api, f"/v1/invoices/{invoice['id']}/finalize", readonly)
    assert refused.status_code == 403
    assert (
        await post(api, "/v1/credit_notes", readonly, invoice=invoice["id"], amount=1)
    ).status_code == 403
    finalized_by_clerk = await post(api, f"/v1/invoices/{invoice['id']}/finalize", clerk)
    assert finalized_by_clerk.status_code == 200, finalized_by_clerk.text
