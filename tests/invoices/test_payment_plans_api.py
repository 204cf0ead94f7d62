"""Several payers: an insurer pays 80 % by bank transfer and the customer 20 % by card;
the remainder cent on the last share; paying more than a share owes is refused."""

from __future__ import annotations

from typing import Any

from payments.invoices.domain.payment_plan import ShareInput, split
from support.app import Api
from support.invoices import customer, finalized, post, setup
from support.refunds import verified

TOTAL = 29631


async def _insurer(api: Api, admin: dict[str, str]) -> dict[str, Any]:
    return await customer(
        api,
        admin,
        name="Allianz Versicherungs-AG",
        email="claims@insurer.example",
        preferred_locales=["de-DE"],
    )


async def test_an_insurer_pays_80_percent_by_transfer_and_the_customer_20_by_card(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    insurer = await _insurer(api, admin)
    invoice = await finalized(api, admin, shop, cus)
    plan = await post(
        api,
        f"/v1/invoices/{invoice['id']}/payment_plan",
        admin,
        shares=[
            {
                "customer": insurer["id"],
                "percent": "80",
                "due_date": 1770000000,
                "payment_method_hint": "bank_transfer",
            },
            {"percent": "20", "payment_method_hint": "card"},
        ],
    )
    assert plan.status_code == 200, plan.text
    body = plan.json()
    assert body["object"] == "invoice_payment_plan"
    first, last = body["shares"]
    assert (first["customer"], first["amount"], first["payment_method_hint"]) == (
        insurer["id"],
        23704,  # 80 % of 296.31 rounded down
        "bank_transfer",
    )
    assert (last["customer"], last["amount"]) == (cus["id"], 5927)  # the remainder cent
    assert first["amount"] + last["amount"] == TOTAL
    assert first["due_date"] is not None and first["status"] == "open"
    card = await post(
        api,
        f"/v1/invoices/{invoice['id']}/pay",
        admin,
        share=last["id"],
        payment_method="pm_card_visa",
    )
    assert card.status_code == 200, card.text
    assert (card.json()["status"], card.json()["amount_paid"]) == ("open", 5927)
    too_much = await post(
        api,
        f"/v1/invoices/{invoice['id']}/pay",
        admin,
        share=first["id"],
        paid_out_of_band=True,
        amount=23705,
        method="bank_transfer",
    )
    assert too_much.status_code == 400
    assert too_much.json()["error"]["param"] == "amount"
    transfer = await post(
        api,
        f"/v1/invoices/{invoice['id']}/pay",
        admin,
        share=first["id"],
        paid_out_of_band=True,
        method="bank_transfer",
        reference="claim 4711",
    )
    assert transfer.status_code == 200, transfer.text
    assert (transfer.json()["status"], transfer.json()["amount_paid"]) == ("paid", TOTAL)
    shown = await api.client.get(f"/v1/invoices/{invoice['id']}/payment_plan", headers=admin)
    assert [s["status"] for s in shown.json()["shares"]] == ["paid", "paid"]
    assert shown.json()["amount_remaining"] == 0
    paid_share = await post(
        api, f"/v1/invoices/{invoice['id']}/pay", admin, share=first["id"], paid_out_of_band=True
    )
    assert paid_share.status_code == 400
    await verified(api)


async def test_a_payment_naming_no_share_pays_the_open_shares_in_order(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    invoice = await finalized(api, admin, shop, cus)
    plan = await post(
        api,
        f"/v1/invoices/{invoice['id']}/payment_plan",
        admin,
        shares=[{"amount": 10000}, {"amount": 10000}, {"amount": TOTAL - 20000}],
    )
    assert plan.status_code == 200, plan.text
    paid = await post(
        api, f"/v1/invoices/{invoice['id']}/pay", admin, paid_out_of_band=True, amount=15000
    )
    assert paid.status_code == 200, paid.text
    shown = await api.client.get(f"/v1/invoices/{invoice['id']}/payment_plan", headers=admin)
    assert [(s["status"], s["amount_paid"]) for s in shown.json()["shares"]] == [
        ("paid", 10000),
        ("open", 5000),
        ("open", 0),
    ]
    await verified(api)


async def test_bad_payment_plans_are_refused_naming_the_param_and_write_nothing(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    invoice = await finalized(api, admin, shop, await customer(api, admin))
    path = f"/v1/invoices/{invoice['id']}/payment_plan"
    cases: list[tuple[list[dict[str, Any]], str]] = [
        ([{"percent": "80"}, {"percent": "30"}], "shares"),
        ([{"amount": 100}, {"amount": 100}], "shares"),
        ([{"percent": "80", "amount": 5}, {"percent": "20"}], "shares[0][amount]"),
        ([{"percent": "180"}, {"percent": "20"}], "shares[0][percent]"),
        ([{"percent": "abc"}, {"percent": "20"}], "shares[0][percent]"),
        ([{"percent": "80"}, {"percent": "20", "customer": "cus_missing"}], "shares[1][customer]"),
        ([{"percent": "100"}], "shares"),
        ([{"percent": "80"}, {"percent": "20", "payment_method_hint": "cheque"}], "shares"),
    ]
    for shares, param in cases:
        refused = await api.client.post(path, json={"shares": shares}, headers=admin)
        assert refused.status_code in (400, 404), refused.text
        got = refused.json()["error"]["param"]
        assert got == param or got.startswith(param), (shares, refused.text)
    missing = await api.client.get(path, headers=admin)
    assert missing.status_code == 404
    made = await post(api, path, admin, shares=[{"percent": "50"}, {"percent": "50"}])
    assert made.status_code == 200, made.text
    again = await post(api, path, admin, shares=[{"percent": "50"}, {"percent": "50"}])
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "payment_plan_exists"
    unknown = await post(
        api, f"/v1/invoices/{invoice['id']}/pay", admin, paid_out_of_band=True, share="ishr_x"
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["param"] == "share"


def test_percentages_round_down_and_the_last_share_takes_the_remainder() -> None:
    thirds = [ShareInput(percent="33.33")] * 2 + [ShareInput(percent="33.34")]
    assert split(100, thirds) == [33, 33, 34]
    assert split(101, [ShareInput(percent="50"), ShareInput(percent="50")]) == [50, 51]
    assert split(1000, [ShareInput(amount=300), ShareInput(percent="70")]) == [300, 700]
