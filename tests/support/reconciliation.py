"""Helpers for the reconciliation tests: a day of payments on the simulator, the
simulator's balance kept to this test, its rows planted with differences."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from payments.app.bootstrap import Container
from payments.gateways.simulator.store import balance_transactions, payouts
from payments.ledger.tables import ledger_entries, ledger_transactions

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
