"""Renewals, trial ends, dunning retries: the actions a subscription has due, each run
exactly once, at its own moment.

An action is run by :func:`run_next_action`, in steps that each commit before the next
begins (no transaction is ever open across a gateway call):

1. **decide** (one transaction, the subscription locked): the period moves on and what
   is to be invoiced is written down on the subscription (``pending_invoice``: its
   lines, its period) - or the subscription is canceled, or a retry is scheduled;
2. **invoice**: the invoices service makes the invoice (VAT, number, PDF) and finalizes
   it. A subscription's invoice of a period is unique in the database
   (``invoices.subscription_id, subscription_period``): a retry of this step after a
   crash finds the invoice made before instead of making a second one;
3. **record** (one transaction): the subscription names the invoice to charge
   (``charge_invoice_id``) and forgets ``pending_invoice``;
4. **charge**: the invoice is paid off-session through the invoices service's pay path
   (a PaymentIntent: attempt recorded, key derived from it, recovery of unknown
   outcomes); a crash here resumes with the charge, never a second invoice;
5. **settle** (one transaction): the outcome moves the subscription (``active``,
   ``past_due`` with the next retry of the dunning schedule, ``unpaid`` or
   ``canceled`` after the last one) and records its events.

A plain renewal (the period ends, its invoice is due) runs steps 1 to 3 in ONE
transaction (:func:`_issue_pending`: the invoices service's ``issue_invoice`` makes and
finalizes the invoice in the caller's transaction, the number series' lock taken last),
with the events of the three steps in their order: a crash in it leaves nothing, the
next run renews once. ``pending_invoice`` and steps 2 and 3 apart remain for the other
invoices (prorations, a subscription's first) and for a renewal started by an earlier
version. On a test clock where the database has one writer (SQLite), the renewals due
at one moment run steps 1 to 3 together in one transaction (:func:`renew_together`, all
or nothing: on any failure each is run alone), are charged one by one, and the paid
ones settled together (:func:`charge_together`); ``invoice.upcoming`` of the
subscriptions due at one moment is recorded together (:func:`upcoming_together`).

Whoever runs the next action (the worker for subscriptions on the real clock, a test
clock's advance for its own) first finishes a started one (``RESUME``). Workers claim
subscriptions with a lease taken under ``FOR UPDATE SKIP LOCKED``, so two workers never
run one subscription's actions at the same time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from payments.billing.domain import dunning
from payments.billing.domain.model import Price, Subscription, SubscriptionItem
from payments.billing.domain.model import SubscriptionStatus as S
from payments.billing.domain.periods import next_period_end
from payments.billing.domain.schedule import ActionKind, next_action, next_action_at
from payments.billing.repository import (
    PriceRepository,
    SubscriptionItemRepository,
    SubscriptionRepository,
)
from payments.billing.service.common import (
    At,
    Billing,
    from_unix,
    item_state,
    items_and_prices,
    line_input,
    period_line,
    products_of,
    save_subscription,
    schedule_of,
    subscription_event,
    subscription_snapshot,
    unix,
)
from payments.billing.service.update_links import mint_link
from payments.events.domain import Event
from payments.events.repository import EventRepository
from payments.events.service import new_event, record_event
from payments.invoices.domain.commands import CreateInvoice, PayInvoice, SubscriptionBilling
from payments.invoices.domain.model import Invoice
from payments.invoices.domain.status import InvoiceStatus
from payments.invoices.render import invoice_object
from payments.invoices.repository import InvoiceLineRepository, InvoiceRepository
from payments.invoices.service import drafts, finalize, lifecycle, payments
from payments.kernel.context import SYSTEM
from payments.kernel.errors import CardError, InvalidRequest, NotFound
from payments.platform.db.uow import UnitOfWork
from payments.platform.logs import get_logger

log = get_logger("payments.billing")

LEASE = timedelta(minutes=5)
#: the dunning events' field with the update-your-payment-method link (shown once)
UPDATE_URL_FIELD = "update_payment_method_url"
BATCH = 50
MAX_ACTIONS_PER_CLAIM = 100  # a real-clock subscription far behind catches up over runs


async def cycle_lines(
    uow: UnitOfWork, sub: Subscription, start: datetime, end: datetime
) -> list[dict[str, object]]:
    """The lines of a period's invoice: every item for the period, then the prorations
    waiting for this invoice."""
    items, prices = await items_and_prices(uow, sub.id)
    products = await products_of(uow, list(prices.values()))
    lines = [
        period_line(
            item_state(i, prices[i.price_id], products[prices[i.price_id].product_id]),
            start,
            end,
        )
        for i in items
    ]
    return [*lines, *sub.pending_prorations]


def pending(
    reason: str,
    start: datetime,
    end: datetime,
    lines: list[dict[str, object]],
    *,
    unique: bool,
) -> dict[str, object]:
    """What an invoice to be made holds, stored on the subscription until it exists."""
    return {
        "billing_reason": reason,
        "period_start": unix(start),
        "period_end": unix(end),
        "subscription_period": unix(start) if unique else None,
        "lines": lines,
        "invoice": None,
    }


# ------------------------------------------------------------------ the steps


@dataclass(frozen=True, slots=True)
class _Decided:
    """What step 1 did: the action it decided, when it fell due, and the subscription as
    committed (``None`` for a RESUME, which decides nothing)."""

    kind: ActionKind
    at: datetime
    sub: Subscription | None
    invoice: Invoice | None = None  # the renewal's invoice, made in the same transaction


async def _decide(billing: Billing, sub_id: str, until: datetime) -> _Decided | bool:
    """Step 1 of the subscription's earliest action if it is due by ``until``, in one
    transaction with the subscription locked: what is due is read under the lock, so two
    runs never decide one action twice. False when nothing is due; True when there was
    nothing to decide but a stale ``next_action_at`` was put right (look again)."""
    async with billing.uow_factory() as uow:
        sub = await uow.repo(SubscriptionRepository).get(sub_id, for_update=True)
        if sub is None:
            return False
        action = next_action(sub)
        if action is None or action.at > until:
            if sub.next_action_at is not None and sub.next_action_at <= until:
                sub.next_action_at = next_action_at(sub)  # a stale mark: put it right
                await uow.repo(SubscriptionRepository).save(sub)
                await uow.commit()
                return True
            return False
        kind, at = action.kind, action.at
        if kind is ActionKind.RESUME:
            return _Decided(kind, at, None)  # a started action: finish it (no decision)
        clock = At(at)
        before = await subscription_snapshot(uow, sub)
        event = "customer.subscription.updated"
        match kind:
            case ActionKind.TRIAL_WILL_END:
                sub.trial_will_end_sent = True
                snapshot = await save_subscription(
                    uow, sub, event=None, before=None, ctx=SYSTEM, clock=clock
                )
                await record_event(
                    uow,
                    "customer.subscription.trial_will_end",
                    snapshot,
                    ctx=SYSTEM,
                    clock=clock,
                    location_id=sub.location_id,
                )
                await uow.commit()
                return _Decided(kind, at, sub)
            case ActionKind.UPCOMING:
                sub.upcoming_sent_for = sub.current_period_end
                await save_subscription(uow, sub, event=None, before=None, ctx=SYSTEM, clock=clock)
                await record_event(
                    uow,
                    "invoice.upcoming",
                    await _upcoming_object(uow, sub),
                    ctx=SYSTEM,
                    clock=clock,
                    location_id=sub.location_id,
                )
                await uow.commit()
                return _Decided(kind, at, sub)
            case ActionKind.RETRY:
                sub.charge_invoice_id = sub.dunning_invoice_id
                sub.next_payment_attempt = None
                event = ""
            case ActionKind.EXPIRE:
                sub.status = S.INCOMPLETE_EXPIRED
                sub.ended_at = at
                sub.charge_invoice_id = None
            case ActionKind.PERIOD_END:
                if sub.cancel_at_period_end:
                    sub.status = S.CANCELED
                    sub.canceled_at = sub.canceled_at or at
                    sub.ended_at = at
                    event = "customer.subscription.deleted"
                else:
                    await _next_period(uow, sub, at)
                    if sub.pending_invoice is not None:
                        spec = sub.pending_invoice
                        invoice, made = await _issue_pending(uow, sub, spec, before, clock)
                        await uow.repo(SubscriptionRepository).save(sub)
                        await uow.repo(EventRepository).add_all(made)
                        await uow.commit()
                        return _Decided(kind, at, sub, invoice)
        await save_subscription(
            uow, sub, event=event or None, before=before, ctx=SYSTEM, clock=clock
        )
        await uow.commit()
    if kind is ActionKind.EXPIRE and sub.latest_invoice_id:
        await _void_first_invoice(billing, sub.latest_invoice_id, at)
    return _Decided(kind, at, sub)


async def _next_period(uow: UnitOfWork, sub: Subscription, at: datetime) -> None:
    """The period ends at ``at``: the next one begins, and (unless collection is paused)
    its invoice is written down to be made."""
    items, prices = await items_and_prices(uow, sub.id)
    price = prices[items[0].price_id]
    if price.recurring_interval is None or price.recurring_interval_count is None:
        raise InvalidRequest("A subscription's price is not recurring.", param="items")
    start = sub.current_period_end
    end = next_period_end(
        sub.billing_cycle_anchor, price.recurring_interval, price.recurring_interval_count, start
    )
    sub.current_period_start, sub.current_period_end = start, end
    if sub.pause_collection is not None:
        return  # paused: no invoice for the period (the service is not billed)
    lines = await cycle_lines(uow, sub, start, end)
    sub.pending_prorations = []
    sub.pending_invoice = pending("subscription_cycle", start, end, lines, unique=True)
    sub.next_action_at = at


async def _upcoming_object(uow: UnitOfWork, sub: Subscription) -> dict[str, object]:
    items, prices = await items_and_prices(uow, sub.id)
    return _upcoming(sub, items, prices)


def _upcoming(
    sub: Subscription, items: Sequence[SubscriptionItem], prices: Mapping[str, Price]
) -> dict[str, object]:
    """``invoice.upcoming``'s object: the next period's amounts, not yet an invoice."""
    subtotal = sum(prices[i.price_id].unit_amount * i.quantity for i in items)
    subtotal += sum(int(str(p["unit_amount"])) for p in sub.pending_prorations)
    return {
        "object": "invoice",
        "id": None,
        "subscription": sub.id,
        "customer": sub.customer_id,
        "currency": sub.currency,
        "subtotal": subtotal,
        "next_payment_attempt": unix(sub.current_period_end),
        "period_start": unix(sub.current_period_end),
        "billing_reason": "upcoming",
    }


async def upcoming_together(billing: Billing, sub_ids: Sequence[str], until: datetime) -> set[str]:
    """Of ``sub_ids`` (a test clock's subscriptions whose next actions fall due at one
    moment), those whose action is ``invoice.upcoming`` get it in ONE transaction, all
    locked, read and stored together (their items and prices in one query each, their
    rows and events in one statement each): what step 1 does for each one alone, with
    the same event. Returns the ids done; the others' actions are run one by one."""
    async with billing.uow_factory() as uow:
        repo = uow.repo(SubscriptionRepository)
        due: list[tuple[Subscription, datetime]] = []
        for sub in await repo.locked(sub_ids):
            action = next_action(sub)
            if action is not None and action.kind is ActionKind.UPCOMING and action.at <= until:
                due.append((sub, action.at))
        if not due:
            return set()
        items = await uow.repo(SubscriptionItemRepository).of_subscriptions(
            [sub.id for sub, _ in due]
        )
        prices = await uow.repo(PriceRepository).many(
            [i.price_id for found in items.values() for i in found]
        )
        events = []
        for sub, at in due:
            sub.upcoming_sent_for = sub.current_period_end
            sub.next_action_at = next_action_at(sub)
            events.append(
                new_event(
                    "invoice.upcoming",
                    _upcoming(sub, items[sub.id], prices),
                    ctx=SYSTEM,
                    clock=At(at),
                    location_id=sub.location_id,
                )
            )
        await repo.save_all([sub for sub, _ in due])
        await uow.repo(EventRepository).add_all(events)
        await uow.commit()
    return {sub.id for sub, _ in due}


