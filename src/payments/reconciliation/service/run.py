"""Reconciling a day: the payouts arriving on it, each matched line by line.

1. The day's run row is claimed with a lease (a second worker, or a CLI run while the
   job runs, finds it held and does nothing), in a transaction of its own.
2. The gateway is asked, with no transaction open, for the payouts arriving that day
   and each payout's balance transactions (the adapter pages through them).
3. In one transaction: what we booked for every line's source is read and matched
   (:func:`payments.reconciliation.domain.match_payout`); our movements of the payouts'
   period that no payout contains are listed as missing at the gateway; each payout's
   result replaces any earlier one; a paid payout posts ``payout.paid`` (gateway
   receivable -> bank) once ever (postings are unique per kind and source, so a re-run
   confirms it and never posts twice); ``reconciliation.completed`` and
   ``reconciliation.discrepancy_found`` are recorded when a payout's outcome is new or
   changed; the run is marked completed and its lease released.

Re-running a date (``payments reconcile --date``) replaces its results with what the
gateway and our books say now.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from payments.events.service import record_event
from payments.gateways.protocol import BalanceReporting, BalanceTransaction, PaymentGateway, Payout
from payments.kernel.clock import Clock
from payments.kernel.context import SYSTEM, RequestContext
from payments.kernel.errors import InvalidRequest
from payments.kernel.ids import id_for
from payments.kernel.money import Money
from payments.ledger.domain import postings
from payments.ledger.domain.journal import Source
from payments.ledger.repository import LedgerRepository
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.platform.logs import get_logger
from payments.reconciliation.domain import (
    Booked,
    PayoutResult,
    key_of,
    match_payout,
    missing_at_gateway,
    with_discrepancies,
)
from payments.reconciliation.render import payout_object, reconciliation_object, run_object
from payments.reconciliation.repository import BookedRepository, ReconciliationRepository

log = get_logger("payments.reconciliation")

LEASE = timedelta(minutes=10)


class RunBusy(InvalidRequest):
    default_code = "reconciliation_in_progress"


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return start, start + timedelta(days=1)


def reporting(gateway: PaymentGateway) -> BalanceReporting:
    if not isinstance(gateway, BalanceReporting):
        raise InvalidRequest(
            f"The {gateway.name} gateway does not report balance transactions and payouts.",
            code="reconciliation_unsupported",
        )
    return gateway


async def reconcile_date(
    day: date,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    gateway: PaymentGateway,
    ctx: RequestContext = SYSTEM,
) -> dict[str, Any]:
    """Reconcile the payouts arriving on ``day``; the run, rendered."""
    source = reporting(gateway)
    async with uow_factory() as uow:
        now = clock.now()
        run = await uow.repo(ReconciliationRepository).claim_run(
            day,
            gateway=gateway.name,
            now=now,
            lease_until=now + LEASE,
            run_id=id_for("reconciliation_run"),
        )
        await uow.commit()
    if run is None:
        raise RunBusy(
            f"The reconciliation of {day.isoformat()} is running elsewhere.", param="date"
        )
    try:
        start, end = day_bounds(day)
        payouts = await source.list_payouts(arrival_from=start, arrival_to=end)
        fetched = [(po, await source.list_balance_transactions(payout=po.id)) for po in payouts]
        async with uow_factory() as uow:
            done = await _apply(uow, run["id"], day, gateway.name, fetched, clock=clock, ctx=ctx)
            await uow.commit()
        return done
    except Exception as exc:
        log.exception("reconciliation_failed", date=day.isoformat())
        async with uow_factory() as uow:
            await uow.repo(ReconciliationRepository).update_run(
                run["id"], locked_until=None, status="failed", error=str(exc)[:500]
            )
            await uow.commit()
        raise


async def _booked(
    uow: UnitOfWork, gateway: str, lines: list[BalanceTransaction]
) -> dict[tuple[str, str], Booked]:
    """What we booked, by the key of the line that should carry it."""
    refs: dict[str, set[str]] = defaultdict(set)
    for txn in lines:
        category, ref = key_of(txn)
        refs[category].add(ref)
    repo = uow.repo(BookedRepository)
    out: dict[tuple[str, str], Booked] = {}
    for item in await repo.charges(gateway, refs["charge"]):
        out[("charge", item.reference)] = item
    wanted = refs["refund"] | refs["refund_failure"]
    for r in await repo.refunds(gateway, wanted) if wanted else []:
        common = {
            "object": "refund",
            "id": r["id"],
            "reference": r["gateway_ref"],
            "currency": r["currency"],
        }
        out[("refund", r["gateway_ref"])] = Booked(
            **common, amount=-r["amount"] if r["posted"] else None
        )
        undone = r["status"] in ("failed", "canceled")
        out[("refund_failure", r["gateway_ref"])] = Booked(
            **common, amount=r["amount"] if undone else 0
        )
    wanted = refs["dispute"] | refs["dispute_reversal"]
    for d in await repo.disputes(gateway, wanted) if wanted else []:
        common = {
            "object": "dispute",
            "id": d["id"],
            "reference": d["gateway_ref"],
            "currency": d["currency"],
        }
        out[("dispute", d["gateway_ref"])] = Booked(
            **common, amount=-d["amount"] if d["withdrawn"] else None, fee=d["fee"]
        )
        out[("dispute_reversal", d["gateway_ref"])] = Booked(
            **common, amount=d["amount"] if d["reinstated"] else None
        )
    return out


async def _apply(
    uow: UnitOfWork,
    run_id: str,
    day: date,
    gateway: str,
    fetched: list[tuple[Payout, tuple[BalanceTransaction, ...]]],
    *,
    clock: Clock,
    ctx: RequestContext,
) -> dict[str, Any]:
    repo = uow.repo(ReconciliationRepository)
    every = [txn for _, lines in fetched for txn in lines]
    booked = await _booked(uow, gateway, every)
    ours = {po.id for po, _ in fetched}
    elsewhere = await repo.keys_elsewhere({key_of(t)[1] for t in every}, other_than=ours)
    results = [match_payout(po, lines, booked, seen_elsewhere=elsewhere) for po, lines in fetched]
    results = await _missing_at_gateway(uow, gateway, results)
    now = clock.now()
    total = 0
    for result in results:
        total += len(result.discrepancies)
        await _store(uow, run_id, day, gateway, result, now=now, clock=clock, ctx=ctx)
    await repo.update_run(
        run_id,
        status="completed",
        payouts=len(results),
        discrepancies=total,
        locked_until=None,
        error=None,
        completed_at=now,
    )
    run = await repo.get_run(run_id)
    assert run is not None  # noqa: S101 - claimed above
    return run_object(run)


async def _missing_at_gateway(
    uow: UnitOfWork, gateway: str, results: list[PayoutResult]
) -> list[PayoutResult]:
    """Per currency, our movements on the days the payouts' lines cover that no payout
    contains, added to the currency's first payout."""
    by_currency: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(results):
        by_currency[r.payout.currency].append(i)
    for currency, indexes in by_currency.items():
        lines = [
            line.transaction
            for i in indexes
            for line in results[i].lines
            if line.transaction.reporting_category != "payout"
        ]
        if not lines:
            continue
        first = min(t.created for t in lines).astimezone(UTC).date()
        last = max(t.created for t in lines).astimezone(UTC).date()
        start, end = day_bounds(first)[0], day_bounds(last)[1]
        ours = await uow.repo(BookedRepository).booked_between(gateway, start, end)
        here = {key_of(t)[1] for t in lines}
        candidates = [b for b in ours if b.reference not in here]
        stored = await uow.repo(ReconciliationRepository).references_contained(
            {b.reference for b in candidates}, other_than={r.payout.id for r in results}
        )
        extra = missing_at_gateway(candidates, here | stored, currency=currency)
        results[indexes[0]] = with_discrepancies(results[indexes[0]], extra)
    return results


