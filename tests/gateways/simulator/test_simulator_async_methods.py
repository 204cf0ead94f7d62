"""SEPA Direct Debit and bank transfers settle asynchronously, by the injected clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from payments.gateways.protocol import (
    ChargeRequest,
    CustomerBalanceInput,
    Fee,
    GatewayInvalidRequest,
    IbanNotAllowed,
    SepaDebitInput,
)
from payments.gateways.simulator import SimulatorGateway
from payments.kernel.clock import FrozenClock


def request(pm: str, key: str, amount: int = 10_000, **kwargs) -> ChargeRequest:
    return ChargeRequest(
        amount=amount, currency="eur", payment_method=pm, idempotency_key=key, **kwargs
    )


@pytest.mark.parametrize(
    ("iban", "outcome"),
    [
        ("DE89370400440532013000", "succeeded"),
        ("AT611904300234573201", "succeeded"),
        ("DE62370400440532013001", "failed"),
        ("AT861904300235473202", "failed"),
        ("DE65370400440002222227", "failed"),
    ],
)
async def test_sepa_debit_is_processing_until_the_settlement_delay_passes(
    gateway: SimulatorGateway, key: Callable[[], str], clock: FrozenClock, iban: str, outcome: str
) -> None:
    method = await gateway.create_payment_method(
        SepaDebitInput(iban=iban, account_holder_name="Jenny Rosen")
    )
    sepa = method.details.sepa_debit
    assert sepa is not None and sepa.last4 == iban[-4:] and sepa.country == iban[:2]

    started = await gateway.charge(request(method.id, key()))
    assert (started.status, started.amount_received) == ("processing", 0)

    clock.advance(gateway.settings.sepa_settlement_delay - timedelta(seconds=1))
    page = await gateway.list_events()
    assert [e.type for e in page.events] == ["payment_intent.processing"]

    clock.advance(timedelta(seconds=1))
    page = await gateway.list_events(after=page.next_cursor)
    (event,) = page.events
    assert event.type == f"charge.{outcome}"
    assert event.charge is not None and event.charge.status == outcome
    settled = await gateway.retrieve_charge(started.reference)
    assert settled.status == outcome
    if outcome == "succeeded":
        assert (settled.amount_received, settled.fees) == (
            10_000,
            (Fee(amount=35, currency="eur"),),
        )
    else:
        assert settled.decline is not None and settled.amount_received == 0


async def test_delayed_and_disputed_ibans(
    gateway: SimulatorGateway, key: Callable[[], str], clock: FrozenClock
) -> None:
    delayed = await gateway.charge(request("pm_successDelayed_de", key()))
    disputed = await gateway.charge(request("pm_disputed_at", key()))
    clock.advance(gateway.settings.sepa_settlement_delay)
    await gateway.process_due()
    assert (await gateway.retrieve_charge(delayed.reference)).status == "processing"
    settled = await gateway.retrieve_charge(disputed.reference)
    assert settled.status == "succeeded" and settled.disputed

    clock.advance(gateway.settings.sepa_delayed_extra)
    assert (await gateway.retrieve_charge(delayed.reference)).status == "succeeded"


async def test_sepa_limit_ibans_fail_at_once_and_sepa_refunds_are_pending(
    gateway: SimulatorGateway, key: Callable[[], str], clock: FrozenClock
) -> None:
    limited = await gateway.charge(request("pm_exceedsWeeklyVolumeLimit_de", key()))
    assert limited.status == "failed"
    assert limited.decline is not None and limited.decline.code == "charge_exceeds_source_limit"

    paid = await gateway.charge(request("pm_success_fr", key()))
    clock.advance(gateway.settings.sepa_settlement_delay)
    refund = await gateway.refund(paid.reference, amount=2500, idempotency_key=key())
    assert refund.status == "pending"
    clock.advance(gateway.settings.refund_settlement_delay)
    last = (await gateway.list_events()).events[-1]
    assert last.type == "refund.updated" and last.refund is not None
    assert last.refund.status == "succeeded"


async def test_sepa_needs_eur_and_automatic_capture(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    with pytest.raises(GatewayInvalidRequest):
        await gateway.charge(request("pm_success_de", key(), capture_method="manual"))
    with pytest.raises(GatewayInvalidRequest):
        await gateway.charge(
            ChargeRequest(
                amount=1000, currency="usd", payment_method="pm_success_de", idempotency_key=key()
            )
        )


async def test_an_iban_that_is_not_a_published_test_iban_is_refused(
    gateway: SimulatorGateway,
) -> None:
    with pytest.raises(IbanNotAllowed):
        await gateway.create_payment_method(
            SepaDebitInput(iban="DE02 1203 0000 0000 2020 51", account_holder_name="A")
        )
    with pytest.raises(GatewayInvalidRequest) as invalid:
        await gateway.create_payment_method(
            SepaDebitInput(iban="DE00370400440532013000", account_holder_name="A")
        )
    assert invalid.value.code == "invalid_bank_account_iban"


async def bank_transfer(gateway: SimulatorGateway, key: str, amount: int = 10_000):
    method = await gateway.create_payment_method(CustomerBalanceInput())
    started = await gateway.charge(request(method.id, key, amount=amount))
    assert started.status == "processing"
    assert started.bank_transfer is not None
    assert started.bank_transfer.amount_remaining == amount
    return started


async def test_bank_transfer_of_the_exact_amount_succeeds(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    started = await bank_transfer(gateway, key())
    assert started.bank_transfer is not None
    funded = await gateway.simulate_bank_transfer(started.bank_transfer.reference, 10_000)
    assert (funded.status, funded.amount_received, funded.amount_excess, funded.fees) == (
        "succeeded",
        10_000,
        0,
        (),  # bank transfers cost nothing
    )
    types = [e.type for e in (await gateway.list_events()).events]
    assert types == ["payment_intent.processing", "charge.succeeded"]


async def test_bank_transfer_underpayment_stays_processing_until_topped_up(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    started = await bank_transfer(gateway, key())
    partial = await gateway.simulate_bank_transfer(started.reference, 4_000)
    assert (partial.status, partial.amount_received) == ("processing", 4_000)
    assert partial.bank_transfer is not None and partial.bank_transfer.amount_remaining == 6_000
    done = await gateway.simulate_bank_transfer(started.reference, 6_000)
    assert (done.status, done.amount_received) == ("succeeded", 10_000)
    types = [e.type for e in (await gateway.list_events()).events]
    assert types[1:] == ["payment_intent.partially_funded", "charge.succeeded"]


async def test_bank_transfer_overpayment_succeeds_and_reports_the_excess(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    started = await bank_transfer(gateway, key())
    funded = await gateway.simulate_bank_transfer(started.reference, 12_500)
    assert (funded.status, funded.amount_received, funded.amount_excess) == (
        "succeeded",
        10_000,
        2_500,
    )
    with pytest.raises(GatewayInvalidRequest):
        await gateway.simulate_bank_transfer(started.reference, 1)


async def test_a_bank_transfer_awaiting_funds_can_be_canceled(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    started = await bank_transfer(gateway, key())
    canceled = await gateway.cancel(started.reference, idempotency_key=key())
    assert canceled.status == "canceled"


async def test_simulator_event_cursors_increase_in_delivery_order(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    for _ in range(3):
        await gateway.charge(request("pm_card_visa", key()))
    cursors = [e.cursor for e in (await gateway.list_events()).events]
    assert cursors == sorted(cursors) and len(set(cursors)) == 3