async def renew_together(
    billing: Billing, sub_ids: Sequence[str], until: datetime
) -> dict[str, tuple[Subscription, Invoice, datetime]]:
    """Of ``sub_ids`` (a test clock's subscriptions whose next actions fall due at one
    moment, where the database has one writer: SQLite), those whose action is a plain
    renewal (the period ends, an invoice is due) get steps 1 to 3 in ONE transaction:
    each subscription's as :func:`_issue_pending` does it alone, with the same events,
    the rows and events written in one statement each. All or nothing: if any of them
    fails, none is done here (the caller runs them one by one, as before). Returns the
    subscriptions renewed, with the invoice each names and the moment, to charge (no
    transaction open)."""
    renewed: dict[str, tuple[Subscription, Invoice, datetime]] = {}
    try:
        async with billing.uow_factory() as uow:
            repo = uow.repo(SubscriptionRepository)
            due: list[tuple[Subscription, datetime]] = []
            for sub in await repo.locked(sub_ids):
                action = next_action(sub)
                if (
                    action is not None
                    and action.kind is ActionKind.PERIOD_END
                    and action.at <= until
                    and not sub.cancel_at_period_end
                    and sub.pause_collection is None
                ):
                    due.append((sub, action.at))
            if not due:
                return {}
            await uow.repo(SubscriptionItemRepository).of_subscriptions([s.id for s, _ in due])
            events: list[Event] = []
            for sub, at in due:
                clock = At(at)
                before = await subscription_snapshot(uow, sub)
                await _next_period(uow, sub, at)
                spec = sub.pending_invoice
                if spec is None:  # cannot happen (not paused): leave it to the one-by-one run
                    raise _NotTogether
                invoice, made = await _issue_pending(uow, sub, spec, before, clock)
                events += made
                renewed[sub.id] = (sub, invoice, at)
            await repo.save_all([sub for sub, _ in due])
            await uow.repo(EventRepository).add_all(events)
            await uow.commit()
    except Exception:
        log.info("subscriptions_not_renewed_together", subscriptions=len(sub_ids))
        return {}
    return renewed


