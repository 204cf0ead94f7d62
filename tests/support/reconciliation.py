"""Helpers for the reconciliation tests: a day of payments on the simulator, the
simulator's balance kept to this test, its rows planted with differences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from payments.app.bootstrap import Container
from payments.gateways.simulator.store import balance_transactions, payouts
from payments.ledger.tables import ledger_entries, ledger_transactions
from payments.reconciliation.service.run import reconcile_date
from support.app import Api
from support.refunds import paid, poll_gateway, refund, shop

# a day no other test's clock reaches: the simulator's database outlives each test's tables
DAY = datetime(2030, 6, 3, 10, 0, tzinfo=UTC)


async def isolate_balance(container: Container) -> None:
    """Take the movements earlier tests left unpaid out of the simulator's payouts, and
    forget its payouts (so this test's days are paid out from this test's movements)."""
    gateway: Any = container.gateway
    async with gateway.store.transaction() as conn:
        await conn.execute(
            balance_transactions.update()
            .where(balance_transactions.c.payout_id.is_(None))
            .values(payout_id="po_sim_other_tests")
        )
        await conn.execute(
            balance_transactions.delete().where(
                balance_transactions.c.created >= DAY.replace(hour=0)
            )
        )
        await conn.execute(payouts.delete().where(payouts.c.created >= DAY.replace(hour=0)))


async def sim_line(container: Container, source: str, category: str = "charge") -> dict[str, Any]:
    gateway: Any = container.gateway
    async with gateway.store.transaction() as conn:
        row = (
            await conn.execute(
                sa.select(balance_transactions).where(
                    balance_transactions.c.source == source,
                    balance_transactions.c.reporting_category == category,
                )
            )
        ).one()
    return dict(row._mapping)


async def drop_sim_line(container: Container, txn_id: str) -> None:
    """The gateway 'loses' a movement (before the payout is made)."""
    gateway: Any = container.gateway
    async with gateway.store.transaction() as conn:
        await conn.execute(balance_transactions.delete().where(balance_transactions.c.id == txn_id))


async def duplicate_sim_line(container: Container, line: dict[str, Any]) -> str:
    """Plant a second copy of a payout's line (same source, same payout, a new id)."""
    gateway: Any = container.gateway
    copy_id = line["id"] + "DUP"
    async with gateway.store.transaction() as conn:
        await conn.execute(balance_transactions.insert().values(**(line | {"id": copy_id})))
    return copy_id


async def drop_fee_posting(container: Container, charge_id: str) -> None:
    """Plant a missing fee: the charge's ``charge.fee`` posting disappears from our ledger."""
    t, e = ledger_transactions, ledger_entries
    async with container.engine.begin() as conn:
        ids = (
            (
                await conn.execute(
                    sa.select(t.c.id).where(
                        t.c.kind == "charge.fee",
                        t.c.source_type == "charge",
                        t.c.source_id == charge_id,
                    )
                )
            )
            .scalars()
            .all()
        )
        assert ids, f"no fee posted for {charge_id}"
        await conn.execute(e.delete().where(e.c.transaction_id.in_(ids)))
        await conn.execute(t.delete().where(t.c.id.in_(ids)))


async def gateway_ref(container: Container, charge_id: str) -> str:
    from payments.intents.tables import charges

    async with container.engine.begin() as conn:
        return str(
            (
                await conn.execute(
                    sa.select(charges.c.gateway_ref).where(charges.c.id == charge_id)
                )
            ).scalar_one()
        )


ARRIVAL = (DAY + timedelta(days=2)).date()


async def day_of_payments(api: Api, *, dispute: bool = True) -> dict[str, Any]:
    """On DAY: three card payments (one disputed), a partial refund; the dispute learned."""
    api.container.clock.set(DAY)  # type: ignore[attr-defined]
    admin, berlin = await shop(api)
    await isolate_balance(api.container)
    us = await paid(api, admin, berlin["id"], amount=10_000, method="pm_card_visa")
    de = await paid(api, admin, berlin["id"], amount=5_000, method="pm_card_de")
    out = {"admin": admin, "berlin": berlin, "us": us, "de": de}
    if dispute:
        out["disputed"] = await paid(
            api, admin, berlin["id"], amount=3_000, method="pm_card_createDispute"
        )
    response = await refund(api, admin, payment_intent=us["id"], amount=4_000)
    assert response.status_code == 200, response.text
    out["refund"] = response.json()
    await api.container.gateway.process_due()  # type: ignore[attr-defined]
    await poll_gateway(api.container)
    return out


async def reconcile(api: Api, day: Any = ARRIVAL) -> dict[str, Any]:
    c = api.container
    return await reconcile_date(day, uow_factory=c.uow_factory, clock=c.clock, gateway=c.gateway)


async def reconciliations(api: Api, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await api.client.get(
        "/v1/reconciliations", params={"date": ARRIVAL.isoformat()}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]  # type: ignore[no-any-return]
