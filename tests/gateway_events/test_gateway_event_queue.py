"""The stored gateway-event queue: one event that cannot be applied does not hold back
the others, and it is retried later rather than dropped."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from payments.gateway_events.service import (
    process_pending_gateway_events,
    record_gateway_event,
)
from payments.gateway_events.tables import gateway_events
from payments.gateways.protocol import ChargeResult, GatewayEvent
from payments.intents.repository import ChargeRepository
from payments.kernel.clock import FrozenClock
from support.app import Api


class BrokenRetrieve:
    """The real simulator, except that re-fetching one charge fails unexpectedly."""

    def __init__(self, inner: Any, broken_reference: str) -> None:
        self._inner = inner
        self._broken = broken_reference

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def retrieve_charge(self, reference: str) -> ChargeResult:
        if reference == self._broken:
            raise RuntimeError("gateway answered something we cannot read")
        return await self._inner.retrieve_charge(reference)  # type: ignore[no-any-return]


async def test_a_failing_event_is_retried_later_and_does_not_block_the_rest(
    api: Api, clock: FrozenClock
) -> None:
    admin = await api.key()
    shop = await api.location(admin)
    refs = []
    for _ in range(2):
        pi = (
            await api.client.post(
                "/v1/payment_intents",
                json={
                    "amount": 1500,
                    "location": shop["id"],
                    "payment_method": "pm_card_visa",
                    "confirm": True,
                },
                headers=admin,
            )
        ).json()
        charge = (await api.client.get(f"/v1/charges/{pi['latest_charge']}", headers=admin)).json()
        async with api.container.uow_factory() as uow:
            ours = await uow.repo(ChargeRepository).get(charge["id"])
        assert ours is not None and ours.gateway_ref
        refs.append(ours.gateway_ref)
    gateway = api.container.gateway
    for n, ref in enumerate(refs):
        snapshot = await gateway.retrieve_charge(ref)
        event = GatewayEvent(
            id=f"evt_test_{n}",
            cursor=str(n),
            type="charge.succeeded",
            created=clock.now(),
            charge=snapshot,
        )
        assert await record_gateway_event(
            event, uow_factory=api.container.uow_factory, gateway=gateway.name, clock=clock
        )
    api.container.gateway = BrokenRetrieve(gateway, refs[0])  # type: ignore[assignment]

    done = await process_pending_gateway_events(
        uow_factory=api.container.uow_factory, gateway=api.container.gateway, clock=clock
    )
    assert done == 2
    async with api.container.engine.connect() as conn:
        rows = {r.id: r for r in (await conn.execute(sa.select(gateway_events))).all()}
    assert rows["evt_test_1"].processed_at is not None and rows["evt_test_1"].error is None
    assert rows["evt_test_0"].processed_at is None
    assert "RuntimeError" in rows["evt_test_0"].error
    assert rows["evt_test_0"].locked_until > clock.now()

    api.container.gateway = gateway
    clock.advance(timedelta(minutes=2))
    assert (
        await process_pending_gateway_events(
            uow_factory=api.container.uow_factory, gateway=gateway, clock=clock
        )
        == 1
    )
    async with api.container.engine.connect() as conn:
        row = (
            await conn.execute(sa.select(gateway_events).where(gateway_events.c.id == "evt_test_0"))
        ).one()
    assert row.processed_at is not None and row.error is None