async def charge_together(
    billing: Billing, renewed: Mapping[str, tuple[Subscription, Invoice, datetime]]
) -> None:
    """Steps 4 and 5 of the renewals :func:`renew_together` made: each invoice charged
    (no transaction open), then the paid ones settled in ONE transaction (what step 5
    does for each alone, same events); any other outcome (a decline, a payment still in
    flight) is settled alone by step 5 as before."""
    outcomes: dict[str, tuple[Invoice, datetime, str | None, bool]] = {}
    for sub_id, (sub, invoice, at) in renewed.items():
        if sub.charge_invoice_id != invoice.id:
            continue  # nothing to charge (paid at once, or sent to the customer)
        decline, in_flight = await _pay(billing, sub, invoice, at)
        outcomes[sub_id] = (invoice, at, decline, in_flight)
    settled: set[str] = set()
    if outcomes:
        async with billing.uow_factory() as uow:
            repo = uow.repo(SubscriptionRepository)
            subs = await repo.locked(list(outcomes))
            invoices = {
                i.id: i
                for i in await uow.repo(InvoiceRepository).many(
                    [o[0].id for o in outcomes.values()]
                )
            }
            await uow.repo(SubscriptionItemRepository).of_subscriptions([s.id for s in subs])
            events: list[Event] = []
            for sub in subs:
                invoice, at, decline, in_flight = outcomes[sub.id]
                paid = invoices.get(invoice.id)
                if sub.charge_invoice_id != invoice.id or paid is None:
                    settled.add(sub.id)  # settled already (as step 5 alone would find it)
                    continue
                if paid.status is not InvoiceStatus.PAID or in_flight:
                    continue  # settled alone below
                before = await subscription_snapshot(uow, sub)
                sub.charge_invoice_id = None
                _paid(sub)
                sub.next_action_at = next_action_at(sub)
                _, event = await subscription_event(
                    uow,
                    sub,
                    event="customer.subscription.updated",
                    before=before,
                    ctx=SYSTEM,
                    clock=At(at),
                )
                if event is not None:
                    events.append(event)
                settled.add(sub.id)
            await repo.save_all([s for s in subs if s.id in settled])
            await uow.repo(EventRepository).add_all(events)
            await uow.commit()
    for sub_id, (invoice, at, decline, in_flight) in outcomes.items():
        if sub_id not in settled:
            await _settle(billing, sub_id, invoice, at, decline=decline, in_flight=in_flight)


