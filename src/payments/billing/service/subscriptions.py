"""Subscriptions (Stripe's ``/v1/subscriptions``): create, retrieve, list, update with
prorations, cancel, pause and resume collection; and the preview of the next invoice.

A subscription belongs to a shop (``location``: the one named, else the key's, else the
customer's); its prices are recurring, in one currency the shop accepts, on one
interval. Its times follow the customer's test clock when it has one.

Creating one without a trial invoices its first period at once (``subscription_create``)
and charges it off-session (``charge_automatically``) or leaves it open for the customer
(``send_invoice``): paid, the subscription is ``active``; declined, it stays
``incomplete`` and expires (``incomplete_expired``, the invoice voided) after 23 hours.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from payments.billing.domain.commands import (
    CancelSubscription,
    CreateSubscription,
    ItemChange,
    ListSubscriptions,
    PreviewInvoice,
    UpdateSubscription,
)
from payments.billing.domain.model import (
    Price,
    Subscription,
    SubscriptionItem,
)
from payments.billing.domain.model import SubscriptionStatus as S
from payments.billing.domain.periods import (
    full_period_start,
    next_period_end,
    prorate,
    prorations,
)
from payments.billing.domain.status import ENDED, check_changeable, check_pausable
from payments.billing.render import subscription_object
from payments.billing.repository import (
    PriceRepository,
    SubscriptionItemRepository,
    SubscriptionRepository,
)
from payments.billing.service.common import (
    At,
    Billing,
    item_state,
    items_and_prices,
    line_input,
    now_for,
    period_line,
    products_of,
    proration_line,
    save_subscription,
    subscription_snapshot,
    visible_subscription,
)
from payments.billing.service.renewals import finish, pending, run_next_action
from payments.events.service import record_event
from payments.idempotency.service import created_earlier, remember_created
from payments.intents.service.payment_intents import resolve_payment_method
from payments.invoices.domain.model import Invoice
from payments.invoices.domain.status import InvoiceStatus
from payments.invoices.render import invoice_object
from payments.invoices.service.common import customer_of, reprice_draft, seller_of, shop
from payments.invoices.service.drafts import new_line
from payments.kernel.access import Permission
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.ids import id_for
from payments.kernel.metadata import update_metadata, validate_metadata
from payments.kernel.pagination import Page, PageRequest
from payments.kernel.unset import Unset
from payments.locations.domain import Location
from payments.platform.db.uow import UnitOfWork

MAX_ITEMS = 20
MAX_QUANTITY = 1_000_000
MAX_TRIAL_DAYS = 730
PAUSE_BEHAVIORS = ("keep_as_draft", "mark_uncollectible", "void")

Rendered = dict[str, Any]


def _quantity(value: int, *, param: str) -> int:
    if not 1 <= value <= MAX_QUANTITY:
        raise InvalidRequest(
            f"Invalid {param}: a quantity is at least 1 (remove an item with deleted=true).",
            code="parameter_invalid_integer",
            param=param,
        )
    return value


def _check_price(
    price: Price,
    *,
    param: str,
    location: Location,
    currency: str | None,
    interval: tuple[object, object] | None,
) -> None:
    if not price.active:
        raise InvalidRequest(
            f"The price {price.id} is archived (active=false): it sells no new contracts.",
            code="price_inactive",
            param=param,
        )
    if price.recurring_interval is None:
        raise InvalidRequest(
            f"The price {price.id} is not recurring: a subscription needs recurring prices.",
            code="price_not_recurring",
            param=param,
        )
    if not location.accepts(price.currency):
        raise InvalidRequest(
            f"The shop {location.id} does not accept {price.currency}; it sells in "
            + ", ".join(location.currencies or [location.default_currency])
            + ".",
            code="currency_not_accepted",
            param=param,
        )
    if currency is not None and price.currency != currency:
        raise InvalidRequest(
            f"All prices of a subscription are in one currency ({currency}); "
            f"{price.id} is in {price.currency}.",
            code="currency_mismatch",
            param=param,
        )
    if (
        interval is not None
        and (
            price.recurring_interval,
            price.recurring_interval_count,
        )
        != interval
    ):
        raise InvalidRequest(
            f"All prices of a subscription renew on one interval; {price.id} does not.",
            code="interval_mismatch",
            param=param,
        )


async def _price(uow: UnitOfWork, price_id: str, *, param: str) -> Price:
    price = await uow.repo(PriceRepository).get(price_id)
    if price is None:
        raise NotFound.of("price", price_id, param=param)
    return price


def _terms(collection_method: str, days: int | None) -> int | None:
    if collection_method == "charge_automatically":
        if days is not None:
            raise InvalidRequest(
                "days_until_due is only for collection_method=send_invoice.",
                param="days_until_due",
            )
        return None
    return 30 if days is None else days


async def _rendered(uow: UnitOfWork, sub: Subscription) -> Rendered:
    return await subscription_snapshot(uow, sub)


async def create_subscription(
    cmd: CreateSubscription, *, billing: Billing, ctx: RequestContext
) -> Rendered:
    ctx.require(Permission.write_payments)
    if not cmd.items:
        raise InvalidRequest(
            "Missing required param: items.", code="parameter_missing", param="items"
        )
    if len(cmd.items) > MAX_ITEMS:
        raise InvalidRequest(f"At most {MAX_ITEMS} items.", param="items")
    for i, item in enumerate(cmd.items):
        _quantity(item.quantity, param=f"items[{i}][quantity]")
    if cmd.trial_period_days is not None and not 1 <= cmd.trial_period_days <= MAX_TRIAL_DAYS:
        raise InvalidRequest(
            f"Invalid trial_period_days: between 1 and {MAX_TRIAL_DAYS}.",
            param="trial_period_days",
        )
    if cmd.trial_end is not None and cmd.trial_period_days is not None:
        raise InvalidRequest(
            "Give trial_end or trial_period_days, not both.", param="trial_period_days"
        )
    days_until_due = _terms(cmd.collection_method, cmd.days_until_due)
    metadata = validate_metadata(dict(cmd.metadata))
    async with billing.uow_factory() as uow:  # everything checked before anything is written
        customer = await customer_of(uow, ctx, cmd.customer)
        location = await shop(uow, ctx, cmd.location or customer.location_id)
        await seller_of(uow, location)
        now = await now_for(uow, customer.test_clock, billing.clock)
        prices: list[Price] = []
        for i, item in enumerate(cmd.items):
            price = await _price(uow, item.price, param=f"items[{i}][price]")
            first = prices[0] if prices else None
            _check_price(
                price,
                param=f"items[{i}][price]",
                location=location,
                currency=first.currency if first else None,
                interval=(first.recurring_interval, first.recurring_interval_count)
                if first
                else None,
            )
            if any(p.id == price.id for p in prices):
                raise InvalidRequest(
                    f"The price {price.id} is given twice: use one item with its quantity.",
                    param=f"items[{i}][price]",
                )
            prices.append(price)
        if cmd.trial_end is not None and cmd.trial_end <= now:
            raise InvalidRequest(
                "Invalid trial_end: it must be in the future.",
                code="parameter_invalid_timestamp",
                param="trial_end",
            )
        if cmd.billing_cycle_anchor is not None and cmd.billing_cycle_anchor <= now:
            raise InvalidRequest(
                "Invalid billing_cycle_anchor: it must be in the future.",
                code="parameter_invalid_timestamp",
                param="billing_cycle_anchor",
            )
    method = None
    if cmd.default_payment_method:
        pm = await resolve_payment_method(
            cmd.default_payment_method,
            uow_factory=billing.uow_factory,
            gateway=billing.gateway,
            clock=billing.clock,
            ctx=ctx,
        )
        method = pm.id
    interval, count = prices[0].recurring_interval, prices[0].recurring_interval_count
    if interval is None or count is None:  # checked above
        raise InvalidRequest("A subscription needs recurring prices.", param="items")
    trial_end = cmd.trial_end or (
        now + timedelta(days=cmd.trial_period_days) if cmd.trial_period_days else None
    )
    async with billing.uow_factory() as uow:
        earlier = await created_earlier(uow, ctx, "subscription")
        if earlier is not None:
            return await _rendered(uow, await visible_subscription(uow, earlier, ctx))
        anchor = cmd.billing_cycle_anchor or trial_end or now
        if trial_end is not None:
            status, start, end = S.TRIALING, now, trial_end
        else:
            status = S.INCOMPLETE if cmd.collection_method == "charge_automatically" else S.ACTIVE
            start = now
            end = cmd.billing_cycle_anchor or next_period_end(anchor, interval, count, now)
        sub = Subscription(
            id=id_for("subscription"),
            customer_id=customer.id,
            location_id=location.id,
            status=status,
            currency=prices[0].currency,
            collection_method=cmd.collection_method,
            days_until_due=days_until_due,
            default_payment_method=method,
            billing_cycle_anchor=anchor,
            current_period_start=start,
            current_period_end=end,
            start_date=now,
            created=now,
            trial_start=now if trial_end else None,
            trial_end=trial_end,
            cancel_at_period_end=cmd.cancel_at_period_end,
            test_clock_id=customer.test_clock,
            metadata=metadata,
        )
        items = [
            SubscriptionItem(
                id=id_for("subscription_item"),
                subscription_id=sub.id,
                price_id=p.id,
                quantity=item.quantity,
                metadata=validate_metadata(dict(item.metadata)),
                created=now,
            )
            for item, p in zip(cmd.items, prices, strict=True)
        ]
        if trial_end is None:
            products = await products_of(uow, prices)
            full_start = full_period_start(end, interval, count)
            lines = []
            for made, p in zip(items, prices, strict=True):
                state = item_state(made, p, products[p.product_id])
                line = period_line(state, start, end)
                if cmd.billing_cycle_anchor is not None and cmd.proration_behavior != "none":
                    # a first period shortened by the anchor: prorated to the second
                    # (the item's whole amount, quantity included, rounded once, as Stripe)
                    line["unit_amount"] = prorate(
                        p.unit_amount * made.quantity, start=full_start, end=end, at=start
                    )
                    line["quantity"] = "1"
                    line["description"] = f"{made.quantity} x {line['description']}"
                    line["proration"] = True
                lines.append(line)
            sub.pending_invoice = pending("subscription_create", start, end, lines, unique=True)
        await uow.repo(SubscriptionRepository).add(sub)
        await uow.repo(SubscriptionItemRepository).add_all(items)
        await uow.repo(PriceRepository).mark_used([p.id for p in prices])
        await remember_created(uow, ctx, "subscription", sub.id)
        await save_subscription(
            uow, sub, event="customer.subscription.created", before=None, ctx=ctx, clock=At(now)
        )
        await uow.commit()
    if sub.pending_invoice is not None:
        await finish(billing, sub.id, now)
    async with billing.uow_factory() as uow:
        return await _rendered(uow, await visible_subscription(uow, sub.id, ctx))


async def retrieve_subscription(
    subscription_id: str, *, billing: Billing, ctx: RequestContext
) -> Rendered:
    async with billing.uow_factory() as uow:
        return await _rendered(uow, await visible_subscription(uow, subscription_id, ctx))


async def list_subscriptions(
    query: ListSubscriptions, page: PageRequest, *, billing: Billing, ctx: RequestContext
) -> Page[Rendered]:
    statuses: list[S] | None
    if query.status in (None, ""):
        statuses = [s for s in S if s is not S.CANCELED]
    elif query.status == "all":
        statuses = None
    elif query.status == "ended":
        statuses = list(ENDED)
    else:
        try:
            statuses = [S(query.status)]
        except ValueError:
            raise InvalidRequest(
                f"Invalid status: {query.status!r}.", code="parameter_invalid", param="status"
            ) from None
    async with billing.uow_factory() as uow:
        found = await uow.repo(SubscriptionRepository).list_page(
            page,
            equals={"customer_id": query.customer, "test_clock_id": query.test_clock},
            created=query.created,
            location_id=ctx.list_location(query.location),
            statuses=statuses,
            price_id=query.price,
        )
        items = await uow.repo(SubscriptionItemRepository).of_subscriptions(
            [s.id for s in found.data]
        )
        prices = await uow.repo(PriceRepository).many(
            [i.price_id for its in items.values() for i in its]
        )
        return Page(
            [subscription_object(s, items[s.id], prices) for s in found.data], found.has_more
        )


# ------------------------------------------------------------------ changes


async def _changed_items(
    uow: UnitOfWork,
    sub: Subscription,
    changes: tuple[ItemChange, ...],
    location: Location,
    *,
    at: datetime,
) -> tuple[list[SubscriptionItem], list[str], list[Price]]:
    """The items after ``changes`` (every change checked, 400 naming ``items[i][...]``),
    the ids of the items removed, and the prices of the new items."""
    items, prices = await items_and_prices(uow, sub.id)
    by_id = {i.id: replace(i) for i in items}
    first = prices[items[0].price_id]
    interval = (first.recurring_interval, first.recurring_interval_count)
    removed: list[str] = []
    added: list[SubscriptionItem] = []
    new_prices: list[Price] = []
    for i, change in enumerate(changes):
        if change.quantity is not None:
            _quantity(change.quantity, param=f"items[{i}][quantity]")
        price = None
        if change.price is not None:
            price = await _price(uow, change.price, param=f"items[{i}][price]")
            _check_price(
                price,
                param=f"items[{i}][price]",
                location=location,
                currency=sub.currency,
                interval=interval,
            )
            new_prices.append(price)
        if change.id is None:
            if price is None:
                raise InvalidRequest(
                    f"Missing required param: items[{i}][price] (a new item needs its price).",
                    code="parameter_missing",
                    param=f"items[{i}][price]",
                )
            added.append(
                SubscriptionItem(
                    id=id_for("subscription_item"),
                    subscription_id=sub.id,
                    price_id=price.id,
                    quantity=change.quantity or 1,
                    created=at,
                )
            )
            continue
        item = by_id.get(change.id)
        if item is None:
            raise NotFound.of("subscription_item", change.id, param=f"items[{i}][id]")
        if change.deleted:
            removed.append(item.id)
            continue
        if price is not None:
            item.price_id = price.id
        if change.quantity is not None:
            item.quantity = change.quantity
    after = [i for i in by_id.values() if i.id not in removed] + added
    if not after:
        raise InvalidRequest(
            "A subscription keeps at least one item: cancel it instead.", param="items"
        )
    seen: set[str] = set()
    for item in after:
        if item.price_id in seen:
            raise InvalidRequest(
                f"The price {item.price_id} is on two items: use one item with its quantity.",
                param="items",
            )
        seen.add(item.price_id)
    return after, removed, new_prices


async def _proration_lines(
    uow: UnitOfWork,
    sub: Subscription,
    after: list[SubscriptionItem],
    extra_prices: list[Price],
    *,
    at: datetime,
) -> list[dict[str, Any]]:
    items, prices = await items_and_prices(uow, sub.id)
    prices |= {p.id: p for p in extra_prices}
    products = await products_of(uow, list(prices.values()))

    def state(i: SubscriptionItem) -> Any:
        return item_state(i, prices[i.price_id], products[prices[i.price_id].product_id])

    lines = prorations(
        [state(i) for i in items],
        [state(i) for i in after],
        period_start=sub.current_period_start,
        period_end=sub.current_period_end,
        at=at,
    )
    return [proration_line(p) for p in lines]


def _net(lines: list[dict[str, Any]]) -> int:
    return sum(int(x["unit_amount"]) for x in lines)


async def update_subscription(
    cmd: UpdateSubscription, *, billing: Billing, ctx: RequestContext
) -> Rendered:
    ctx.require(Permission.write_payments)
    method: str | Unset | None = cmd.default_payment_method
    if isinstance(cmd.pause_collection, str) and cmd.pause_collection not in PAUSE_BEHAVIORS:
        raise InvalidRequest(
            "Invalid pause_collection[behavior]: use one of " + ", ".join(PAUSE_BEHAVIORS) + ".",
            param="pause_collection[behavior]",
        )
    async with billing.uow_factory() as uow:  # checked before any tokenization or write
        sub = await visible_subscription(uow, cmd.id, ctx)
        _check_update_state(sub, cmd)
    if isinstance(method, str) and method:
        pm = await resolve_payment_method(
            method,
            uow_factory=billing.uow_factory,
            gateway=billing.gateway,
            clock=billing.clock,
            ctx=ctx,
        )
        method = pm.id
    retry_now = False
    async with billing.uow_factory() as uow:
        current = await visible_subscription(uow, cmd.id, ctx, for_update=True)
        _check_update_state(current, cmd)
        sub = replace(current)
        now = await now_for(uow, sub.test_clock_id, billing.clock)
        before = await subscription_snapshot(uow, current)
        location = await shop(uow, ctx, sub.location_id)
        events: list[str] = []
        if not isinstance(cmd.items, Unset):
            at = cmd.proration_date or now
            if not sub.current_period_start <= at <= sub.current_period_end:
                raise InvalidRequest(
                    "Invalid proration_date: it must be within the current period.",
                    param="proration_date",
                )
            after, removed, new_prices = await _changed_items(uow, sub, cmd.items, location, at=now)
            if cmd.proration_behavior != "none" and sub.status is not S.TRIALING:
                lines = await _proration_lines(uow, sub, after, new_prices, at=at)
                waiting = [*sub.pending_prorations, *lines]
                if cmd.proration_behavior == "always_invoice" and _net(waiting) > 0:
                    sub.pending_invoice = pending(
                        "subscription_update", at, sub.current_period_end, waiting, unique=False
                    )
                    sub.pending_prorations = []
                    sub.next_action_at = now
                else:  # on the next invoice (a net credit waits there too)
                    sub.pending_prorations = waiting
            items_repo = uow.repo(SubscriptionItemRepository)
            await items_repo.delete(removed)
            existing = {i.id for i in await items_repo.of_subscription(sub.id)}
            for item in after:
                if item.id in existing:
                    await items_repo.save(item)
                else:
                    await items_repo.add(item)
            await uow.repo(PriceRepository).mark_used([p.id for p in new_prices])
        if not isinstance(cmd.cancel_at_period_end, Unset):
            sub.cancel_at_period_end = cmd.cancel_at_period_end
            sub.canceled_at = now if cmd.cancel_at_period_end else None
        if not isinstance(cmd.collection_method, Unset) or not isinstance(
            cmd.days_until_due, Unset
        ):
            collection = (
                sub.collection_method
                if isinstance(cmd.collection_method, Unset)
                else cmd.collection_method
            )
            days = (
                sub.days_until_due if isinstance(cmd.days_until_due, Unset) else cmd.days_until_due
            )
            sub.collection_method = collection
            sub.days_until_due = _terms(collection, days if collection == "send_invoice" else None)
        if not isinstance(method, Unset):
            sub.default_payment_method = method or None
            if (
                method
                and sub.dunning_invoice_id is not None
                and sub.status
                in (
                    S.PAST_DUE,
                    S.UNPAID,
                )
            ):
                sub.next_payment_attempt = now  # a new payment method: retry at once
                retry_now = True
        if not isinstance(cmd.pause_collection, Unset):
            if cmd.pause_collection is None:
                if sub.pause_collection is not None:
                    sub.pause_collection = None
                    sub.status = S.ACTIVE
                    events.append("customer.subscription.resumed")
            elif sub.pause_collection is None or sub.pause_collection.get("behavior") != (
                cmd.pause_collection
            ):
                sub.pause_collection = {"behavior": cmd.pause_collection, "resumes_at": None}
                sub.status = S.PAUSED
                events.append("customer.subscription.paused")
        if not isinstance(cmd.metadata, Unset):
            sub.metadata = update_metadata(
                sub.metadata, None if cmd.metadata is None else dict(cmd.metadata)
            )
        snapshot = await save_subscription(
            uow,
            sub,
            event="customer.subscription.updated",
            before=before,
            ctx=ctx,
            clock=At(now),
        )
        for event in events:
            await record_event(
                uow, event, snapshot, ctx=ctx, clock=At(now), location_id=sub.location_id
            )
        await uow.commit()
    if sub.pending_invoice is not None:
        await finish(billing, sub.id, now)
    if retry_now:
        await run_next_action(billing, sub.id, now)
    async with billing.uow_factory() as uow:
        return await _rendered(uow, await visible_subscription(uow, sub.id, ctx))


def _check_update_state(sub: Subscription, cmd: UpdateSubscription) -> None:
    given = [
        name
        for name in (
            "items",
            "default_payment_method",
            "cancel_at_period_end",
            "collection_method",
            "days_until_due",
            "pause_collection",
            "metadata",
        )
        if not isinstance(getattr(cmd, name), Unset)
    ]
    if not isinstance(cmd.pause_collection, Unset):
        check_pausable(sub.status)
    if sub.status in ENDED and given and given != ["metadata"]:
        check_changeable(sub.status, param=given[0])


async def resume_subscription(
    subscription_id: str, *, billing: Billing, ctx: RequestContext
) -> Rendered:
    """``POST /v1/subscriptions/{id}/resume``: collection resumes (a paused one only)."""
    async with billing.uow_factory() as uow:
        sub = await visible_subscription(uow, subscription_id, ctx)
        if sub.status is not S.PAUSED:
            raise InvalidRequest(
                f"Only a paused subscription can be resumed; this one is {sub.status.value}.",
                code="subscription_unexpected_state",
                param="id",
            )
    return await update_subscription(
        UpdateSubscription(id=subscription_id, pause_collection=None), billing=billing, ctx=ctx
    )


async def cancel_subscription(
    cmd: CancelSubscription, *, billing: Billing, ctx: RequestContext
) -> Rendered:
    """``DELETE /v1/subscriptions/{id}``: canceled now. With ``invoice_now``, what is
    pending (prorations; with ``prorate``, the credit for the unused time) is invoiced
    in a final invoice when it comes to an amount owed."""
    ctx.require(Permission.write_payments)
    async with billing.uow_factory() as uow:
        current = await visible_subscription(uow, cmd.id, ctx, for_update=True)
        if current.status in ENDED:
            raise InvalidRequest(
                f"This subscription is already {current.status.value}.",
                code="subscription_unexpected_state",
                param="id",
            )
        sub = replace(current)
        before = await subscription_snapshot(uow, current)
        now = await now_for(uow, sub.test_clock_id, billing.clock)
        waiting = list(sub.pending_prorations)
        if cmd.prorate and sub.status is not S.TRIALING:
            waiting += await _proration_lines(uow, sub, [], [], at=now)
        if cmd.invoice_now and waiting and _net(waiting) > 0:
            sub.pending_invoice = pending("subscription_cancel", now, now, waiting, unique=False)
            sub.next_action_at = now
        sub.pending_prorations = []
        sub.status = S.CANCELED
        sub.canceled_at = sub.ended_at = now
        sub.next_payment_attempt = None
        await save_subscription(
            uow,
            sub,
            event="customer.subscription.deleted",
            before=before,
            ctx=ctx,
            clock=At(now),
        )
        await uow.commit()
    if sub.pending_invoice is not None:
        await finish(billing, sub.id, now)
    async with billing.uow_factory() as uow:
        return await _rendered(uow, await visible_subscription(uow, sub.id, ctx))


async def preview_invoice(
    cmd: PreviewInvoice, *, billing: Billing, ctx: RequestContext
) -> Rendered:
    """The next invoice as it would be: the next period at the items' prices (changed by
    ``items`` if given) and the prorations waiting for it (with those the change would
    make under ``create_prorations``). Nothing is written."""
    async with billing.uow_factory() as uow:
        sub = await visible_subscription(uow, cmd.subscription, ctx, param="subscription")
        if sub.status in ENDED:
            raise InvalidRequest(
                f"A {sub.status.value} subscription has no next invoice.",
                code="invoice_upcoming_none",
                param="subscription",
            )
        now = await now_for(uow, sub.test_clock_id, billing.clock)
        location = await shop(uow, ctx, sub.location_id)
        items, prices = await items_and_prices(uow, sub.id)
        after: list[SubscriptionItem] = items
        new_prices: list[Price] = []
        waiting = list(sub.pending_prorations)
        if cmd.items:
            after, _, new_prices = await _changed_items(uow, sub, cmd.items, location, at=now)
            if cmd.proration_behavior != "none" and sub.status is not S.TRIALING:
                waiting += await _proration_lines(
                    uow, sub, after, new_prices, at=cmd.proration_date or now
                )
        prices |= {p.id: p for p in new_prices}
        products = await products_of(uow, list(prices.values()))
        first = prices[after[0].price_id]
        if first.recurring_interval is None or first.recurring_interval_count is None:
            raise InvalidRequest("A subscription's price is not recurring.", param="items")
        start = sub.current_period_end
        end = next_period_end(
            sub.billing_cycle_anchor,
            first.recurring_interval,
            first.recurring_interval_count,
            start,
        )
        specs = [
            period_line(
                item_state(i, prices[i.price_id], products[prices[i.price_id].product_id]),
                start,
                end,
            )
            for i in after
        ] + waiting
        invoice = Invoice(
            id=f"upcoming_{sub.id}",
            status=InvoiceStatus.DRAFT,
            location_id=sub.location_id,
            legal_entity_id=location.legal_entity_id or "",
            customer_id=sub.customer_id,
            currency=sub.currency,
            collection_method=sub.collection_method,
            days_until_due=sub.days_until_due,
            default_payment_method=sub.default_payment_method,
            created=now,
            subscription_id=sub.id,
            billing_reason="upcoming",
            period_start=start,
            period_end=end,
        )
        lines = [
            new_line(
                line_input(spec),
                param=f"lines[{n}]",
                invoice_id=invoice.id,
                position=n,
                clock=At(now),
            )
            for n, spec in enumerate(specs)
        ]
        await reprice_draft(uow, invoice, lines, now=start, ctx=ctx)
        shown = invoice_object(invoice, lines)
        shown["id"] = None
        shown["next_payment_attempt"] = int(start.timestamp())
        return shown
