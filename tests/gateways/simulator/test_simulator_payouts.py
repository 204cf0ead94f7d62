"""The simulator's balance transactions and daily automatic payouts (Stripe's shapes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from payments.gateways.protocol import (
    BalanceReporting,
    ChargeRequest,
    GatewayInvalidRequest,
    ResourceMissing,
)
from payments.gateways.simulator import SimulatorGateway
from payments.kernel.clock import FrozenClock


def request(pm: str, key: str, amount: int, currency: str = "eur") -> ChargeRequest:
    return ChargeRequest(amount=amount, currency=currency, payment_method=pm, idempotency_key=key)


async def test_a_day_of_charges_refunds_and_a_dispute_is_paid_out_once_per_currency(
    gateway: SimulatorGateway, key: Callable[[], str], clock: FrozenClock
) -> None:
    assert isinstance(gateway, BalanceReporting)
    day = clock.now().date()  # 2026-03-02, 10:00 UTC
    visa = await gateway.charge(request("pm_card_visa", key(), 10_000))  # US card: 3.25 % + 0.25
    de = await gateway.charge(request("pm_card_de", key(), 5_000))  # EEA card: 1.5 % + 0.25
    usd = await gateway.charge(request("pm_card_visa", key(), 2_000, "usd"))
    disputed = await gateway.charge(request("pm_card_createDispute", key(), 3_000))
    refund = await gateway.refund(visa.reference, amount=4_000, idempotency_key=key())
    await gateway.process_due()  # the dispute opens (dispute_delay 0)
    assert (visa.fees[0].amount, de.fees[0].amount) == (350, 100)  # type: ignore[index]

    lines = await gateway.list_balance_transactions()
    by_source = {(t.source, t.reporting_category): t for t in lines}
    charge_line = by_source[(visa.reference, "charge")]
    assert (charge_line.type, charge_line.amount, charge_line.fee, charge_line.net) == (
        "charge",
        10_000,
        350,
        9_650,
    )
    assert charge_line.fee_details[0].type == "stripe_fee"
    assert charge_line.status == "pending"
    assert charge_line.available_on == datetime(2026, 3, 4, tzinfo=UTC)
    assert by_source[(refund.reference, "refund")].amount == -4_000
    dispute_line = next(t for t in lines if t.reporting_category == "dispute")
    assert (dispute_line.type, dispute_line.amount, dispute_line.fee) == (
        "adjustment",
        -3_000,
        1_500,
    )
    assert len(lines) == 6  # four charges, a refund, a dispute: nothing twice

    assert await gateway.list_payouts() == ()  # the day is not over
    clock.set(datetime(2026, 3, 3, 0, 0, 1, tzinfo=UTC))
    payouts = await gateway.list_payouts()
    assert sorted(p.currency for p in payouts) == ["eur", "usd"]
    eur = next(p for p in payouts if p.currency == "eur")
    disputed_fee = disputed.fees[0].amount  # type: ignore[index]
    expected = (10_000 - 350) + (5_000 - 100) + (3_000 - disputed_fee) - 4_000 - 3_000 - 1_500
    assert (eur.amount, eur.status, eur.automatic) == (expected, "in_transit", True)
    assert eur.arrival_date == datetime(2026, 3, 4, tzinfo=UTC)
    assert eur.created == datetime(2026, 3, 3, tzinfo=UTC)

    paid = await gateway.list_balance_transactions(payout=eur.id)
    assert {t.payout for t in paid} == {eur.id}
    own = [t for t in paid if t.type == "payout"]
    assert [(t.id, t.amount) for t in own] == [(eur.balance_transaction, -expected)]
    assert sum(t.net for t in paid if t.type != "payout") == eur.amount
    assert {t.source for t in paid} >= {visa.reference, de.reference, refund.reference}
    assert usd.reference not in {t.source for t in paid}
    charges = await gateway.list_balance_transactions(payout=eur.id, type="charge")
    assert len(charges) == 3

    clock.set(datetime(2026, 3, 4, 0, 0, tzinfo=UTC))
    assert (await gateway.retrieve_payout(eur.id)).status == "paid"
    again = await gateway.list_payouts(
        arrival_from=datetime(2026, 3, 4, tzinfo=UTC),
        arrival_to=datetime(2026, 3, 5, tzinfo=UTC),
    )
    assert sorted(p.id for p in again) == sorted(p.id for p in payouts)  # made once
    assert (await gateway.retrieve_balance_transaction(charge_line.id)).status == "available"
    assert day == datetime(2026, 3, 2).date()


async def test_a_day_that_nets_nothing_waits_for_the_next_payout(
    gateway: SimulatorGateway, key: Callable[[], str], clock: FrozenClock
) -> None:
    first = await gateway.charge(request("pm_card_visa", key(), 1_000))
    await gateway.refund(first.reference, idempotency_key=key())  # nets minus the fee
    clock.advance(timedelta(days=1))
    assert await gateway.list_payouts() == ()
    await gateway.charge(request("pm_card_visa", key(), 5_000))
    clock.advance(timedelta(days=1))
    (payout,) = await gateway.list_payouts()
    lines = await gateway.list_balance_transactions(payout=payout.id)
    assert len(lines) == 4  # both days' movements and the payout's own line
    assert payout.amount == (1_000 - 58) - 1_000 + (5_000 - 188)


async def test_unknown_payouts_and_transactions_are_resource_missing(
    gateway: SimulatorGateway,
) -> None:
    with pytest.raises(ResourceMissing):
        await gateway.retrieve_payout("po_missing")
    with pytest.raises(ResourceMissing):
        await gateway.retrieve_balance_transaction("txn_missing")
    with pytest.raises(GatewayInvalidRequest):
        await gateway.list_balance_transactions(payout="ch_not_a_payout")


async def test_a_movement_recorded_late_for_a_paid_out_day_gets_a_payout_of_its_own(
    gateway: SimulatorGateway, key: Callable[[], str], clock: FrozenClock
) -> None:
    start = clock.now()
    await gateway.charge(request("pm_card_visa", key(), 1_000))
    clock.advance(timedelta(days=1))
    (first,) = await gateway.list_payouts()
    clock.set(start)  # a clock set back (tests): the day already has its payout
    await gateway.charge(request("pm_card_visa", key(), 2_000))
    clock.advance(timedelta(days=1))
    payouts = await gateway.list_payouts()
    # both were made at the same (frozen) moment, so their order is not defined
    by_id = {p.id: p.amount for p in payouts}
    assert by_id.pop(first.id) == 1_000 - 58
    assert list(by_id.values()) == [2_000 - 90]
