"""Reconciliation on the Stripe adapter: a payout of the fake Stripe (Stripe's fixture
objects) matched with the payments our service made through it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from payments.reconciliation.service.run import reconcile_date
from support.app import Api
from support.fake_stripe import FakeStripe
from support.refunds import paid, verified


async def test_a_stripe_payout_reconciles_with_the_payments_we_made(
    stripe_api: Api, fake_stripe: FakeStripe
) -> None:
    api = stripe_api
    admin = await api.key("admin")
    shop = await api.location(admin)
    one = await paid(api, admin, shop["id"], amount=2_000, currency="eur")
    two = await paid(api, admin, shop["id"], amount=5_000, currency="eur")
    # (the fake's account has older payouts, the last arriving about now)
    arrival = (datetime.now(UTC) + timedelta(days=3)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    payout_id = fake_stripe.pay_out("eur", arrival_date=int(arrival.timestamp()))
    c = api.container
    api.container.clock.set(arrival)  # type: ignore[attr-defined]

    run = await reconcile_date(
        arrival.date(), uow_factory=c.uow_factory, clock=c.clock, gateway=c.gateway
    )

    assert (run["payouts"], run["discrepancies"]) == (1, 0)
    rec = (await api.client.get(f"/v1/reconciliations/{payout_id}", headers=admin)).json()
    assert rec["status"] == "reconciled", rec["discrepancies"]
    assert rec["charges"]["count"] == 2 and rec["charges"]["amount"] == 7_000
    assert rec["amount"] == rec["lines_net"] == 7_000 - rec["fees"]
    matched = {line["matched"]["id"] for line in rec["lines"]["data"] if line["matched"]}
    assert {one["latest_charge"], two["latest_charge"]} <= matched
    assert rec["ledger_transfer_posted"] is True
    await verified(api)
