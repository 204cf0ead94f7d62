"""Invoices and credit notes follow the API's conventions: Stripe's form bodies, partial
updates that tell "not sent" from null, list filters (location, status, created),
expand[] (and a PaymentIntent's invoice), the documented response shapes."""

from __future__ import annotations

from typing import Any

from support.app import Api
from support.invoices import LABOUR, PARTS, customer, draft, finalized, post, setup

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def test_a_form_encoded_invoice_is_the_json_one(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    form = (
        f"customer={cus['id']}&location={shop['id']}&metadata[order]=R-1001"
        "&lines[0][description]=Labour&lines[0][quantity]=1.5&lines[0][unit]=hour"
        "&lines[0][unit_amount]=8000"
        "&lines[1][description]=Display&lines[1][unit_amount]=12900&lines[1][sku]=LCD-133"
    )
    made = await api.client.post("/v1/invoices", content=form, headers=admin | FORM)
    assert made.status_code == 200, made.text
    invoice = made.json()
    as_json = await draft(api, admin, shop, cus)
    assert invoice["total"] == as_json["total"] == 29631
    assert [x["quantity"] for x in invoice["lines"]["data"]] == ["1.5", "1"]
    assert invoice["metadata"] == {"order": "R-1001"}

    line = invoice["lines"]["data"][1]["id"]
    changed = await api.client.post(
        f"/v1/invoices/{invoice['id']}/update_lines",
        content=f"lines[0][id]={line}&lines[0][sku]=&lines[0][discount_amount]=900",
        headers=admin | FORM,
    )
    assert changed.status_code == 200, changed.text
    part = changed.json()["lines"]["data"][1]
    assert (part["sku"], part["discount_amount"], part["kind"]) == (None, 900, "goods")

    finalized_ = await post(api, f"/v1/invoices/{invoice['id']}/finalize", admin)
    assert finalized_.status_code == 200, finalized_.text
    paid = await api.client.post(
        f"/v1/invoices/{invoice['id']}/pay", content="paid_out_of_band=true", headers=admin | FORM
    )
    assert paid.status_code == 200, paid.text
    assert (paid.json()["status"], paid.json()["paid_out_of_band"]) == ("paid", True)

    labour = invoice["lines"]["data"][0]["id"]
    note = await api.client.post(
        "/v1/credit_notes",
        content=(
            f"invoice={invoice['id']}&reason=warranty&lines[0][type]=invoice_line_item"
            f"&lines[0][invoice_line_item]={labour}&lines[0][quantity]=0.5"
            "&out_of_band_amount=4760"
        ),
        headers=admin | FORM,
    )
    assert note.status_code == 200, note.text
    assert (note.json()["total"], note.json()["out_of_band_amount"]) == (4760, 4760)


async def test_an_update_changes_what_it_sends_and_null_clears(api: Api) -> None:
    admin, shop = await setup(api)
    invoice = await draft(
        api,
        admin,
        shop,
        await customer(api, admin),
        footer="Thank you",
        description="Repair R-1",
        metadata={"order": "R-1", "desk": "2"},
    )
    path = f"/v1/invoices/{invoice['id']}"
    kept = await post(api, path, admin, metadata={"desk": ""})
    assert kept.status_code == 200, kept.text
    assert (kept.json()["footer"], kept.json()["description"]) == ("Thank you", "Repair R-1")
    assert kept.json()["metadata"] == {"order": "R-1"}
    cleared = await post(api, path, admin, footer=None, metadata=None)
    assert (cleared.json()["footer"], cleared.json()["metadata"]) == (None, {})
    assert cleared.json()["description"] == "Repair R-1"
    in_form = await api.client.post(path, content="description=", headers=admin | FORM)
    assert in_form.json()["description"] is None
    refused = await post(api, path, admin, currency=None)
    assert refused.status_code == 400
    assert refused.json()["error"]["param"] == "currency"


async def test_invoice_lists_filter_by_status_enum_and_a_restricted_keys_own_shop(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    invoice = await draft(api, admin, shop, await customer(api, admin))
    bad = await api.client.get("/v1/invoices", params={"status": "opened"}, headers=admin)
    assert bad.status_code == 400
    assert bad.json()["error"]["param"] == "status"
    other = await api.location(admin, name="Hamburg")
    elsewhere = await api.key("clerk", location=other["id"])
    for path in ("/v1/invoices", "/v1/credit_notes"):
        foreign = await api.client.get(path, params={"location": shop["id"]}, headers=elsewhere)
        assert foreign.status_code == 404, path
        assert foreign.json()["error"]["param"] == "location"
        own = await api.client.get(path, params={"location": other["id"]}, headers=elsewhere)
        assert own.status_code == 200 and own.json()["data"] == [], path
    mine = await api.client.get("/v1/invoices", params={"location": shop["id"]}, headers=admin)
    assert [i["id"] for i in mine.json()["data"]] == [invoice["id"]]


async def test_expand_shows_an_invoices_customer_payment_and_method_and_a_payments_invoice(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    invoice = await finalized(api, admin, shop, cus)
    paid = await post(
        api, f"/v1/invoices/{invoice['id']}/pay", admin, payment_method="pm_card_visa"
    )
    assert paid.status_code == 200, paid.text
    fields = ["customer", "payment_intent", "default_payment_method"]
    shown = await api.client.get(
        f"/v1/invoices/{invoice['id']}", params={"expand[]": fields}, headers=admin
    )
    assert shown.status_code == 200, shown.text
    body: dict[str, Any] = shown.json()
    assert body["customer"]["id"] == cus["id"]
    assert body["payment_intent"]["object"] == "payment_intent"
    assert body["payment_intent"]["invoice"] == invoice["id"]
    assert body["default_payment_method"] is None

    pi_id = paid.json()["payment_intent"]
    pi = await api.client.get(
        f"/v1/payment_intents/{pi_id}", params={"expand[]": "invoice"}, headers=admin
    )
    assert pi.status_code == 200, pi.text
    assert pi.json()["invoice"]["object"] == "invoice"
    assert pi.json()["invoice"]["number"] == invoice["number"]

    listed = await api.client.get(
        "/v1/invoices", params={"expand[]": "data.customer"}, headers=admin
    )
    assert listed.json()["data"][0]["customer"]["object"] == "customer"
    wrong = await api.client.get(
        f"/v1/invoices/{invoice['id']}", params={"expand[]": "lines"}, headers=admin
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"]["param"] == "expand[0]"

    other = await api.location(admin, name="Hamburg")
    elsewhere = await api.key("admin", location=other["id"])
    hidden = await api.client.get(
        f"/v1/payment_intents/{pi_id}", params={"expand[]": "invoice"}, headers=elsewhere
    )
    assert hidden.status_code == 404


async def test_expand_shows_a_credit_notes_invoice_and_customer(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    invoice = await finalized(api, admin, shop, cus, lines=[LABOUR, PARTS])
    note = await post(api, "/v1/credit_notes", admin, invoice=invoice["id"], amount=1190)
    assert note.status_code == 200, note.text
    shown = await api.client.get(
        f"/v1/credit_notes/{note.json()['id']}",
        params={"expand[]": ["invoice", "customer"]},
        headers=admin,
    )
    assert shown.status_code == 200, shown.text
    assert shown.json()["invoice"]["id"] == invoice["id"]
    assert shown.json()["invoice"]["pre_payment_credit_notes_amount"] == 1190
    assert shown.json()["customer"]["name"] == cus["name"]
    listed = await api.client.get(
        "/v1/credit_notes",
        params={"invoice": invoice["id"], "expand[]": "data.invoice"},
        headers=admin,
    )
    assert listed.json()["data"][0]["invoice"]["object"] == "invoice"


async def test_documents_answer_their_content_types_and_errors_in_json(api: Api) -> None:
    admin, shop = await setup(api)
    invoice = await finalized(api, admin, shop, await customer(api, admin))
    pdf = await api.client.get(f"/v1/invoices/{invoice['id']}/pdf", headers=admin)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    xml = await api.client.get(
        f"/v1/invoices/{invoice['id']}/xml", params={"syntax": "ubl"}, headers=admin
    )
    assert xml.headers["content-type"].startswith("application/xml")
    missing = await api.client.get("/v1/invoices/in_missing/pdf", headers=admin)
    assert missing.status_code == 404
    assert missing.json()["error"]["type"] == "invalid_request_error"
