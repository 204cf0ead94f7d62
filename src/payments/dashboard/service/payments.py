"""A payment as the dashboard shows it: found by an id of any of its objects or by the
customer's e-mail, and its timeline (attempts, charges, refunds, disputes, events, for
those who manage webhooks the events' deliveries, and for those who may read the
ledger its ledger entries), oldest first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from payments.customers.service.customers import list_customers
from payments.disputes.domain import Dispute, ListDisputes
from payments.disputes.service.disputes import list_disputes, retrieve_dispute
from payments.events.service import list_events
from payments.intents.domain.commands import ListCharges, ListPaymentIntents
from payments.intents.domain.model import Charge, PaymentIntent
from payments.intents.repository import AttemptRepository
from payments.intents.service.charges import list_charges, retrieve_charge
from payments.intents.service.payment_intents import (
    list_payment_intents,
    retrieve_payment_intent,
)
from payments.kernel.access import Permission
from payments.kernel.context import RequestContext
from payments.kernel.errors import NotFound
from payments.kernel.pagination import MAX_LIMIT, Created, Page, PageRequest
from payments.ledger.repository import LedgerRepository
from payments.platform.db.uow import UnitOfWorkFactory
from payments.refunds.domain.commands import ListRefunds
from payments.refunds.domain.refund import Refund
from payments.refunds.service.refunds import list_refunds, retrieve_refund
from payments.webhooks.service.endpoints import list_webhook_endpoints
from payments.webhooks.service.replay import list_deliveries


@dataclass(frozen=True, slots=True)
class Search:
    text: str = ""  # an id (pi_, ch_, re_, dp_, cus_), a customer's e-mail, or a card's last 4
    status: str = ""
    location: str = ""
    created: Created = field(default_factory=Created)
    amount: int | None = None  # minor units of ``currency``
    currency: str | None = None
    card_last4: str | None = None  # 4 digits: a charge paid with a card ending in them


async def _intent_of_id(
    text: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> str | None:
    prefix = text.split("_", 1)[0]
    try:
        match prefix:
            case "pi":
                return (await retrieve_payment_intent(text, uow_factory=uow_factory, ctx=ctx)).id
            case "ch":
                charge = await retrieve_charge(text, uow_factory=uow_factory, ctx=ctx)
                return charge.payment_intent_id
            case "re":
                refund = await retrieve_refund(text, uow_factory=uow_factory, ctx=ctx)
                return refund.payment_intent_id
            case "dp":
                dispute = await retrieve_dispute(text, uow_factory=uow_factory, ctx=ctx)
                return dispute.payment_intent_id
    except NotFound:
        return None
    return None


async def search_payments(
    search: Search, page: PageRequest, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Page[PaymentIntent]:
    """Payments matching the search, newest first. An id finds its payment; an e-mail
    address the payments of the customers with it; ``cus_`` a customer's payments; 4
    digits the payments paid with a card ending in them (as does ``card_last4``)."""
    text = search.text.strip()
    card_last4 = search.card_last4
    customers: list[str | None] = [None]
    if len(text) == 4 and text.isascii() and text.isdigit():
        if card_last4 is not None and card_last4 != text:
            return Page([], False)  # two different cards asked for: no charge has both
        card_last4 = text
    elif text and "@" in text:
        found = await list_customers(
            PageRequest(limit=MAX_LIMIT), email=text, uow_factory=uow_factory, ctx=ctx
        )
        customers = [c.id for c in found.data]
        if not customers:
            return Page([], False)
    elif text.startswith("cus_"):
        customers = [text]
    elif text:
        pi_id = await _intent_of_id(text, uow_factory=uow_factory, ctx=ctx)
        if pi_id is None:
            return Page([], False)
        pi = await retrieve_payment_intent(pi_id, uow_factory=uow_factory, ctx=ctx)
        return Page([pi], False)
    if len(customers) == 1:
        return await list_payment_intents(
            ListPaymentIntents(
                customer=customers[0],
                status=search.status or None,
                location=search.location or None,
                created=search.created,
                amount=search.amount,
                currency=search.currency if search.amount is not None else None,
                card_last4=card_last4,
            ),
            page,
            uow_factory=uow_factory,
            ctx=ctx,
        )
    merged: list[PaymentIntent] = []  # several customers share the e-mail: their first pages
    for customer in customers:
        result = await list_payment_intents(
            ListPaymentIntents(
                customer=customer,
                status=search.status or None,
                location=search.location or None,
                created=search.created,
                amount=search.amount,
                currency=search.currency if search.amount is not None else None,
                card_last4=card_last4,
            ),
            PageRequest(limit=page.limit),
            uow_factory=uow_factory,
            ctx=ctx,
        )
        merged += result.data
    merged.sort(key=lambda pi: pi.id, reverse=True)
    return Page(merged[: page.limit], len(merged) > page.limit)


@dataclass(frozen=True, slots=True)
class Moment:
    at: datetime
    kind: str  # attempt | charge | refund | dispute | event | ledger
    title: str
    detail: str = ""
    object_id: str = ""


async def _deliveries(
    event_ids: list[str], *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> list[Moment]:
    """The webhook deliveries of these events to the endpoints the person may see."""
    if not event_ids:
        return []
    endpoints = await list_webhook_endpoints(
        PageRequest(limit=MAX_LIMIT), uow_factory=uow_factory, ctx=ctx
    )
    found: list[Moment] = []
    for endpoint in endpoints.data:
        for event_id in event_ids:
            page = await list_deliveries(
                endpoint.id,
                PageRequest(limit=MAX_LIMIT),
                event_id=event_id,
                uow_factory=uow_factory,
                ctx=ctx,
            )
            found += [
                Moment(
                    d.last_attempt_at or d.created,
                    "delivery",
                    f"webhook: {d.event_type} {d.status.value}",
                    f"{endpoint.url} ({d.attempts})",
                    d.id,
                )
                for d in page.data
            ]
    return found


@dataclass
class PaymentDetail:
    intent: PaymentIntent
    charges: list[Charge]
    refunds: list[Refund]
    disputes: list[Dispute]
    timeline: list[Moment]
    ledger: list[dict[str, Any]]


async def payment_detail(
    pi_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> PaymentDetail:
    """The payment and everything that happened to it (404 for another shop's)."""
    pi = await retrieve_payment_intent(pi_id, uow_factory=uow_factory, ctx=ctx)
    all_of = PageRequest(limit=MAX_LIMIT)
    charges = (
        await list_charges(
            ListCharges(payment_intent=pi.id), all_of, uow_factory=uow_factory, ctx=ctx
        )
    ).data
    refunds = (
        await list_refunds(
            ListRefunds(payment_intent=pi.id), all_of, uow_factory=uow_factory, ctx=ctx
        )
    ).data
    disputes = (
        await list_disputes(
            ListDisputes(payment_intent=pi.id), all_of, uow_factory=uow_factory, ctx=ctx
        )
    ).data
    moments: list[Moment] = []
    ledger: list[dict[str, Any]] = []
    sources = [pi.id] + [c.id for c in charges] + [r.id for r in refunds] + [d.id for d in disputes]
    async with uow_factory() as uow:
        attempts = await uow.repo(AttemptRepository).list_page(
            all_of, equals={"payment_intent_id": pi.id}
        )
        for a in attempts.data:
            moments.append(
                Moment(
                    a.created,
                    "attempt",
                    f"{a.operation.value}: {a.status.value}",
                    a.gateway,
                    a.id,
                )
            )
        for source in sources:
            events = await list_events(uow, all_of, ctx=ctx, object_id=source)
            moments += [Moment(e.created, "event", e.type, e.object_id, e.id) for e in events.data]
        if ctx.principal.can(Permission.read_ledger) and ctx.principal.location_id is None:
            for source in sources:
                txs = await uow.repo(LedgerRepository).list_transactions(all_of, source_id=source)
                ledger += txs.data
    if ctx.principal.can(Permission.manage_webhooks):
        moments += await _deliveries(
            [m.object_id for m in moments if m.kind == "event"], uow_factory=uow_factory, ctx=ctx
        )
    for c in reversed(charges):
        moments.append(Moment(c.created, "charge", f"charge: {c.status.value}", "", c.id))
    for r in refunds:
        moments.append(
            Moment(r.created, "refund", f"refund: {r.status.value}", r.requested_by_name, r.id)
        )
    for d in disputes:
        moments.append(Moment(d.created, "dispute", f"dispute: {d.status.value}", d.reason, d.id))
    for tx in ledger:
        moments.append(
            Moment(
                tx["created"], "ledger", f"ledger: {tx['kind']}", tx["description"] or "", tx["id"]
            )
        )
    # oldest first; at the same instant, in the order things happen: the gateway
    # attempt, its charge, the events, the ledger postings, then refunds and disputes
    order = {
        "attempt": 0,
        "charge": 1,
        "event": 2,
        "delivery": 3,
        "ledger": 4,
        "refund": 5,
        "dispute": 6,
    }
    moments.sort(key=lambda m: (m.at, order.get(m.kind, 9), m.object_id))
    ledger.sort(key=lambda tx: tx["created"])
    return PaymentDetail(
        intent=pi,
        charges=list(reversed(charges)),
        refunds=list(reversed(refunds)),
        disputes=list(reversed(disputes)),
        timeline=moments,
        ledger=ledger,
    )
