"""Credit notes through the API: by lines or amount, refunds, credit, out of band, limits,
void, and the credit note a refund of an invoiced payment gets."""

from __future__ import annotations

from typing import Any

from support.app import Api
from support.invoices import (
    customer,
    dimension_balances,
    finalized,
    post,
    setup,
)
from support.refunds import event_types, ledger_kinds, verified


async def _paid(api: Api, admin: dict[str, str], shop: dict[str, Any]) -> dict[str, Any]:
    invoice = await finalized(api, admin, shop, await customer(api, admin))
    paid = await post(
        api, f"/v1/invoices/{invoice['id']}/pay", admin, payment_method="pm_card_visa"
    )
    assert paid.status_code == 200, paid.text
    return paid.json()  # type: ignore[no-any-return]


async def test_a_partial_credit_note_by_line_refunds_through_the_invoices_payment(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    invoice = await _paid(api, admin, shop)
    labour = invoice["lines"]["data"][0]
    response = await post(
        api,
        "/v1/credit_notes",
        admin,
        invoice=invoice["id"],
        lines=[{"type": "invoice_line_item", "invoice_line_item": labour["id"], "quantity": "0.5"}],
        refund_amount=4760,
        reason="warranty",
    )
    assert response.status_code == 200, response.text
    note = response.json()
    assert note["id"].startswith("cn_")
    assert note["number"] == "DE1-CN-2026-000001"
    assert (note["subtotal_excluding_tax"], note["tax"], note["total"]) == (4000, 760, 4760)
    assert note["tax_breakdown"][0] | {"amount": 760} == note["tax_breakdown"][0]
    assert (note["refund_amount"], note["pre_payment_amount"], note["type"]) == (
        4760,
        0,
        "post_payment",
    )
    [refund] = note["refunds"]
    assert refund["amount_refunded"] == 4760
    re = (await api.client.get(f"/v1/refunds/{refund['refund']}", headers=admin)).json()
    assert (re["status"], re["reason"], re["amount"]) == ("succeeded", "warranty", 4760)
    assert await ledger_kinds(api, admin, note["id"]) == ["credit_note.created"]
    assert (await dimension_balances(api, admin, "vat_payable"))["DE:S:19"] == 4731 - 760
    after = (await api.client.get(f"/v1/invoices/{invoice['id']}", headers=admin)).json()
    assert after["post_payment_credit_notes_amount"] == 4760
    assert after["status"] == "paid"
    listed = await api.client.get(
        "/v1/credit_notes", params={"invoice": invoice["id"]}, headers=admin
    )
    assert [n["id"] for n in listed.json()["data"]] == [note["id"]]
    assert "credit_note.created" in await event_types(api, admin)
    await verified(api)


async def test_a_credit_note_on_an_open_invoice_reduces_what_is_owed_and_can_settle_it(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    invoice = await finalized(api, admin, shop, await customer(api, admin))
    first = await post(api, "/v1/credit_notes", admin, invoice=invoice["id"], amount=10000)
    assert first.status_code == 200, first.text
    assert first.json()["pre_payment_amount"] == 10000
    owed = (await api.client.get(f"/v1/invoices/{invoice['id']}", headers=admin)).json()
    assert (owed["amount_due"], owed["amount_remaining"], owed["status"]) == (19631, 19631, "open")
    assert (await dimension_balances(api, admin, "accounts_receivable"))[invoice["id"]] == 19631
    rest = await post(api, "/v1/credit_notes", admin, invoice=invoice["id"], amount=19631)
    assert rest.status_code == 200, rest.text
    settled = (await api.client.get(f"/v1/invoices/{invoice['id']}", headers=admin)).json()
    assert (settled["status"], settled["amount_remaining"]) == ("paid", 0)
    more = await post(
        api, "/v1/credit_notes", admin, invoice=invoice["id"], amount=1, credit_amount=1
    )
    assert more.status_code == 400
    assert (more.json()["error"]["param"], more.json()["error"]["code"]) == (
        "amount",
        "amount_too_large",
    )
    await verified(api)


async def test_credit_to_the_balance_and_out_of_band_are_posted_where_the_money_goes(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    invoice = await _paid(api, admin, shop)
    note = await post(
        api,
        "/v1/credit_notes",
        admin,
        invoice=invoice["id"],
        amount=3000,
        credit_amount=2000,
        out_of_band_amount=1000,
        reason="order_change",
    )
    assert note.status_code == 200, note.text
    assert note.json()["refunds"] == []
    credit = await dimension_balances(api, admin, "customer_credit")
    assert credit[invoice["customer"]] == 2000
    await verified(api)


async def test_refunds_of_a_credit_note_follow_the_refund_approval_policy(api: Api) -> None:
    admin, shop = await setup(api)
    invoice = await _paid(api, admin, shop)
    clerk = await api.key("clerk")
    note = await post(
        api, "/v1/credit_notes", clerk, invoice=invoice["id"], amount=25000, refund_amount=25000
    )
    assert note.status_code == 200, note.text
    refund_id = note.json()["refunds"][0]["refund"]
    refund = (await api.client.get(f"/v1/refunds/{refund_id}", headers=admin)).json()
    assert (refund["status"], refund["approval"]["required_because"]) == (
        "pending_approval",
        "amount_above_threshold",
    )
    refused = await post(api, f"/v1/credit_notes/{note.json()['id']}/void", admin)
    assert refused.status_code == 400  # the refund may still be approved
    assert refused.json()["error"]["code"] == "credit_note_unexpected_state"
    rejected = await post(api, f"/v1/refunds/{refund_id}/reject", admin, reason="not ours")
    assert rejected.status_code == 200, rejected.text
    voided = await post(api, f"/v1/credit_notes/{note.json()['id']}/void", admin)
    assert voided.status_code == 200, voided.text
    assert voided.json()["status"] == "void"
    assert await ledger_kinds(api, admin, note.json()["id"]) == [
        "credit_note.created",
        "credit_note.voided",
    ]
    assert "credit_note.voided" in await event_types(api, admin)
    await verified(api)


async def test_a_credit_note_is_voided_only_while_nothing_was_refunded(api: Api) -> None:
    admin, shop = await setup(api)
    invoice = await _paid(api, admin, shop)
    note = await post(
        api, "/v1/credit_notes", admin, invoice=invoice["id"], amount=1000, refund_amount=1000
    )
    refused = await post(api, f"/v1/credit_notes/{note.json()['id']}/void", admin)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "credit_note_unexpected_state"
    unrefunded = await post(
        api, "/v1/credit_notes", admin, invoice=invoice["id"], amount=1000, credit_amount=1000
    )
    voided = await post(api, f"/v1/credit_notes/{unrefunded.json()['id']}/void", admin)
    assert voided.status_code == 200, voided.text
    twice = await post(api, f"/v1/credit_notes/{unrefunded.json()['id']}/void", admin)
    assert twice.json()["error"]["code"] == "credit_note_unexpected_state"
    await verified(api)


async def test_credit_notes_never_exceed_the_invoice_in_all(api: Api) -> None:
    admin, shop = await setup(api)
    invoice = await _paid(api, admin, shop)
    labour = invoice["lines"]["data"][0]
    whole = await post(
        api,
        "/v1/credit_notes",
        admin,
        invoice=invoice["id"],
        lines=[{"type": "invoice_line_item", "invoice_line_item": labour["id"]}],
        credit_amount=14280,
    )
    assert whole.status_code == 200, whole.text
    assert whole.json()["lines"]["data"][0]["quantity"] == "1.5"
    again = await post(
        api,
        "/v1/credit_notes",
        admin,
        invoice=invoice["id"],
        lines=[{"type": "invoice_line_item", "invoice_line_item": labour["id"], "quantity": "0.1"}],
        credit_amount=952,
    )
    assert again.status_code == 400
    assert again.json()["error"]["param"] == "lines[0][quantity]"
    too_much = await post(
        api, "/v1/credit_notes", admin, invoice=invoice["id"], amount=15352, refund_amount=15352
    )
    assert too_much.status_code == 400
    assert too_much.json()["error"]["code"] == "amount_too_large"
    rest = await post(
        api, "/v1/credit_notes", admin, invoice=invoice["id"], amount=15351, refund_amount=15351
    )
    assert rest.status_code == 200, rest.text
    await verified(api)


async def test_a_refund_of_an_invoiced_payment_creates_its_credit_note(api: Api) -> None:
    admin, shop = await setup(api)
    invoice = await _paid(api, admin, shop)
    refund = await post(
        api,
        "/v1/refunds",
        admin,
        payment_intent=invoice["payment_intent"],
        amount=5950,
        reason="repair_cancelled",
    )
    assert refund.status_code == 200, refund.text
    notes = await api.client.get(
        "/v1/credit_notes", params={"invoice": invoice["id"]}, headers=admin
    )
    [note] = notes.json()["data"]
    assert note["refunds"] == [{"refund": refund.json()["id"], "amount_refunded": 5950}]
    assert (note["total"], note["tax"], note["reason"]) == (5950, 950, "repair_cancelled")
    refund_tx = await ledger_kinds(api, admin, refund.json()["id"])
    assert refund_tx == ["refund.created", "refund.succeeded"]
    credited = await post(
        api, "/v1/credit_notes", admin, invoice=invoice["id"], amount=10000, credit_amount=10000
    )
    assert credited.status_code == 200, credited.text
    # the charge could give 20000 back, but the invoice has only 13681 left to credit:
    # refused, nothing written
    too_much = await post(
        api, "/v1/refunds", admin, payment_intent=invoice["payment_intent"], amount=20000
    )
    assert too_much.status_code == 400
    assert (too_much.json()["error"]["param"], too_much.json()["error"]["code"]) == (
        "amount",
        "amount_too_large",
    )
    again = await api.client.get(
        "/v1/credit_notes", params={"invoice": invoice["id"]}, headers=admin
    )
    assert len(again.json()["data"]) == 2
    refunds = await api.client.get(
        "/v1/refunds", params={"payment_intent": invoice["payment_intent"]}, headers=admin
    )
    assert len(refunds.json()["data"]) == 1
    await verified(api)


async def test_credit_note_numbers_are_consecutive_per_seller(api: Api) -> None:
    admin, shop = await setup(api)
    invoice = await finalized(api, admin, shop, await customer(api, admin))
    numbers = []
    for _ in range(3):
        note = await post(api, "/v1/credit_notes", admin, invoice=invoice["id"], amount=100)
        numbers.append(note.json()["number"])
    assert numbers == ["DE1-CN-2026-000001", "DE1-CN-2026-000002", "DE1-CN-2026-000003"]
