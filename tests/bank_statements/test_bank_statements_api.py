"""Bank transfers matched from statements, through the API, on SQLite and PostgreSQL:
a camt.053 whose credits pay invoices by creditor reference, by invoice number in the
text and by exact amount + payer name; an ambiguous one matched by a person; a partial
and an over-payment; re-imports that change nothing; the ledger verified after each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from payments.app.capabilities import verify_ledger
from support.app import Api
from support.invoices import customer, dimension_balances, finalized, setup

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bank_statements"
XML = {"Content-Type": "application/xml"}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def line(net: int) -> list[dict[str, Any]]:
    return [{"description": "Repair", "unit_amount": net}]


async def verified(api: Api) -> None:
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def upload(api: Api, headers: dict[str, str], name: str) -> Any:
    response = await api.client.post(
        "/v1/bank_statements", content=fixture(name), headers=headers | XML
    )
    assert response.status_code == 200, response.text
    return response.json()


async def transactions(api: Api, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    response = await api.client.get(
        "/v1/bank_transactions", params={"limit": "100"} | params, headers=headers
    )
    assert response.status_code == 200, response.text
    return sorted(response.json()["data"], key=lambda t: t["id"])


async def invoice(api: Api, headers: dict[str, str], invoice_id: str) -> Any:
    response = await api.client.get(f"/v1/invoices/{invoice_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def open_invoices(api: Api) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """The eight invoices the sample statements pay (DE1-2026-000001 .. 000008)."""
    admin, shop = await setup(api)
    people = {
        name: await customer(api, admin, name=name, email=f"{name.split()[0].lower()}@example.com")
        for name in ("Ada Lovelace", "Charles Babbage", "Grace Hopper", "Alan Turing")
    }
    plan = [
        ("Ada Lovelace", 10000),  # 119.00, paid by its structured RF reference
        ("Charles Babbage", 20000),  # 238.00, its number in the text
        ("Grace Hopper", 5000),  # 59.50, exact amount + name
        ("Alan Turing", 10000),  # 119.00 \ two equal ones: ambiguous
        ("Alan Turing", 10000),  # 119.00 /
        ("Ada Lovelace", 20000),  # 238.00, paid 100.00 (partial)
        ("Charles Babbage", 5000),  # 59.50, paid 70.00 (over)
        ("Grace Hopper", 10000),  # 119.00, in the camt.053.001.02 collective credit
    ]
    made: dict[str, dict[str, Any]] = {}
    for n, (name, net) in enumerate(plan, start=1):
        inv = await finalized(api, admin, shop, people[name], line(net))
        assert inv["number"] == f"DE1-2026-{n:06d}", inv["number"]
        made[inv["number"]] = inv
    return admin, made


async def test_a_statement_pays_invoices_by_every_rule_and_a_person_matches_the_rest(
    api: Api,
) -> None:
    admin, inv = await open_invoices(api)
    finance = await api.key("finance")
    await verified(api)

    statement = await upload(api, finance, "camt053_v08_2026-01-20.xml")
    assert statement["object"] == "bank_statement"
    assert statement["message"] == "camt.053.001.08"
    assert statement["account"]["iban"] == "DE89370400440532013000"
    assert (statement["transaction_count"], statement["transactions_imported"]) == (7, 7)
    assert statement["entries_skipped"] == 1
    assert statement["transactions"] == {"matched": 5, "unmatched": 1, "ignored": 1}
    await verified(api)

    txs = await transactions(api, finance, bank_statement=statement["id"])
    by_ref = {t["account_servicer_reference"]: t for t in txs}
    rf, number, name, ambiguous, partial, over, fee = (
        by_ref[f"20260120000012{n}"] for n in range(34, 41)
    )
    expectations = [
        (rf, "DE1-2026-000001", "creditor_reference"),
        (number, "DE1-2026-000002", "invoice_number"),
        (name, "DE1-2026-000003", "amount_and_name"),
        (partial, "DE1-2026-000006", "creditor_reference"),
        (over, "DE1-2026-000007", "invoice_number"),
    ]
    for tx, number_, method in expectations:
        assert tx["status"] == "matched", tx
        assert [(a["invoice"], a["method"]) for a in tx["allocations"]] == [
            (inv[number_]["id"], method)
        ]
        assert tx["amount_applied"] == tx["amount"] and tx["amount_unapplied"] == 0
    assert fee["status"] == "ignored" and fee["ignored_reason"] == "debit"

    # the invoices: paid, partly paid (stays open), over-paid (the excess is credit)
    assert (await invoice(api, admin, inv["DE1-2026-000001"]["id"]))["status"] == "paid"
    assert (await invoice(api, admin, inv["DE1-2026-000002"]["id"]))["status"] == "paid"
    assert (await invoice(api, admin, inv["DE1-2026-000003"]["id"]))["status"] == "paid"
    sixth = await invoice(api, admin, inv["DE1-2026-000006"]["id"])
    assert (sixth["status"], sixth["amount_paid"], sixth["amount_remaining"]) == (
        "open",
        10000,
        13800,
    )
    seventh = await invoice(api, admin, inv["DE1-2026-000007"]["id"])
    assert (seventh["status"], seventh["amount_paid"]) == ("paid", 5950)
    credit = await dimension_balances(api, admin, "customer_credit")
    assert credit[seventh["customer"]] == 7000 - 5950
    payments = await api.client.get(
        f"/v1/invoices/{inv['DE1-2026-000001']['id']}/payments", headers=admin
    )
    assert payments.status_code == 200, payments.text
    [paid] = payments.json()["data"]
    assert paid["payment"]["reference"] == "2026012000001234"
    assert paid["payment"]["method"] == "bank_transfer"

    # the ambiguous one waits in the queue with its candidates
    queue = await transactions(api, finance, status="unmatched")
    assert [t["id"] for t in queue] == [ambiguous["id"]]
    candidates = {c["invoice"] for c in ambiguous["match_candidates"] if c["score"] >= 85}
    assert candidates == {inv["DE1-2026-000004"]["id"], inv["DE1-2026-000005"]["id"]}
    events = await api.client.get(
        "/v1/events", params={"type": "bank_transaction.unmatched"}, headers=admin
    )
    assert [e["data"]["object"]["id"] for e in events.json()["data"]] == [ambiguous["id"]]

    # a person matches it
    matched = await api.client.post(
        f"/v1/bank_transactions/{ambiguous['id']}/match",
        json={"invoice": inv["DE1-2026-000004"]["id"]},
        headers=finance,
    )
    assert matched.status_code == 200, matched.text
    assert matched.json()["status"] == "matched"
    assert matched.json()["allocations"][0]["method"] == "manual"
    assert (await invoice(api, admin, inv["DE1-2026-000004"]["id"]))["status"] == "paid"
    assert (await invoice(api, admin, inv["DE1-2026-000005"]["id"]))["status"] == "open"
    assert await transactions(api, finance, status="unmatched") == []
    events = await api.client.get(
        "/v1/events", params={"type": "bank_transaction.matched"}, headers=admin
    )
    assert len(events.json()["data"]) == 6
    await verified(api)

    # matched once: not twice
    again = await api.client.post(
        f"/v1/bank_transactions/{ambiguous['id']}/match",
        json={"invoice": inv["DE1-2026-000005"]["id"]},
        headers=finance,
    )
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "bank_transaction_unexpected_state"

    # re-importing the statement, or the morning's notification of its first transfer,
    # changes nothing
    balances = await api.client.get("/v1/ledger/accounts", headers=admin)
    before = (await transactions(api, finance), balances.json())
    repeat = await upload(api, finance, "camt053_v08_2026-01-20.xml")
    assert repeat["id"] == statement["id"]
    assert repeat["transactions"] == {"matched": 6, "unmatched": 0, "ignored": 1}
    notification = await upload(api, finance, "camt054_v08_2026-01-20.xml")
    assert notification["kind"] == "notification"
    assert (notification["transaction_count"], notification["transactions_imported"]) == (1, 0)
    balances = await api.client.get("/v1/ledger/accounts", headers=admin)
    assert (await transactions(api, finance), balances.json()) == before
    await verified(api)


async def test_a_collective_credit_in_the_older_layout_and_the_cli(api: Api) -> None:
    admin, inv = await open_invoices(api)
    finance = await api.key("finance")
    multipart = await api.client.post(
        "/v1/bank_statements",
        files={"file": ("2026-01-21.xml", fixture("camt053_v02_2026-01-21.xml"), "text/xml")},
        headers=finance,
    )
    assert multipart.status_code == 200, multipart.text
    statement = multipart.json()
    assert (statement["message"], statement["filename"]) == ("camt.053.001.02", "2026-01-21.xml")
    assert statement["transactions"] == {"matched": 1, "unmatched": 1, "ignored": 0}
    grace, unknown = await transactions(api, finance, bank_statement=statement["id"])
    assert grace["allocations"][0]["invoice"] == inv["DE1-2026-000008"]["id"]
    assert grace["account_servicer_reference"] == "2026012100000777"
    assert unknown["status"] == "unmatched"
    assert unknown["debtor"] == {"name": "Unknown Payer GmbH", "iban": "AT611904300234573201"}

    # the stranger's 119.00 pays part of one invoice and part of another
    first = await api.client.post(
        f"/v1/bank_transactions/{unknown['id']}/match",
        json={"invoice": inv["DE1-2026-000005"]["id"], "amount": 10000},
        headers=finance,
    )
    assert first.status_code == 200, first.text
    assert (first.json()["status"], first.json()["amount_unapplied"]) == ("unmatched", 1900)
    too_much = await api.client.post(
        f"/v1/bank_transactions/{unknown['id']}/match",
        json={"invoice": inv["DE1-2026-000006"]["id"], "amount": 1901},
        headers=finance,
    )
    assert too_much.status_code == 400
    assert too_much.json()["error"]["param"] == "amount"
    rest = await api.client.post(
        f"/v1/bank_transactions/{unknown['id']}/match",
        data={"invoice": inv["DE1-2026-000006"]["id"]},  # form-encoded, as Stripe's SDKs
        headers=finance,
    )
    assert rest.status_code == 200, rest.text
    assert rest.json()["status"] == "matched"
    assert [a["amount"] for a in rest.json()["allocations"]] == [10000, 1900]
    fifth = await invoice(api, admin, inv["DE1-2026-000005"]["id"])
    assert (fifth["status"], fifth["amount_remaining"]) == ("open", 1900)
    await verified(api)


async def test_identical_transfers_without_reference_stay_two_and_are_ignored(api: Api) -> None:
    await open_invoices(api)
    finance = await api.key("finance")
    statement = await upload(api, finance, "camt054_v02_no_reference.xml")
    assert statement["transactions_imported"] == 2
    first, second = await transactions(api, finance, status="unmatched")
    assert first["amount"] == second["amount"] == 2500
    ignored = await api.client.post(f"/v1/bank_transactions/{first['id']}/ignore", headers=finance)
    assert ignored.status_code == 200, ignored.text
    assert (ignored.json()["status"], ignored.json()["ignored_reason"]) == ("ignored", "manual")
    assert [t["id"] for t in await transactions(api, finance, status="unmatched")] == [second["id"]]
    assert [t["id"] for t in await transactions(api, finance, status="ignored")] == [first["id"]]
    again = await upload(api, finance, "camt054_v02_no_reference.xml")
    assert again["id"] == statement["id"]
    assert len(await transactions(api, finance)) == 2
    await verified(api)


async def test_an_mt940_statement_is_matched_like_a_camt_one(api: Api) -> None:
    _, inv = await open_invoices(api)
    finance = await api.key("finance")
    response = await api.client.post(
        "/v1/bank_statements",
        files={"file": ("umsaetze.sta", fixture("mt940_2026-01-22.sta"), "text/plain")},
        headers=finance,
    )
    assert response.status_code == 200, response.text
    statement = response.json()
    assert statement["message"] == "mt940"
    assert statement["transactions"] == {"matched": 1, "unmatched": 1, "ignored": 1}
    turing, fee, cable = await transactions(api, finance, bank_statement=statement["id"])
    assert turing["allocations"][0]["invoice"] == inv["DE1-2026-000005"]["id"]
    assert turing["allocations"][0]["method"] == "invoice_number"
    assert fee["ignored_reason"] == "debit"
    assert cable["status"] == "unmatched"
    again = await api.client.post(
        "/v1/bank_statements",
        files={"file": ("umsaetze.sta", fixture("mt940_2026-01-22.sta"), "text/plain")},
        headers=finance,
    )
    assert again.json()["id"] == statement["id"]
    assert len(await transactions(api, finance)) == 3
    await verified(api)


async def test_an_invoice_paid_earlier_in_the_statement_is_no_longer_a_candidate(
    api: Api,
) -> None:
    admin, inv = await open_invoices(api)
    grace = inv["DE1-2026-000008"]["customer"]
    ninth = await finalized(
        api, admin, {"id": inv["DE1-2026-000008"]["location"]}, {"id": grace}, line(10000)
    )
    finance = await api.key("finance")
    # the collective credit: Grace pays DE1-2026-000008 by its reference, then 119.00
    # again without one: DE1-2026-000009, her only other invoice of 119.00 still open
    body = fixture("camt053_v02_2026-01-21.xml").replace(b"Unknown Payer GmbH", b"Grace Hopper")
    response = await api.client.post("/v1/bank_statements", content=body, headers=finance | XML)
    assert response.status_code == 200, response.text
    first, second = await transactions(api, finance, bank_statement=response.json()["id"])
    assert first["allocations"][0]["invoice"] == inv["DE1-2026-000008"]["id"]
    assert [(a["invoice"], a["method"]) for a in second["allocations"]] == [
        (ninth["id"], "amount_and_name")
    ]
    await verified(api)


async def test_an_insurer_pays_its_share_by_transfer_and_the_customer_the_rest_by_card(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    ada = await customer(api, admin, name="Ada Lovelace")
    inv = await finalized(api, admin, shop, ada, line(100000))
    assert (inv["number"], inv["total"]) == ("DE1-2026-000001", 119000)
    finance = await api.key("finance")
    statement = await upload(api, finance, "camt053_v08_insurer_share.xml")
    assert statement["transactions"]["matched"] == 1
    after_insurer = await invoice(api, admin, inv["id"])
    assert (after_insurer["status"], after_insurer["amount_remaining"]) == ("open", 23800)
    await verified(api)

    card = await api.client.post(
        f"/v1/invoices/{inv['id']}/pay", json={"payment_method": "pm_card_visa"}, headers=admin
    )
    assert card.status_code == 200, card.text
    assert (card.json()["status"], card.json()["amount_paid"]) == ("paid", 119000)
    payments = await api.client.get(f"/v1/invoices/{inv['id']}/payments", headers=admin)
    kinds = sorted((p["amount_paid"], p["payment"]["type"]) for p in payments.json()["data"])
    assert kinds == [(23800, "payment_intent"), (95200, "out_of_band")]
    await verified(api)