class _NotTogether(Exception):
    """A subscription of a batch needs its renewal run alone."""


async def _void_first_invoice(billing: Billing, invoice_id: str, at: datetime) -> None:
    try:
        await lifecycle.void_invoice(
            invoice_id, uow_factory=billing.uow_factory, clock=At(at), ctx=SYSTEM
        )
    except InvalidRequest:
        log.info("subscription_invoice_not_voided", invoice=invoice_id)


@dataclass(frozen=True, slots=True)
class _Known:
    """The subscription as last committed (and the invoice it names to charge, when
    known), handed from one step to the next instead of being read again."""

    sub: Subscription
    invoice: Invoice | None = None


async def _invoice(
    billing: Billing, sub_id: str, at: datetime, *, sub: Subscription | None = None
) -> _Known | None:
    """Steps 2 and 3: the pending invoice made (or found) and finalized, then named.
    ``sub``: the subscription as just committed, if the caller has it."""
    if sub is None:
        async with billing.uow_factory() as uow:
            sub = await uow.repo(SubscriptionRepository).get(sub_id)
    if sub is None:
        return None
    if sub.pending_invoice is None:
        return _Known(sub)
    spec = sub.pending_invoice
    clock = At(at)
    invoice_id = spec.get("invoice")
    invoice: Invoice | None = None
    if invoice_id is None:
        made, _ = await drafts.create_invoice(
            _command(sub, spec), uow_factory=billing.uow_factory, clock=clock, ctx=SYSTEM
        )
        invoice_id, invoice = made.id, made
        if spec.get("subscription_period") is None:
            # not unique by period (a proration invoice): remember it before finalizing
            async with billing.uow_factory() as uow:
                sub = await uow.repo(SubscriptionRepository).get(sub_id, for_update=True)
                if sub is None or sub.pending_invoice is None:
                    return None
                sub.pending_invoice = {**sub.pending_invoice, "invoice": invoice_id}
                await uow.repo(SubscriptionRepository).save(sub)
                await uow.commit()
    if invoice is None:
        async with billing.uow_factory() as uow:
            invoice = await uow.repo(InvoiceRepository).get(str(invoice_id))
        if invoice is None:
            raise NotFound.of("invoice", str(invoice_id))
    if invoice.status is InvoiceStatus.DRAFT:
        invoice, _ = await finalize.finalize_invoice(
            invoice.id, uow_factory=billing.uow_factory, clock=clock, ctx=SYSTEM
        )
    async with billing.uow_factory() as uow:
        sub = await uow.repo(SubscriptionRepository).get(sub_id, for_update=True)
        if sub is None or sub.pending_invoice is None:
            return None
        before = await subscription_snapshot(uow, sub)
        _named(sub, invoice)
        await save_subscription(
            uow,
            sub,
            event="customer.subscription.updated",
            before=before,
            ctx=SYSTEM,
            clock=clock,
        )
        await uow.commit()
    return _Known(sub, invoice if sub.charge_invoice_id == invoice.id else None)


