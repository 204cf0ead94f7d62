"""The Stripe adapter's BalanceReporting: Stripe's balance transactions and payouts
(objects from Stripe's fixtures, through the fake Stripe) mapped to the port's, every
page of a list read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from payments.gateways.protocol import BalanceReporting, ChargeRequest
from payments.gateways.stripe import StripeGateway
from support import fake_stripe_objects as o
from support.fake_stripe import FakeStripe


def request(pm: str, key: str, amount: int) -> ChargeRequest:
    return ChargeRequest(amount=amount, currency="eur", payment_method=pm, idempotency_key=key)


async def test_a_payouts_balance_transactions_are_mapped_with_our_references(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    assert isinstance(stripe_gateway, BalanceReporting)
    paid = await stripe_gateway.charge(request("pm_card_visa", key(), 2_000))
    disputed = await stripe_gateway.charge(request("pm_card_visa", key(), 3_000))
    dispute_id = fake_stripe.open_dispute(disputed.reference)
    tomorrow = int((datetime.now(UTC) + timedelta(days=1)).timestamp())
    payout_id = fake_stripe.pay_out("eur", arrival_date=tomorrow)

    arriving = await stripe_gateway.list_payouts(
        arrival_from=datetime.fromtimestamp(tomorrow, UTC),
        arrival_to=datetime.fromtimestamp(tomorrow + 1, UTC),
    )
    assert [p.id for p in arriving] == [payout_id]
    payout = arriving[0]
    lines = await stripe_gateway.list_balance_transactions(payout=payout_id)
    by_category = {t.reporting_category: t for t in lines}
    assert set(by_category) == {"charge", "dispute", "payout"}
    charges = [t for t in lines if t.type == "charge"]
    assert {t.source_reference for t in charges} == {paid.reference, disputed.reference}
    first = next(t for t in charges if t.source_reference == paid.reference)
    assert first.source is not None and first.source.startswith("ch_")  # Stripe's charge
    assert (first.amount, first.fee, first.net, first.currency) == (2_000, 90, 1_910, "eur")
    assert [(d.type, d.amount) for d in first.fee_details] == [("stripe_fee", 90)]
    assert first.payout == payout_id
    dispute = by_category["dispute"]
    assert (dispute.type, dispute.amount, dispute.fee, dispute.source_reference) == (
        "adjustment",
        -3_000,
        1_500,
        dispute_id,
    )
    own = by_category["payout"]
    assert (own.amount, own.id) == (-payout.amount, payout.balance_transaction)
    assert payout.amount == sum(t.net for t in lines if t.type != "payout")
    assert (payout.status, payout.automatic, payout.method) == ("paid", True, "standard")
    only_charges = await stripe_gateway.list_balance_transactions(payout=payout_id, type="charge")
    assert len(only_charges) == 2
    one = await stripe_gateway.retrieve_balance_transaction(first.id)
    assert (one.source_reference, one.net) == (paid.reference, 1_910)
    (call,) = fake_stripe.calls("GET", "/v1/balance_transactions")[:1]
    assert call.params["payout"] == payout_id and "data.source" in call.params["expand"]


async def test_every_page_of_a_long_list_is_read(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    created = o.now() - 3_600
    with fake_stripe.lock:
        for n in range(150):
            txn = o.template(
                "balance_transaction",
                id=f"txn_page{n:03d}",
                amount=100,
                fee=3,
                net=97,
                currency="eur",
                created=created + n,
                available_on=created,
                source=None,
                type="charge",
                reporting_category="charge",
            )
            fake_stripe.state.put(txn, payout="po_long")

    found = await stripe_gateway.list_balance_transactions(payout="po_long")

    assert [t.id for t in found] == [f"txn_page{n:03d}" for n in range(150)]  # oldest first
    assert len(fake_stripe.calls("GET", "/v1/balance_transactions")) == 2  # 100 + 50
    window = await stripe_gateway.list_balance_transactions(
        created_from=datetime.fromtimestamp(created + 10, UTC),
        created_to=datetime.fromtimestamp(created + 20, UTC),
    )
    assert [t.id for t in window] == [f"txn_page{n:03d}" for n in range(10, 20)]