def _signature(status: str, discrepancies: list[dict[str, Any]]) -> tuple[str, frozenset[str]]:
    return status, frozenset(
        f"{d['code']}:{d.get('balance_transaction')}:{d.get('source')}" for d in discrepancies
    )


async def _store(
    uow: UnitOfWork,
    run_id: str,
    day: date,
    gateway: str,
    result: PayoutResult,
    *,
    now: datetime,
    clock: Clock,
    ctx: RequestContext,
) -> None:
    repo = uow.repo(ReconciliationRepository)
    po = result.payout
    before = await repo.by_payout(po.id)
    discrepancies = [
        {k: (v.value if k == "code" else v) for k, v in asdict(d).items()}
        for d in result.discrepancies
    ]
    posted = bool(before and before["payout_posted"])
    if po.status == "paid" and po.amount > 0:
        await uow.repo(LedgerRepository).post(
            postings.payout_paid(
                Money(po.amount, po.currency),
                source=Source("payout", po.id),
                description=f"payout {po.id} arrived",
            ),
            when=now,
        )  # once ever: unique per (kind, source)
        posted = True
    values = {
        "id": before["id"] if before else id_for("reconciliation"),
        "run_id": run_id,
        "date": day,
        "gateway": gateway,
        "payout_id": po.id,
        "payout": payout_object(po),
        "currency": po.currency,
        "status": result.status.value,
        "payout_amount": po.amount,
        **asdict(result.totals),
        "discrepancies": discrepancies,
        "payout_posted": posted,
        "updated": now,
        "created": before["created"] if before else now,
    }
    lines = [
        {
            "balance_transaction": line.transaction.id,
            "type": line.transaction.type,
            "reporting_category": line.transaction.reporting_category,
            "source": line.transaction.source,
            "source_reference": key_of(line.transaction)[1],
            "amount": line.transaction.amount,
            "fee": line.transaction.fee,
            "net": line.transaction.net,
            "currency": line.transaction.currency,
            "fee_details": [asdict(d) for d in line.transaction.fee_details],
            "txn_status": line.transaction.status,
            "txn_created": line.transaction.created,
            "available_on": line.transaction.available_on,
            "object": line.object,
            "object_id": line.object_id,
            "expected_amount": line.expected_amount,
            "expected_fee": line.expected_fee,
            "codes": ",".join(c.value for c in line.codes),
        }
        for line in result.lines
    ]
    await repo.save(values, lines, existing=before["id"] if before else None)
    if before and _signature(before["status"], before["discrepancies"]) == _signature(
        values["status"], discrepancies
    ):
        return  # confirmed: nothing new to tell
    obj = reconciliation_object(values)
    await record_event(uow, "reconciliation.completed", obj, ctx=ctx, clock=clock)
    if discrepancies:
        await record_event(uow, "reconciliation.discrepancy_found", obj, ctx=ctx, clock=clock)


async def reconcile_due(
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    gateway: PaymentGateway,
    days_back: int = 3,
) -> int:
    """The worker's daily job: reconcile each of the ``days_back`` days before today
    (oldest first) that has no completed run and is not being run; how many it ran."""
    if not isinstance(gateway, BalanceReporting):
        return 0
    today = clock.now().astimezone(UTC).date()
    done = 0
    for back in range(days_back, 0, -1):
        day = today - timedelta(days=back)
        async with uow_factory() as uow:
            run = await uow.repo(ReconciliationRepository).run_of(day)
        if run is not None and run["status"] == "completed":
            continue
        if run is not None and run["locked_until"] and run["locked_until"] > clock.now():
            continue
        try:
            await reconcile_date(day, uow_factory=uow_factory, clock=clock, gateway=gateway)
        except RunBusy:
            continue
        done += 1
    return done