def _command(sub: Subscription, spec: dict[str, Any]) -> CreateInvoice:
    """The invoice written down on the subscription (``pending_invoice``), to make."""
    return CreateInvoice(
        customer=sub.customer_id,
        location=sub.location_id,
        currency=sub.currency,
        collection_method=sub.collection_method,  # type: ignore[arg-type]
        days_until_due=sub.days_until_due,
        default_payment_method=sub.default_payment_method,
        description=None,
        lines=tuple(line_input(x) for x in spec["lines"]),
        subscription=SubscriptionBilling(
            subscription=sub.id,
            billing_reason=str(spec["billing_reason"]),
            period_start=from_unix(int(spec["period_start"])),
            period_end=from_unix(int(spec["period_end"])),
            subscription_period=(
                from_unix(int(spec["subscription_period"]))
                if spec.get("subscription_period") is not None
                else None
            ),
        ),
    )


def _named(sub: Subscription, invoice: Invoice) -> None:
    """Step 3: the subscription names its finalized invoice (to charge, or paid)."""
    sub.pending_invoice = None
    sub.latest_invoice_id = invoice.id
    if invoice.status is InvoiceStatus.OPEN and sub.collection_method == "charge_automatically":
        sub.charge_invoice_id = invoice.id
    elif invoice.status is InvoiceStatus.PAID:
        _paid(sub)
    elif sub.status in (S.INCOMPLETE, S.TRIALING):  # send_invoice: the customer pays
        sub.status = S.ACTIVE


