"""All SQL of reconciliation: what we booked for the gateway's movements (charges,
refunds, disputes and their ledger postings), and the stored results."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from payments.disputes.tables import disputes
from payments.intents.tables import charges
from payments.kernel.pagination import PageRequest
from payments.ledger.domain.accounts import Account
from payments.ledger.domain.journal import TransactionKind as K
from payments.ledger.tables import ledger_entries, ledger_transactions
from payments.platform.db.listing import fetch_page
from payments.platform.db.uow import Repository
from payments.reconciliation.domain import Booked
from payments.reconciliation.tables import (
    reconciliation_lines,
    reconciliation_runs,
    reconciliations,
)
from payments.refunds.tables import refunds

_RECEIVED = (K.CHARGE_SUCCEEDED.value, K.CHARGE_CAPTURED.value, K.CHARGE_OVERPAYMENT.value)
_CHUNK = 500


def _chunks(values: Collection[str]) -> Iterable[list[str]]:
    items = sorted(values)
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


class BookedRepository(Repository):
    """What our books say of the gateway's movements (read-only)."""

    async def _sums(
        self, source_type: str, ids: Collection[str], account: Account, kinds: Collection[str]
    ) -> dict[tuple[str, str], int]:
        t, e = ledger_transactions, ledger_entries
        out: dict[tuple[str, str], int] = defaultdict(int)
        for chunk in _chunks(ids):
            rows = await self._conn.execute(
                sa.select(t.c.source_id, e.c.currency, sa.func.sum(e.c.amount))
                .join(e, e.c.transaction_id == t.c.id)
                .where(
                    t.c.source_type == source_type,
                    t.c.source_id.in_(chunk),
                    t.c.kind.in_(list(kinds)),
                    e.c.account == account.value,
                )
                .group_by(t.c.source_id, e.c.currency)
            )
            for source_id, currency, amount in rows.all():
                out[(source_id, currency)] += int(amount)
        return out

    async def _posted(self, source_type: str, ids: Collection[str], kind: str) -> set[str]:
        t = ledger_transactions
        found: set[str] = set()
        for chunk in _chunks(ids):
            rows = await self._conn.execute(
                sa.select(t.c.source_id).where(
                    t.c.source_type == source_type, t.c.kind == kind, t.c.source_id.in_(chunk)
                )
            )
            found.update(rows.scalars())
        return found

    async def charges(self, gateway: str, refs: Collection[str]) -> list[Booked]:
        """Our charges with these gateway references: the captured amount posted to the
        gateway receivable (with any over-payment) and the fee posted, per charge."""
        rows: list[Any] = []
        for chunk in _chunks(refs):
            rows += (
                await self._conn.execute(
                    sa.select(charges.c.id, charges.c.gateway_ref, charges.c.currency).where(
                        charges.c.gateway == gateway, charges.c.gateway_ref.in_(chunk)
                    )
                )
            ).all()
        ids = [r.id for r in rows]
        received = await self._sums("charge", ids, Account.GATEWAY_RECEIVABLE, _RECEIVED)
        fees = await self._sums("charge", ids, Account.GATEWAY_FEES, (K.CHARGE_FEE.value,))
        return [
            Booked(
                object="charge",
                id=r.id,
                reference=r.gateway_ref,
                currency=r.currency,
                amount=received.get((r.id, r.currency)),
                fee=fees.get((r.id, r.currency), 0),
            )
            for r in rows
        ]

    async def refunds(self, gateway: str, refs: Collection[str]) -> list[dict[str, Any]]:
        """Our refunds with these references: amount, currency, status, and whether their
        ``refund.created`` is posted."""
        rows: list[Any] = []
        for chunk in _chunks(refs):
            rows += (
                await self._conn.execute(
                    sa.select(
                        refunds.c.id,
                        refunds.c.gateway_ref,
                        refunds.c.currency,
                        refunds.c.amount,
                        refunds.c.status,
                    ).where(refunds.c.gateway == gateway, refunds.c.gateway_ref.in_(chunk))
                )
            ).all()
        posted = await self._posted("refund", [r.id for r in rows], K.REFUND_CREATED.value)
        return [dict(r._mapping) | {"posted": r.id in posted} for r in rows]

    async def disputes(self, gateway: str, refs: Collection[str]) -> list[dict[str, Any]]:
        """Our disputes with these references: amount, currency, whether withdrawn and
        reinstated are posted, and the fee posted."""
        rows: list[Any] = []
        for chunk in _chunks(refs):
            rows += (
                await self._conn.execute(
                    sa.select(
                        disputes.c.id,
                        disputes.c.gateway_ref,
                        disputes.c.currency,
                        disputes.c.amount,
                    ).where(disputes.c.gateway == gateway, disputes.c.gateway_ref.in_(chunk))
                )
            ).all()
        ids = [r.id for r in rows]
        withdrawn = await self._posted("dispute", ids, K.DISPUTE_FUNDS_WITHDRAWN.value)
        reinstated = await self._posted("dispute", ids, K.DISPUTE_FUNDS_REINSTATED.value)
        fees = await self._sums("dispute", ids, Account.GATEWAY_FEES, (K.CHARGE_FEE.value,))
        return [
            dict(r._mapping)
            | {
                "withdrawn": r.id in withdrawn,
                "reinstated": r.id in reinstated,
                "fee": fees.get((r.id, r.currency), 0),
            }
            for r in rows
        ]

    async def booked_between(self, gateway: str, start: datetime, end: datetime) -> list[Booked]:
        """The movements we booked in ``[start, end)`` that a payout should contain:
        charges received, refunds sent, dispute funds withdrawn (on this gateway)."""
        t = ledger_transactions
        out: list[Booked] = []
        when = sa.and_(t.c.created >= start, t.c.created < end)
        rows = await self._conn.execute(
            sa.select(charges.c.id, charges.c.gateway_ref, charges.c.currency)
            .join(t, sa.and_(t.c.source_type == "charge", t.c.source_id == charges.c.id))
            .where(when, t.c.kind.in_(_RECEIVED), charges.c.gateway == gateway)
            .distinct()
        )
        found = rows.all()
        received = await self._sums(
            "charge", [r.id for r in found], Account.GATEWAY_RECEIVABLE, _RECEIVED
        )
        for r in found:
            if r.gateway_ref:
                out.append(
                    Booked(
                        object="charge",
                        id=r.id,
                        reference=r.gateway_ref,
                        currency=r.currency,
                        amount=received.get((r.id, r.currency)),
                    )
                )
        sent = await self._paid_out(refunds, "refund", K.REFUND_CREATED.value, gateway, when)
        out += [b for b in sent if b.reference]
        out += await self._paid_out(
            disputes, "dispute", K.DISPUTE_FUNDS_WITHDRAWN.value, gateway, when
        )
        return out

    async def _paid_out(
        self, table: sa.Table, object_: str, kind: str, gateway: str, when: Any
    ) -> list[Booked]:
        """The refunds or disputes (``table``, ledger source type ``object_``) on this
        gateway whose ``kind`` posting was booked ``when``: money that left, negated."""
        t = ledger_transactions
        rows = await self._conn.execute(
            sa.select(table.c.id, table.c.gateway_ref, table.c.currency, table.c.amount)
            .join(t, sa.and_(t.c.source_type == object_, t.c.source_id == table.c.id))
            .where(when, t.c.kind == kind, table.c.gateway == gateway)
        )
        return [
            Booked(
                object=object_,
                id=r.id,
                reference=r.gateway_ref,
                currency=r.currency,
                amount=-r.amount,
            )
            for r in rows.all()
        ]


