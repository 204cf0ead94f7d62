"""What billing's use cases share: the fixed clock of a moment, the subscription as a key
may see it, its items and prices, its invoice lines, its dunning schedule, and the event
of a change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from payments.billing.domain.dunning import Schedule
from payments.billing.domain.model import (
    Price,
    Product,
    Subscription,
    SubscriptionItem,
    TestClock,
)
from payments.billing.domain.periods import ItemState, ProrationLine
from payments.billing.domain.schedule import next_action_at
from payments.billing.render import subscription_object
from payments.billing.repository import (
    DunningSettingsRepository,
    PriceRepository,
    ProductRepository,
    SubscriptionItemRepository,
    SubscriptionRepository,
    TestClockRepository,
)
from payments.events.domain import Event
from payments.events.repository import EventRepository
from payments.events.service import new_event
from payments.gateways.protocol import PaymentGateway
from payments.invoices.domain.commands import LineInput
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import NotFound
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory


class At:
    """A clock stopped at one moment: what a renewal, a trial end or a retry due at that
    moment is stamped with (on a test clock, the clock's time; never the wall clock)."""

    def __init__(self, when: datetime) -> None:
        self._when = when

    def now(self) -> datetime:
        return self._when


@dataclass(frozen=True, slots=True)
class Billing:
    """The collaborators of the renewal machinery (from the container)."""

    uow_factory: UnitOfWorkFactory
    gateway: PaymentGateway
    clock: Clock
    retry_days: tuple[int, ...]
    final_action: str
    max_amount: int
    public_url: str = ""  # where the customer-facing pages are (update-payment-method links)


def billing_of(container: Any) -> Billing:
    s = container.settings
    return Billing(
        uow_factory=container.uow_factory,
        gateway=container.gateway,
        clock=container.clock,
        retry_days=tuple(s.billing_dunning_retry_days),
        final_action=s.billing_dunning_final_action,
        max_amount=s.max_amount,
        public_url=s.resolved_public_url,
    )


def unix(when: datetime) -> int:
    return int(when.timestamp())


def from_unix(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


async def visible_subscription(
    uow: UnitOfWork,
    subscription_id: str,
    ctx: RequestContext,
    *,
    for_update: bool = False,
    param: str = "id",
) -> Subscription:
    sub = await uow.repo(SubscriptionRepository).get(subscription_id, for_update=for_update)
    if sub is None or not ctx.principal.sees_location(sub.location_id):
        raise NotFound.of("subscription", subscription_id, param=param)
    return sub


async def clock_of(uow: UnitOfWork, clock_id: str, *, param: str = "id") -> TestClock:
    found = await uow.repo(TestClockRepository).get(clock_id)
    if found is None:
        raise NotFound.of("test_clock", clock_id, param=param)
    return found


async def now_for(uow: UnitOfWork, test_clock_id: str | None, clock: Clock) -> datetime:
    """Now for a subscription: its test clock's frozen time, else the service's clock."""
    if test_clock_id is None:
        return clock.now()
    return (await clock_of(uow, test_clock_id)).frozen_time


async def items_and_prices(
    uow: UnitOfWork, sub_id: str
) -> tuple[list[SubscriptionItem], dict[str, Price]]:
    items = await uow.repo(SubscriptionItemRepository).of_subscription(sub_id)
    prices = await uow.repo(PriceRepository).many([i.price_id for i in items])
    return items, prices


async def products_of(uow: UnitOfWork, prices: Sequence[Price]) -> dict[str, Product]:
    repo = uow.repo(ProductRepository)
    out: dict[str, Product] = {}
    for price in prices:
        if price.product_id not in out:
            product = await repo.get(price.product_id)
            if product is not None:
                out[product.id] = product
    return out


def item_state(
    item: SubscriptionItem | tuple[str, int], price: Price, product: Product
) -> ItemState:
    price_id, quantity = (
        (item.price_id, item.quantity) if isinstance(item, SubscriptionItem) else item
    )
    return ItemState(
        price_id=price_id,
        description=product.name,
        unit_amount=price.unit_amount,
        quantity=quantity,
        tax_category=price.tax_category or product.tax_category,
        tax_behavior=price.tax_behavior,
    )


def period_line(state: ItemState, start: datetime, end: datetime) -> dict[str, Any]:
    """An invoice line (stored as a plain dict until invoiced) for an item's period."""
    return {
        "description": f"{state.description} ({start:%d %b %Y} - {end:%d %b %Y})",
        "quantity": str(state.quantity),
        "unit_amount": state.unit_amount,
        "tax_category": state.tax_category,
        "tax_behavior": state.tax_behavior,
        "proration": False,
        "metadata": {"price": state.price_id},
    }


def proration_line(p: ProrationLine) -> dict[str, Any]:
    return {
        "description": p.description,
        "quantity": "1",
        "unit_amount": p.amount,
        "tax_category": p.tax_category,
        "tax_behavior": p.tax_behavior,
        "proration": True,
        "metadata": {"price": p.price_id, "quantity": str(p.quantity)},
    }


def line_input(line: dict[str, Any]) -> LineInput:
    return LineInput(
        description=line["description"],
        quantity=line["quantity"],
        unit_amount=int(line["unit_amount"]),
        tax_category=line["tax_category"],
        tax_behavior=line["tax_behavior"],
        kind="services",
        proration=bool(line.get("proration")),
        metadata=dict(line.get("metadata") or {}),
    )


async def schedule_of(uow: UnitOfWork, location_id: str, billing: Billing) -> Schedule:
    """The shop's dunning schedule: its override, else the service's settings."""
    own = await uow.repo(DunningSettingsRepository).of_location(location_id)
    if own is not None:
        return Schedule(tuple(own.retry_days), own.final_action)
    return Schedule(billing.retry_days, billing.final_action)


async def subscription_snapshot(uow: UnitOfWork, sub: Subscription) -> dict[str, Any]:
    items, prices = await items_and_prices(uow, sub.id)
    return subscription_object(sub, items, prices)


async def save_subscription(
    uow: UnitOfWork,
    sub: Subscription,
    *,
    event: str | None,
    before: dict[str, Any] | None,
    ctx: RequestContext,
    clock: Clock,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Store ``sub`` (its next action recomputed) and record ``event`` (``updated``
    only when something a client sees changed); ``extra`` fields are added to the
    event's object only (e.g. the update-payment-method link, shown once)."""
    sub.next_action_at = next_action_at(sub)
    await uow.repo(SubscriptionRepository).save(sub)
    snapshot, found = await subscription_event(
        uow, sub, event=event, before=before, ctx=ctx, clock=clock, extra=extra
    )
    if found is not None:
        await uow.repo(EventRepository).add(found)
    return snapshot


async def subscription_event(
    uow: UnitOfWork,
    sub: Subscription,
    *,
    event: str | None,
    before: dict[str, Any] | None,
    ctx: RequestContext,
    clock: Clock,
    extra: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], Event | None]:
    """``sub`` as a client sees it now, and the event ``event`` of its change since
    ``before`` (None when no event, or an ``updated`` that changed nothing a client
    sees), for the caller to record in this transaction."""
    snapshot = await subscription_snapshot(uow, sub)
    if event is None:
        return snapshot, None
    previous = None
    if before is not None:
        previous = {k: before[k] for k in snapshot if before.get(k) != snapshot[k]}
        if not previous and event == "customer.subscription.updated":
            return snapshot, None
    return snapshot, new_event(
        event,
        {**snapshot, **extra} if extra else snapshot,
        ctx=ctx,
        clock=clock,
        location_id=sub.location_id,
        previous_attributes=previous,
    )