async def _issue_pending(
    uow: UnitOfWork,
    sub: Subscription,
    spec: dict[str, Any],
    before: dict[str, Any],
    clock: At,
) -> tuple[Invoice, list[Event]]:
    """Steps 1 to 3 of a renewal in ONE transaction (the subscription locked by the
    caller, its new period and ``pending_invoice`` set): the invoice made and finalized
    (numbered and posted: the number series' lock is taken last and held only to the
    commit), and named on the subscription. A crash anywhere rolls it all back: the next
    run decides the renewal again, and makes the invoice once. The events are those of
    the steps run one after another, in their order and with their payloads (the period
    moving on, ``invoice.created``, ``invoice.finalized``, the invoice named), returned
    for the caller to write (with the subscription) in one statement."""
    sub.next_action_at = next_action_at(sub)
    moved, moved_event = await subscription_event(
        uow, sub, event="customer.subscription.updated", before=before, ctx=SYSTEM, clock=clock
    )
    invoice, _lines, made = await drafts.issue_invoice(
        uow, _command(sub, spec), clock=clock, ctx=SYSTEM
    )
    _named(sub, invoice)
    sub.next_action_at = next_action_at(sub)
    _, named_event = await subscription_event(
        uow, sub, event="customer.subscription.updated", before=moved, ctx=SYSTEM, clock=clock
    )
    recorded = [
        new_event(t, obj, ctx=SYSTEM, clock=clock, location_id=invoice.location_id)
        for t, obj in made
    ]
    return invoice, [e for e in (moved_event, *recorded, named_event) if e is not None]


def _paid(sub: Subscription) -> None:
    if sub.status in (S.INCOMPLETE, S.TRIALING, S.PAST_DUE, S.UNPAID):
        sub.status = S.ACTIVE
    sub.dunning_invoice_id = None
    sub.attempt_count = 0
    sub.next_payment_attempt = None


async def _charge(billing: Billing, sub_id: str, at: datetime, *, known: _Known | None) -> None:
    """Steps 4 and 5: the named invoice charged off-session, and the outcome settled.
    ``known``: the subscription (and its invoice) as the step before committed them."""
    sub = known.sub if known is not None else None
    invoice = known.invoice if known is not None else None
    if sub is not None and sub.charge_invoice_id is None:
        return
    if sub is None or invoice is None or invoice.id != sub.charge_invoice_id:
        async with billing.uow_factory() as uow:
            sub = await uow.repo(SubscriptionRepository).get(sub_id)
            if sub is None or sub.charge_invoice_id is None:
                return
            invoice = await uow.repo(InvoiceRepository).get(sub.charge_invoice_id)
    if invoice is None:
        raise NotFound.of("invoice", sub.charge_invoice_id)
    decline, in_flight = await _pay(billing, sub, invoice, at)
    await _settle(billing, sub_id, invoice, at, decline=decline, in_flight=in_flight)


async def _pay(
    billing: Billing, sub: Subscription, invoice: Invoice, at: datetime
) -> tuple[str | None, bool]:
    """Step 4: the named invoice (if still open) charged off-session, no transaction
    open. Returns the decline code (None when not declined) and whether the payment's
    outcome is still to come."""
    decline: str | None = None
    in_flight = False
    if invoice.status is InvoiceStatus.OPEN:
        try:
            await payments.charge_invoice(
                PayInvoice(id=invoice.id, payment_method=sub.default_payment_method),
                uow_factory=billing.uow_factory,
                gateway=billing.gateway,
                clock=At(at),
                ctx=SYSTEM,
                max_amount=billing.max_amount,
            )
        except CardError as e:
            decline = e.decline_code or e.code
        except InvalidRequest as e:
            if e.code == "invoice_payment_in_progress":
                in_flight = True
            else:
                decline = e.code or "payment_method_missing"
    return decline, in_flight