class ReconciliationRepository(Repository):
    async def _one(self, table: sa.Table, column: str, value: Any) -> dict[str, Any] | None:
        """The row of ``table`` whose ``column`` is ``value``, as a dict (None: none)."""
        row = (await self._conn.execute(sa.select(table).where(table.c[column] == value))).first()
        return dict(row._mapping) if row else None

    # ------------------------------------------------------------------ runs

    async def claim_run(
        self, day: date, *, gateway: str, now: datetime, lease_until: datetime, run_id: str
    ) -> dict[str, Any] | None:
        """The run of ``day``, leased to the caller (created if new); None while another
        holds its lease."""
        r = reconciliation_runs
        existing = (
            await self._conn.execute(sa.select(r).where(r.c.date == day).with_for_update())
        ).first()
        if existing is None:
            values = {
                "id": run_id,
                "date": day,
                "gateway": gateway,
                "status": "pending",
                "payouts": 0,
                "discrepancies": 0,
                "attempts": 1,
                "locked_until": lease_until,
                "created": now,
            }
            await self._conn.execute(r.insert().values(**values))
            return values
        if existing.locked_until is not None and existing.locked_until > now:
            return None
        await self._conn.execute(
            r.update()
            .where(r.c.id == existing.id)
            .values(locked_until=lease_until, attempts=existing.attempts + 1, gateway=gateway)
        )
        return dict(existing._mapping)

    async def run_of(self, day: date) -> dict[str, Any] | None:
        return await self._one(reconciliation_runs, "date", day)

    async def get_run(self, run_id: str) -> dict[str, Any] | None:
        return await self._one(reconciliation_runs, "id", run_id)

    async def update_run(self, run_id: str, **values: Any) -> None:
        await self._conn.execute(
            reconciliation_runs.update().where(reconciliation_runs.c.id == run_id).values(**values)
        )

    async def page_runs(self, page: PageRequest) -> tuple[list[dict[str, Any]], bool]:
        rows, more = await fetch_page(self._conn, reconciliation_runs, [], page)
        return [dict(r._mapping) for r in rows], more

    # ------------------------------------------------------------------ results

    async def by_payout(self, payout_id: str) -> dict[str, Any] | None:
        return await self._one(reconciliations, "payout_id", payout_id)

    async def get(self, reconciliation_id: str) -> dict[str, Any] | None:
        return await self._one(reconciliations, "id", reconciliation_id)

    async def save(
        self, values: dict[str, Any], lines: list[dict[str, Any]], *, existing: str | None
    ) -> None:
        """Store a payout's result, replacing an earlier one of the same payout."""
        rc, rl = reconciliations, reconciliation_lines
        if existing is not None:
            await self._conn.execute(rl.delete().where(rl.c.reconciliation_id == existing))
            update = {k: v for k, v in values.items() if k not in ("id", "created")}
            await self._conn.execute(rc.update().where(rc.c.id == existing).values(**update))
            rid = existing
        else:
            await self._conn.execute(rc.insert().values(**values))
            rid = values["id"]
        if lines:
            await self._conn.execute(
                rl.insert(), [line | {"reconciliation_id": rid} for line in lines]
            )

    async def lines_of(self, reconciliation_id: str) -> list[dict[str, Any]]:
        rl = reconciliation_lines
        rows = await self._conn.execute(
            sa.select(rl).where(rl.c.reconciliation_id == reconciliation_id).order_by(rl.c.id)
        )
        return [dict(r._mapping) for r in rows.all()]

    async def keys_elsewhere(
        self, references: Collection[str], *, other_than: Collection[str]
    ) -> set[tuple[str, str]]:
        """(category, reference) of lines with these references in the stored results
        of payouts other than ``other_than``."""
        rl, rc = reconciliation_lines, reconciliations
        out: set[tuple[str, str]] = set()
        for chunk in _chunks(references):
            rows = await self._conn.execute(
                sa.select(rl.c.reporting_category, rl.c.source_reference)
                .join(rc, rc.c.id == rl.c.reconciliation_id)
                .where(
                    rl.c.source_reference.in_(chunk),
                    rc.c.payout_id.not_in(list(other_than)) if other_than else sa.true(),
                )
            )
            out.update((c, r) for c, r in rows.all())
        return out

    async def references_contained(
        self, references: Collection[str], *, other_than: Collection[str]
    ) -> set[str]:
        """Those of ``references`` that a line of another payout's stored result carries
        (not of ``other_than``: their results are being replaced)."""
        rl, rc = reconciliation_lines, reconciliations
        out: set[str] = set()
        for chunk in _chunks(references):
            rows = await self._conn.execute(
                sa.select(rl.c.source_reference)
                .join(rc, rc.c.id == rl.c.reconciliation_id)
                .where(
                    rl.c.source_reference.in_(chunk),
                    rc.c.payout_id.not_in(list(other_than)) if other_than else sa.true(),
                )
            )
            out.update(rows.scalars())
        return out

    async def page(
        self,
        page: PageRequest,
        *,
        day: date | None = None,
        status: str | None = None,
        payout: str | None = None,
    ) -> tuple[list[dict[str, Any]], bool]:
        rc = reconciliations
        where = []
        if day is not None:
            where.append(rc.c.date == day)
        if status is not None:
            where.append(rc.c.status == status)
        if payout is not None:
            where.append(rc.c.payout_id == payout)
        rows, more = await fetch_page(self._conn, rc, where, page)
        return [dict(r._mapping) for r in rows], more

    async def posted_payouts(self) -> list[tuple[str, bool, int, str]]:
        """(payout id, payout_posted, amount, currency) of every stored result."""
        rc = reconciliations
        rows = await self._conn.execute(
            sa.select(rc.c.payout_id, rc.c.payout_posted, rc.c.payout_amount, rc.c.currency)
        )
        return [(p, bool(b), int(a), c) for p, b, a, c in rows.all()]

    async def report_rows(
        self, first: date, after: date, *, currency: str | None
    ) -> list[dict[str, Any]]:
        """Every line of the payouts arriving on the days ``[first, after)``, for the
        ``payouts.reconciliation`` report run (oldest payout first)."""
        rc, rl = reconciliations, reconciliation_lines
        query = (
            sa.select(
                rc.c.id.label("reconciliation_id"),
                rc.c.payout_id,
                rc.c.date,
                rc.c.status.label("payout_status"),
                rc.c.payout_amount,
                rl.c.balance_transaction,
                rl.c.type,
                rl.c.reporting_category,
                rl.c.source,
                rl.c.object,
                rl.c.object_id,
                rl.c.currency,
                rl.c.amount,
                rl.c.fee,
                rl.c.net,
                rl.c.expected_amount,
                rl.c.expected_fee,
                rl.c.codes,
                rl.c.txn_created,
            )
            .join(rl, rl.c.reconciliation_id == rc.c.id)
            .where(rc.c.date >= first, rc.c.date < after)
            .order_by(rc.c.date, rc.c.payout_id, rl.c.id)
        )
        if currency:
            query = query.where(rc.c.currency == currency)
        return [dict(r._mapping) for r in (await self._conn.execute(query)).all()]
