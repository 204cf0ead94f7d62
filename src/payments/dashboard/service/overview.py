"""The home page: today's and this month's volume, refunds, disputes and declines per
shop and currency, a daily volume chart, and the items needing attention.

Every figure is read through the capabilities' list use cases with the signed-in
person's context, so a clerk of one shop sees only that shop. Each list is read up to
:data:`MAX_OBJECTS` objects per period; beyond that the figure is marked incomplete
("at least") rather than guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from payments.bank_statements.domain.commands import ListBankTransactions
from payments.bank_statements.domain.records import TransactionStatus
from payments.bank_statements.service.queries import list_transactions
from payments.disputes.domain import DisputeStatus, ListDisputes
from payments.disputes.service.disputes import list_disputes
from payments.fraud.domain.model import Review
from payments.fraud.service.reviews import list_reviews
from payments.intents.domain.commands import ListCharges, ListPaymentIntents
from payments.intents.service.charges import list_charges
from payments.intents.service.payment_intents import list_payment_intents
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.pagination import MAX_LIMIT, Created, Page, PageRequest
from payments.platform.db.uow import UnitOfWorkFactory
from payments.refunds.domain.commands import ListRefunds
from payments.refunds.domain.refund import Refund
from payments.refunds.service.refunds import list_refunds
from payments.webhooks.domain.endpoint import WebhookEndpoint
from payments.webhooks.service.endpoints import list_webhook_endpoints

MAX_OBJECTS = 5_000
DEADLINE_SOON = timedelta(days=3)
T = TypeVar("T")


@dataclass
class Figures:
    """Sums per (shop, currency): amounts in minor units and counts."""

    volume: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    payments: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    refunds: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    disputes: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    declines: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    complete: bool = True

    def rows(self) -> list[dict[str, Any]]:
        keys = sorted(
            set(self.volume) | set(self.refunds) | set(self.disputes) | set(self.declines)
        )
        return [
            {
                "shop": shop,
                "currency": currency,
                "volume": self.volume.get((shop, currency), 0),
                "payments": self.payments.get((shop, currency), 0),
                "refunds": self.refunds.get((shop, currency), 0),
                "disputes": self.disputes.get((shop, currency), 0),
                "declines": self.declines.get((shop, currency), 0),
            }
            for shop, currency in keys
        ]


@dataclass
class Overview:
    today: Figures
    month: Figures
    daily: dict[str, list[tuple[int, int]]]  # currency -> [(day of month, volume)]
    awaiting_approval: list[Refund]
    disputes_due: list[Any]
    failing_endpoints: list[WebhookEndpoint]
    open_reviews: list[Review] = field(default_factory=list)  # for manage_fraud only
    unmatched_bank_transactions: int = 0  # for finance and admin of every shop only
    counts_complete: bool = True


async def _all(
    fetch: Callable[[PageRequest], Awaitable[Page[T]]], id_of: Callable[[T], str]
) -> tuple[list[T], bool]:
    """Every object of a list (newest first), up to MAX_OBJECTS; False when cut short."""
    found: list[T] = []
    page = PageRequest(limit=MAX_LIMIT)
    while True:
        result = await fetch(page)
        found += result.data
        if not result.has_more or not result.data:
            return found, True
        if len(found) >= MAX_OBJECTS:
            return found, False
        page = PageRequest(limit=MAX_LIMIT, starting_after=id_of(result.data[-1]))


async def _figures(
    created: Created, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> tuple[Figures, list[Any]]:
    f = Figures()
    intents, ok1 = await _all(
        lambda p: list_payment_intents(
            ListPaymentIntents(created=created), p, uow_factory=uow_factory, ctx=ctx
        ),
        lambda o: o.id,
    )
    succeeded = [pi for pi in intents if pi.amount_received > 0]
    for pi in succeeded:
        f.volume[(pi.location_id, pi.currency)] += pi.amount_received
        f.payments[(pi.location_id, pi.currency)] += 1
    refunds, ok2 = await _all(
        lambda p: list_refunds(ListRefunds(created=created), p, uow_factory=uow_factory, ctx=ctx),
        lambda o: o.id,
    )
    for r in refunds:
        if r.status.value == "succeeded":
            f.refunds[(r.location_id, r.currency)] += r.amount
    disputes, ok3 = await _all(
        lambda p: list_disputes(ListDisputes(created=created), p, uow_factory=uow_factory, ctx=ctx),
        lambda o: o.id,
    )
    for d in disputes:
        f.disputes[(d.location_id, d.currency)] += 1
    failed, ok4 = await _all(
        lambda p: list_charges(
            ListCharges(created=created, status="failed"), p, uow_factory=uow_factory, ctx=ctx
        ),
        lambda o: o.id,
    )
    for c in failed:
        f.declines[(c.location_id, c.currency)] += 1
    f.complete = ok1 and ok2 and ok3 and ok4
    return f, succeeded


def _start_of_day(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


async def overview(
    *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> Overview:
    now = clock.now()
    day = _start_of_day(now)
    month_start = day.replace(day=1)
    today, _ = await _figures(Created(gte=day), uow_factory=uow_factory, ctx=ctx)
    month, succeeded = await _figures(Created(gte=month_start), uow_factory=uow_factory, ctx=ctx)
    by_day: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for pi in succeeded:
        by_day[pi.currency][pi.created.day] += pi.amount_received
    daily = {
        currency: [(d, days.get(d, 0)) for d in range(1, now.day + 1)]
        for currency, days in sorted(by_day.items())
    }
    awaiting, _ = await _all(
        lambda p: list_refunds(
            ListRefunds(status="pending_approval"), p, uow_factory=uow_factory, ctx=ctx
        ),
        lambda o: o.id,
    )
    open_disputes, _ = await _all(
        lambda p: list_disputes(
            ListDisputes(status=DisputeStatus.NEEDS_RESPONSE.value),
            p,
            uow_factory=uow_factory,
            ctx=ctx,
        ),
        lambda o: o.id,
    )
    due = sorted(
        (d for d in open_disputes if d.due_by - now <= DEADLINE_SOON), key=lambda d: d.due_by
    )
    failing: list[WebhookEndpoint] = []
    if ctx.principal.can(Permission.manage_webhooks):
        endpoints, _ = await _all(
            lambda p: list_webhook_endpoints(p, uow_factory=uow_factory, ctx=ctx),
            lambda o: o.id,
        )
        failing = [e for e in endpoints if e.failing_since is not None or not e.enabled]
    reviews: list[Review] = []
    ok_reviews = ok_bank = True
    if ctx.principal.can(Permission.manage_fraud):
        reviews, ok_reviews = await _all(
            lambda p: list_reviews(
                p, open_only=True, location_id=None, uow_factory=uow_factory, ctx=ctx
            ),
            lambda o: o.id,
        )
    unmatched = 0
    if ctx.principal.can(Permission.reconcile_bank) and ctx.principal.location_id is None:
        transactions, ok_bank = await _all(
            lambda p: list_transactions(
                ListBankTransactions(status=TransactionStatus.UNMATCHED),
                p,
                uow_factory=uow_factory,
                ctx=ctx,
            ),
            lambda o: o.id,
        )
        unmatched = len(transactions)
    return Overview(
        today=today,
        month=month,
        daily=daily,
        awaiting_approval=list(reversed(awaiting)),
        disputes_due=due,
        failing_endpoints=failing,
        open_reviews=reviews,
        unmatched_bank_transactions=unmatched,
        counts_complete=ok_reviews and ok_bank,
    )