async def _settle(
    billing: Billing,
    sub_id: str,
    invoice: Invoice,
    at: datetime,
    *,
    decline: str | None,
    in_flight: bool,
) -> None:
    """Step 5 (one transaction): the charge's outcome moves the subscription."""
    clock = At(at)
    async with billing.uow_factory() as uow:
        sub = await uow.repo(SubscriptionRepository).get(sub_id, for_update=True)
        if sub is None or sub.charge_invoice_id != invoice.id:
            return
        invoice = await uow.repo(InvoiceRepository).get(invoice.id) or invoice
        before = await subscription_snapshot(uow, sub)
        sub.charge_invoice_id = None
        event = "customer.subscription.updated"
        extra: dict[str, str] | None = None
        if invoice.status is InvoiceStatus.PAID or (
            invoice.status is not InvoiceStatus.OPEN and not in_flight
        ):
            _paid(sub)
        elif in_flight:  # the payment's outcome arrives later: look again in a day
            sub.dunning_invoice_id = invoice.id
            sub.next_payment_attempt = at + timedelta(days=1)
        elif sub.status is S.INCOMPLETE:
            pass  # the first invoice: the subscription expires unless it is paid in 23 h
        else:
            if sub.dunning_invoice_id != invoice.id:
                sub.dunning_invoice_id, sub.attempt_count = invoice.id, 0
            sub.attempt_count += 1
            schedule = await schedule_of(uow, sub.location_id, billing)
            outcome = dunning.after_failure(
                schedule, attempts=sub.attempt_count, decline_code=decline, at=at
            )
            sub.next_payment_attempt = outcome.next_attempt
            sub.status = S.PAST_DUE
            if outcome.final:
                if schedule.final_action == S.CANCELED.value:
                    sub.status = S.CANCELED
                    sub.canceled_at = sub.ended_at = at
                    event = "customer.subscription.deleted"
                else:
                    sub.status = S.UNPAID
            if sub.status is not S.CANCELED:  # the customer may still recover it
                url = await mint_link(
                    uow, sub, invoice_id=invoice.id, at=at, public_url=billing.public_url
                )
                extra = {UPDATE_URL_FIELD: url}
            if decline in dunning.AUTHENTICATION:
                lines = await uow.repo(InvoiceLineRepository).of_invoice(invoice.id)
                await record_event(
                    uow,
                    "invoice.payment_action_required",
                    {**invoice_object(invoice, lines), **(extra or {})},
                    ctx=SYSTEM,
                    clock=clock,
                    location_id=invoice.location_id,
                )
        await save_subscription(
            uow, sub, event=event, before=before, ctx=SYSTEM, clock=clock, extra=extra
        )
        await uow.commit()


async def finish(
    billing: Billing,
    sub_id: str,
    at: datetime,
    *,
    sub: Subscription | None = None,
    invoice: Invoice | None = None,
) -> None:
    """Finish what a subscription started: make its pending invoice, charge it.
    ``sub``: the subscription as just committed by the caller (saves reading it again);
    ``invoice``: the invoice it named in that same transaction, if any."""
    if sub is not None and invoice is not None and sub.pending_invoice is None:
        known: _Known | None = _Known(sub, invoice if sub.charge_invoice_id == invoice.id else None)
    else:
        known = await _invoice(billing, sub_id, at, sub=sub)
    await _charge(billing, sub_id, at, known=known)


async def run_next_action(billing: Billing, sub_id: str, until: datetime) -> bool:
    """Run the subscription's earliest action if it is due by ``until``; True if one ran
    (or there may be another to look at)."""
    decided = await _decide(billing, sub_id, until)
    if not isinstance(decided, _Decided):
        return decided
    at = decided.at
    if decided.kind is ActionKind.RESUME:
        async with billing.uow_factory() as uow:
            current = await uow.repo(SubscriptionRepository).get(sub_id)
        if current is not None and current.test_clock_id is None:
            at = billing.clock.now()  # finishing late: stamped when it is finished
    await finish(billing, sub_id, at, sub=decided.sub, invoice=decided.invoice)
    return True


async def renew_due(billing: Billing, *, batch: int = BATCH) -> int:
    """The worker's job: claim due subscriptions on the real clock and run their actions."""
    now = billing.clock.now()
    async with billing.uow_factory() as uow:
        claimed = await uow.repo(SubscriptionRepository).claim_due(
            now=now, lease_until=now + LEASE, limit=batch
        )
        await uow.commit()
    done = 0
    for sub_id in claimed:
        try:
            for _ in range(MAX_ACTIONS_PER_CLAIM):
                if not await run_next_action(billing, sub_id, billing.clock.now()):
                    break
                done += 1
        except Exception:
            log.exception("subscription_action_failed", subscription=sub_id)
        finally:
            async with billing.uow_factory() as uow:
                await uow.repo(SubscriptionRepository).release(sub_id)
                await uow.commit()
    return done
