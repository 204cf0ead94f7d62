"""Idempotency keys, injected faults and shared state across simulator instances."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from payments.gateways.protocol import (
    CardInput,
    ChargeRequest,
    GatewayNotSent,
    GatewayOutcomeUnknown,
    IdempotencyKeyReused,
)
from payments.gateways.simulator import SimulatorGateway
from payments.gateways.simulator.store import charges


def request(key: str, amount: int = 2000, pm: str = "pm_card_visa") -> ChargeRequest:
    return ChargeRequest(amount=amount, currency="eur", payment_method=pm, idempotency_key=key)


async def charge_count(gateway: SimulatorGateway) -> int:
    async with gateway.store.transaction() as conn:
        return int(
            (await conn.execute(sa.select(sa.func.count()).select_from(charges))).scalar_one()
        )


async def test_timeout_fault_raises_outcome_unknown_without_processing(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    await gateway.set_fault("timeout", operation="charge")
    k = key()
    with pytest.raises(GatewayOutcomeUnknown):
        await gateway.charge(request(k))
    assert await charge_count(gateway) == 0
    result = await gateway.charge(request(k))  # one-shot: the retry goes through
    assert result.status == "succeeded" and await charge_count(gateway) == 1


async def test_http_500_fault_raises_not_sent_and_processes_nothing(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    await gateway.set_fault("http_500", operation="charge", count=2)
    for _ in range(2):
        with pytest.raises(GatewayNotSent):
            await gateway.charge(request(key()))
    assert await charge_count(gateway) == 0
    assert (await gateway.charge(request(key()))).status == "succeeded"


async def test_lost_response_then_same_key_retry_gives_exactly_one_charge(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    await gateway.set_fault("lost_response", operation="charge")
    k = key()
    with pytest.raises(GatewayOutcomeUnknown):
        await gateway.charge(request(k))
    assert await charge_count(gateway) == 1  # processed and committed
    recovered = await gateway.charge(request(k))
    assert recovered.status == "succeeded"
    assert await charge_count(gateway) == 1
    events = (await gateway.list_events()).events
    assert [e.type for e in events] == ["charge.succeeded"]
    assert events[0].charge == recovered


async def test_lost_response_on_capture_is_recovered_by_retrieving(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    auth = await gateway.charge(
        ChargeRequest(
            amount=2000,
            currency="eur",
            payment_method="pm_card_visa",
            idempotency_key=key(),
            capture_method="manual",
        )
    )
    await gateway.set_fault("lost_response", operation="capture")
    with pytest.raises(GatewayOutcomeUnknown):
        await gateway.capture(auth.reference, idempotency_key=key())
    assert (await gateway.retrieve_charge(auth.reference)).status == "succeeded"


async def test_persistent_faults_apply_until_cleared_and_scope_by_operation(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    await gateway.set_fault("http_500", operation="refund", count=None)
    paid = await gateway.charge(request(key()))  # other operations are unaffected
    for _ in range(3):
        with pytest.raises(GatewayNotSent):
            await gateway.refund(paid.reference, idempotency_key=key())
    await gateway.clear_faults()
    assert (await gateway.refund(paid.reference, idempotency_key=key())).status == "succeeded"

    await gateway.set_fault("timeout", count=None)  # every operation
    with pytest.raises(GatewayOutcomeUnknown):
        await gateway.list_events()
    with pytest.raises(GatewayOutcomeUnknown):
        await gateway.retrieve_charge(paid.reference)
    await gateway.clear_faults()


async def test_latency_fault_delays_the_call(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    await gateway.set_fault("latency", operation="charge", latency_ms=30)
    started = time.monotonic()
    result = await gateway.charge(request(key()))
    assert time.monotonic() - started >= 0.03
    assert result.status == "succeeded"


async def test_invalid_fault_settings_are_rejected(gateway: SimulatorGateway) -> None:
    with pytest.raises(ValueError):
        await gateway.set_fault("explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await gateway.set_fault("timeout", operation="teleport")
    with pytest.raises(ValueError):
        await gateway.set_fault("latency")


async def test_two_instances_on_one_database_share_state(
    make_gateway: Callable[[], SimulatorGateway], key: Callable[[], str]
) -> None:
    api, worker = make_gateway(), make_gateway()
    assert api.store.engine is not worker.store.engine
    await api.store.create_all()
    await worker.store.create_all()  # idempotent

    k = key()
    paid = await api.charge(request(k))
    assert await worker.charge(request(k)) == paid  # the key is shared
    assert (await worker.retrieve_charge(paid.reference)).status == "succeeded"

    await worker.set_fault("http_500", operation="charge")  # set by one process...
    with pytest.raises(GatewayNotSent):  # ...felt by the other, once
        await api.charge(request(key()))
    assert (await worker.charge(request(key()))).status == "succeeded"

    events = (await worker.list_events()).events
    assert len(events) == 2


async def test_concurrent_calls_with_one_key_charge_once(
    make_gateway: Callable[[], SimulatorGateway], key: Callable[[], str]
) -> None:
    first, second = make_gateway(), make_gateway()
    await first.store.create_all()
    k = key()
    results = await asyncio.gather(
        *(sim.charge(request(k)) for sim in (first, second, first, second))
    )
    assert len({r.reference for r in results}) == 1
    assert await charge_count(first) == 1


async def test_two_instances_settling_at_once_apply_each_transition_once(
    make_gateway: Callable[[], SimulatorGateway], key: Callable[[], str], clock
) -> None:
    sims = [make_gateway() for _ in range(3)]
    await sims[0].store.create_all()
    for index in range(6):
        await sims[index % 3].charge(request(key(), pm="pm_success_de"))
    clock.advance(sims[0].settings.sepa_settlement_delay)

    applied = await asyncio.gather(*(sim.process_due() for sim in sims))

    assert sum(applied) == 6
    types = [e.type for e in (await sims[1].list_events()).events]
    assert types.count("charge.succeeded") == 6


async def test_creating_a_payment_method_with_a_key_is_idempotent(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    k = key()
    card = CardInput(number="4242424242424242", exp_month=12, exp_year=2030, cvc="123")
    first = await gateway.create_payment_method(card, idempotency_key=k)
    assert await gateway.create_payment_method(card, idempotency_key=k) == first
    other = CardInput(number="5555555555554444", exp_month=12, exp_year=2030, cvc="123")
    with pytest.raises(IdempotencyKeyReused):
        await gateway.create_payment_method(other, idempotency_key=k)
