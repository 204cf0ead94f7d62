"""The simulator's balance: balance transactions and daily automatic payouts, in the
shape of Stripe's ``/v1/balance_transactions`` and ``/v1/payouts``.

Every money movement is recorded as a balance transaction in the transaction that
announces it (from the event written with it, so no code path can move money without
one), at most once per source and reporting category:

==============================  ===========  ==================  ======================
event                           ``type``     reporting_category  amount (fee)
==============================  ===========  ==================  ======================
charge.succeeded / captured     charge       charge              + received (the fee)
refund.created                  refund       refund              - refunded
refund.failed, canceled         refund_fail  refund_failure      + refunded
charge.dispute.funds_withdrawn  adjustment   dispute             - disputed (15.00 fee)
charge.dispute.funds_reinstat.  adjustment   dispute_reversal    + disputed
==============================  ===========  ==================  ======================

(card-present payments and refunds at a reader count as well). ``net = amount - fee``.
A movement is ``available_on`` the start of its day (UTC) plus ``payout_delay`` (two
days, Stripe test mode's rolling schedule), ``pending`` until then.

Payouts: once a day is over, each currency's movements of that day (and any earlier
ones not yet paid out) are paid out together, automatically: one payout per currency
and day whose amount is the sum of their nets (the day's charges minus refunds minus
disputes minus fees), created at the end of the day and arriving when they become
available, with its own ``payout`` balance transaction (``-amount``). A day whose sum
is not positive pays nothing: its movements wait for the next day's payout, as at
Stripe. A payout is ``in_transit`` until its arrival date, then ``paid``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.gateways.protocol import (
    BalanceTransaction,
    FeeDetail,
    GatewayEvent,
    GatewayInvalidRequest,
    Payout,
    ResourceMissing,
)
from payments.platform.db.fast import Fast

from .settings import SimulatorSettings, new_id
from .store import SimulatorStore, balance_transactions, payouts

_CHARGED = ("charge.succeeded", "charge.captured", "terminal.reader.action_succeeded")
_REFUNDED = ("refund.created", "terminal.reader.action_succeeded")


_MOVEMENT_KEYS = (
    "type",
    "reporting_category",
    "amount",
    "fee",
    "fee_description",
    "currency",
    "source",
    "created",
)
_BT = balance_transactions.c
_RECORD_NEW = Fast(  # one statement: inserted unless recorded (under the events lock)
    balance_transactions.insert().from_select(
        ["id", "available_on", *_MOVEMENT_KEYS],
        sa.select(
            *(sa.bindparam(n, type_=_BT[n].type) for n in ("id", "available_on", *_MOVEMENT_KEYS))
        ).where(
            ~sa.exists().where(
                _BT.source == sa.bindparam("source"),
                _BT.reporting_category == sa.bindparam("reporting_category"),
            )
        ),
    )
)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def movements(item: GatewayEvent) -> list[dict[str, Any]]:
    """The balance transactions an event announces (before de-duplication)."""
    out: list[dict[str, Any]] = []
    charge, refund, dispute = item.charge, item.refund, item.dispute
    if (
        item.type in _CHARGED
        and charge is not None
        and charge.status == "succeeded"
        and charge.amount_received + charge.amount_excess > 0
    ):
        fee = sum(f.amount for f in charge.fees or () if f.currency == charge.currency)
        out.append(
            _row("charge", "charge", charge.amount_received + charge.amount_excess, fee)
            | {"source": charge.reference, "currency": charge.currency}
        )
    if item.type in _REFUNDED and refund is not None and refund.status != "failed":
        out.append(
            _row("refund", "refund", -refund.amount, 0)
            | {"source": refund.reference, "currency": refund.currency}
        )
    if refund is not None and (
        item.type == "refund.failed"
        or (item.type == "refund.updated" and refund.status == "canceled")
    ):
        out.append(
            _row("refund_failure", "refund_failure", refund.amount, 0)
            | {"source": refund.reference, "currency": refund.currency}
        )
    if dispute is not None and item.type == "charge.dispute.funds_withdrawn":
        out.append(
            _row("adjustment", "dispute", -dispute.amount, dispute.fee or 0, "Dispute fee")
            | {"source": dispute.reference, "currency": dispute.currency}
        )
    if dispute is not None and item.type == "charge.dispute.funds_reinstated":
        out.append(
            _row("adjustment", "dispute_reversal", dispute.amount, 0)
            | {"source": dispute.reference, "currency": dispute.currency}
        )
    for row in out:
        row["created"] = item.created
    return out


def _row(
    kind: str, category: str, amount: int, fee: int, fee_text: str | None = None
) -> dict[str, Any]:
    return {
        "type": kind,
        "reporting_category": category,
        "amount": amount,
        "fee": fee,
        "fee_description": (fee_text or "Processing fees") if fee else None,
    }


async def record(
    conn: AsyncConnection, items: Iterable[GatewayEvent], settings: SimulatorSettings
) -> None:
    """Record the movements the events announce (called by the event log, in the same
    transaction; events are written under the events lock, so the check is race-free)."""
    for item in items:
        for row in movements(item):
            available = day_start(row["created"].astimezone(UTC).date()) + settings.payout_delay
            await _RECORD_NEW.execute(
                conn,
                {
                    "id": new_id("txn_sim", row["created"]),
                    "available_on": available,
                    **{k: row[k] for k in _MOVEMENT_KEYS},
                },
            )


class BalanceCalls:
    """The simulator's ``BalanceReporting``: its balance transactions and payouts."""

    def __init__(self, store: SimulatorStore, settings: SimulatorSettings) -> None:
        self._store = store
        self._settings = settings

    async def pay_out(self, now: datetime) -> int:
        """Create the automatic payouts of every day that is over; how many were made."""
        today = now.astimezone(UTC).date()
        t = balance_transactions
        made = 0
        async with self._store.transaction() as conn:
            await self._store.lock_events(conn)  # one payout maker at a time
            rows = (
                await conn.execute(
                    sa.select(t.c.currency, t.c.created)
                    .where(t.c.payout_id.is_(None), t.c.created < day_start(today))
                    .order_by(t.c.created)
                )
            ).all()
            days: dict[str, list[date]] = {}
            for currency, created in rows:
                day = created.astimezone(UTC).date()
                if day not in days.setdefault(currency, []):
                    days[currency].append(day)
            for currency, pending_days in days.items():
                for day in pending_days:
                    made += await self._pay_out_day(conn, currency, day)
        return made

    async def _pay_out_day(self, conn: AsyncConnection, currency: str, day: date) -> int:
        t = balance_transactions
        end = day_start(day + timedelta(days=1))
        due = sa.and_(t.c.payout_id.is_(None), t.c.currency == currency, t.c.created < end)
        total = (
            await conn.execute(sa.select(sa.func.sum(t.c.amount - t.c.fee)).where(due))
        ).scalar()
        if not total or total <= 0:
            return 0  # nothing to pay: the movements wait for a later day's payout
        arrival = day_start(day) + self._settings.payout_delay
        payout_id, txn_id = new_id("po_sim", end), new_id("txn_sim", end)
        await conn.execute(t.update().where(due).values(payout_id=payout_id))
        await conn.execute(
            t.insert().values(
                id=txn_id,
                type="payout",
                reporting_category="payout",
                amount=-int(total),
                fee=0,
                fee_description=None,
                currency=currency,
                source=payout_id,
                description="STRIPE PAYOUT",
                payout_id=payout_id,
                created=end,
                available_on=end,
            )
        )
        await conn.execute(
            payouts.insert().values(
                id=payout_id,
                amount=int(total),
                currency=currency,
                day=day,
                balance_transaction=txn_id,
                created=end,
                arrival_date=arrival,
            )
        )
        return 1

    async def payouts_between(
        self, now: datetime, arrival_from: datetime | None, arrival_to: datetime | None
    ) -> tuple[Payout, ...]:
        query = sa.select(payouts).order_by(payouts.c.created, payouts.c.id)
        if arrival_from is not None:
            query = query.where(payouts.c.arrival_date >= arrival_from)
        if arrival_to is not None:
            query = query.where(payouts.c.arrival_date < arrival_to)
        async with self._store.transaction() as conn:
            return tuple(_payout(row, now) for row in (await conn.execute(query)).all())

    async def payout(self, now: datetime, ident: str) -> Payout:
        async with self._store.transaction() as conn:
            row = (await conn.execute(sa.select(payouts).where(payouts.c.id == ident))).first()
        if row is None:
            raise ResourceMissing("payout", ident, param="payout")
        return _payout(row, now)

    async def transactions(
        self,
        now: datetime,
        *,
        payout: str | None,
        type_: str | None,
        created_from: datetime | None,
        created_to: datetime | None,
        ident: str | None = None,
    ) -> tuple[BalanceTransaction, ...]:
        t = balance_transactions
        query = sa.select(t).order_by(t.c.created, t.c.id)
        if ident is not None:
            query = query.where(t.c.id == ident)
        if payout is not None:
            if not payout.startswith("po_"):
                raise GatewayInvalidRequest(
                    f"Invalid payout id: {payout!r}", code="parameter_invalid", param="payout"
                )
            query = query.where(t.c.payout_id == payout)
        if type_ is not None:
            query = query.where(t.c.type == type_)
        if created_from is not None:
            query = query.where(t.c.created >= created_from)
        if created_to is not None:
            query = query.where(t.c.created < created_to)
        async with self._store.transaction() as conn:
            return tuple(_transaction(row, now) for row in (await conn.execute(query)).all())


def _payout(row: sa.Row, now: datetime) -> Payout:
    return Payout(
        id=row.id,
        amount=row.amount,
        currency=row.currency,
        status="paid" if row.arrival_date <= now else "in_transit",
        arrival_date=row.arrival_date,
        created=row.created,
        balance_transaction=row.balance_transaction,
        automatic=True,
        method="standard",
        description="STRIPE PAYOUT",
    )


def _transaction(row: sa.Row, now: datetime) -> BalanceTransaction:
    details = (
        (
            FeeDetail(
                amount=row.fee,
                currency=row.currency,
                type="stripe_fee",
                description=row.fee_description,
            ),
        )
        if row.fee
        else ()
    )
    return BalanceTransaction(
        id=row.id,
        type=row.type,
        reporting_category=row.reporting_category,
        amount=row.amount,
        fee=row.fee,
        net=row.amount - row.fee,
        currency=row.currency,
        status="available" if row.available_on <= now else "pending",
        source=row.source,
        source_reference=row.source,
        created=row.created,
        available_on=row.available_on,
        fee_details=details,
        payout=row.payout_id,
        description=row.description,
    )
