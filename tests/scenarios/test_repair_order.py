"""The repair order, end to end across shops' capabilities (issue 16's scenario; see
docs/explanation/use-cases.md): a customer known to the Customer Base drops a laptop off,
the shop holds an estimate on the card, raises the hold when the estimate grows and the
customer consents, invoices the repair with parts priced by the catalogue, captures the
final amount from the hold (the rest is released) and the Inventory Service is told
which parts were used; or, when the customer declines the estimate, keeps only the
diagnostic fee. Every cent is in the ledger, on both databases."""

from __future__ import annotations

from typing import Any

from support.app import Api
from support.invoices import post, setup
from support.refunds import verified

REPAIR = {"repair_order": "RO-2026-0042"}
DISPLAY = {
    "sku": "LCD-T14-G3",
    "currency": "eur",
    "description": "Display assembly ThinkPad T14 Gen 3",
    "unit_amount": 19900,
}


async def _drop_off(api: Api, estimate: int) -> tuple[dict[str, str], dict[str, Any], Any, Any]:
    """A shop, its clerk, the customer linked to the Customer Base, and the estimate held."""
    admin, shop = await setup(api)
    clerk = await api.key("clerk", location=shop["id"])
    cus = await post(
        api,
        "/v1/customers",
        clerk,
        external_id="CB-77120",
        name="Grace Hopper",
        email="grace@example.com",
        address={
            "line1": "Torstrasse 5",
            "postal_code": "10119",
            "city": "Berlin",
            "country": "DE",
        },
    )
    assert cus.status_code == 200, cus.text
    held = await post(
        api,
        "/v1/payment_intents",
        clerk,
        amount=estimate,
        customer=cus.json()["id"],
        capture_method="manual",
        payment_method="pm_card_visa_incremental",
        confirm=True,
        description="Estimate RO-2026-0042",
        metadata=REPAIR,
    )
    assert held.status_code == 200, held.text
    assert held.json()["status"] == "requires_capture"
    assert (await post(api, "/v1/parts", admin, **DISPLAY)).status_code == 200
    return clerk, shop, cus.json(), held.json()


async def _invoice(
    api: Api, clerk: dict[str, str], cus: dict[str, Any], lines: list[dict[str, Any]]
) -> dict[str, Any]:
    draft = await post(api, "/v1/invoices", clerk, customer=cus["id"], lines=lines, metadata=REPAIR)
    assert draft.status_code == 200, draft.text
    done = await post(api, f"/v1/invoices/{draft.json()['id']}/finalize", clerk)
    assert done.status_code == 200, done.text
    return done.json()  # type: ignore[no-any-return]


async def test_a_repair_order_from_estimate_to_paid_invoice_and_parts_used(api: Api) -> None:
    clerk, _shop, cus, held = await _drop_off(api, estimate=15000)

    # the diagnosis finds a broken display too: the customer consents to a higher estimate
    grown = await post(
        api, f"/v1/payment_intents/{held['id']}/increment_authorization", clerk, amount=35000
    )
    assert grown.status_code == 200, grown.text
    assert grown.json()["amount_capturable"] == 35000

    invoice = await _invoice(
        api,
        clerk,
        cus,
        [
            {"sku": "LCD-T14-G3"},  # priced by the parts catalogue
            {
                "description": "Labour: replace display",
                "quantity": "1",
                "unit": "hour",
                "unit_amount": 6000,
            },
        ],
    )
    assert (invoice["subtotal"], invoice["tax"], invoice["total"]) == (25900, 4921, 30821)
    assert invoice["customer_name"] == "Grace Hopper"

    attached = await post(
        api, f"/v1/invoices/{invoice['id']}/attach_payment", clerk, payment_intent=held["id"]
    )
    assert attached.status_code == 200, attached.text
    captured = await post(
        api, f"/v1/payment_intents/{held['id']}/capture", clerk, amount_to_capture=30821
    )
    assert captured.status_code == 200, captured.text
    assert captured.json()["amount_received"] == 30821  # the rest of the hold is released

    paid = (await api.client.get(f"/v1/invoices/{invoice['id']}", headers=clerk)).json()
    assert (paid["status"], paid["amount_remaining"]) == ("paid", 0)
    used = await api.client.get("/v1/events", params={"type": "inventory.part_used"}, headers=clerk)
    [event] = used.json()["data"]
    assert event["data"]["object"]["parts"] == [{"sku": "LCD-T14-G3", "quantity": "1"}]
    await verified(api)


async def test_a_declined_estimate_keeps_only_the_diagnostic_fee(api: Api) -> None:
    clerk, _shop, cus, held = await _drop_off(api, estimate=15000)
    invoice = await _invoice(api, clerk, cus, [{"description": "Diagnosis", "unit_amount": 4118}])
    assert invoice["total"] == 4900  # 41.18 + 19 % VAT
    await post(
        api, f"/v1/invoices/{invoice['id']}/attach_payment", clerk, payment_intent=held["id"]
    )
    captured = await post(
        api, f"/v1/payment_intents/{held['id']}/capture", clerk, amount_to_capture=4900
    )
    assert captured.status_code == 200, captured.text
    paid = (await api.client.get(f"/v1/invoices/{invoice['id']}", headers=clerk)).json()
    assert (paid["status"], paid["amount_paid"]) == ("paid", 4900)
    charge = (
        await api.client.get(f"/v1/charges/{captured.json()['latest_charge']}", headers=clerk)
    ).json()
    assert (charge["amount_captured"], charge["captured"]) == (4900, True)
    await verified(api)
