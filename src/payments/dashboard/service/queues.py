"""What the fraud review queue, the unmatched bank transactions list and the
subscriptions pages read, assembled from the fraud, bank statement, billing, customer
and invoice use cases (never SQL of their own)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from payments.bank_statements.domain.commands import ListBankTransactions
from payments.bank_statements.domain.records import BankTransaction, TransactionStatus
from payments.bank_statements.service.queries import list_transactions
from payments.billing.domain.commands import ListSubscriptions
from payments.billing.service.catalogue import retrieve_product
from payments.billing.service.common import Billing
from payments.billing.service.subscriptions import list_subscriptions, retrieve_subscription
from payments.customers.service.customers import retrieve_customer
from payments.fraud.domain.model import EarlyFraudWarning, ItemType, Review, ValueList
from payments.fraud.service.early_fraud_warnings import actionable_early_fraud_warnings
from payments.fraud.service.lists import list_value_lists
from payments.fraud.service.reviews import list_reviews
from payments.intents.domain.model import Charge
from payments.intents.service.charges import retrieve_charge
from payments.invoices.domain.commands import ListInvoices
from payments.invoices.domain.model import Invoice
from payments.invoices.service.drafts import list_invoices
from payments.kernel.access import Permission
from payments.kernel.context import RequestContext
from payments.kernel.errors import NotFound
from payments.kernel.pagination import MAX_LIMIT, Page, PageRequest
from payments.platform.db.uow import UnitOfWorkFactory

# ------------------------------------------------------------------ fraud reviews


@dataclass(frozen=True, slots=True)
class HeldPayment:
    """An open review with the charge it holds: the amount, the risk and its reasons."""

    review: Review
    charge: Charge

    @property
    def reasons(self) -> list[dict[str, Any]]:
        """The signals that fired, heaviest first (``signal``, ``value``, ``weight``)."""
        found = (self.charge.risk or {}).get("reasons") or []
        return sorted(found, key=lambda r: -int(r.get("weight") or 0))

    @property
    def risk_level(self) -> str | None:
        return self.review.risk_level or (self.charge.outcome or {}).get("risk_level")

    @property
    def risk_score(self) -> int | None:
        if self.review.risk_score is not None:
            return self.review.risk_score
        score = (self.charge.outcome or {}).get("risk_score")
        return int(score) if score is not None else None

    @property
    def seller_message(self) -> str:
        return str((self.charge.outcome or {}).get("seller_message") or "")


async def open_reviews(
    page: PageRequest, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Page[HeldPayment]:
    """The open reviews the person may decide (fraud's ``manage_fraud``: finance and
    admin), newest first, each with its charge."""
    ctx.require(Permission.manage_fraud)
    found = await list_reviews(
        page, open_only=True, location_id=None, uow_factory=uow_factory, ctx=ctx
    )
    held = [
        HeldPayment(r, await retrieve_charge(r.charge_id, uow_factory=uow_factory, ctx=ctx))
        for r in found.data
    ]
    return Page(held, found.has_more)


@dataclass(frozen=True, slots=True)
class WarnedPayment:
    """An actionable early fraud warning with its charge (amount, card, risk)."""

    warning: EarlyFraudWarning
    charge: Charge


async def warned_payments(
    *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> tuple[list[WarnedPayment], list[ValueList]]:
    """The actionable early fraud warnings the person may act on, each with its charge,
    and the card-fingerprint lists its card can be blocked with."""
    warnings = await actionable_early_fraud_warnings(uow_factory=uow_factory, ctx=ctx)
    warned = [
        WarnedPayment(w, await retrieve_charge(w.charge_id, uow_factory=uow_factory, ctx=ctx))
        for w in warnings
    ]
    lists = await list_value_lists(PageRequest(limit=MAX_LIMIT), uow_factory=uow_factory, ctx=ctx)
    cards = [v for v in lists.data if v.item_type == ItemType.card_fingerprint]
    return warned, cards


# ------------------------------------------------------------------ bank transactions


def sees_bank(ctx: RequestContext) -> bool:
    """Bank statements are company-wide: finance and admin not kept to one shop."""
    return ctx.principal.can(Permission.reconcile_bank) and ctx.principal.location_id is None


async def unmatched_transactions(
    page: PageRequest, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Page[BankTransaction]:
    return await list_transactions(
        ListBankTransactions(status=TransactionStatus.UNMATCHED),
        page,
        uow_factory=uow_factory,
        ctx=ctx,
    )


# ------------------------------------------------------------------ subscriptions


def _at(unix: int | None) -> datetime | None:
    return datetime.fromtimestamp(unix, UTC) if unix is not None else None


@dataclass(frozen=True, slots=True)
class SubscriptionItemRow:
    price_id: str
    product_id: str
    nickname: str | None
    quantity: int
    unit_amount: int
    interval: str | None
    interval_count: int | None


@dataclass(frozen=True, slots=True)
class SubscriptionRow:
    """A subscription as the pages show it (from billing's Stripe-shaped object)."""

    id: str
    status: str
    customer_id: str
    customer_name: str | None
    location_id: str
    currency: str
    collection_method: str
    items: list[SubscriptionItemRow]
    current_period_start: datetime | None
    current_period_end: datetime | None
    created: datetime | None
    trial_end: datetime | None
    cancel_at_period_end: bool
    canceled_at: datetime | None
    ended_at: datetime | None
    latest_invoice_id: str | None

    @property
    def amount(self) -> int:
        """What one period of all the items costs, before tax (minor units)."""
        return sum(i.unit_amount * i.quantity for i in self.items)

    @property
    def interval(self) -> str | None:
        return self.items[0].interval if self.items else None

    @property
    def interval_count(self) -> int:
        return (self.items[0].interval_count or 1) if self.items else 1


def _row(sub: dict[str, Any], customer_name: str | None) -> SubscriptionRow:
    items = []
    for item in sub["items"]["data"]:
        price = item["price"]
        recurring = price.get("recurring") or {}
        items.append(
            SubscriptionItemRow(
                price_id=price["id"],
                product_id=price["product"],
                nickname=price.get("nickname"),
                quantity=item["quantity"],
                unit_amount=price["unit_amount"],
                interval=recurring.get("interval"),
                interval_count=recurring.get("interval_count"),
            )
        )
    return SubscriptionRow(
        id=sub["id"],
        status=sub["status"],
        customer_id=sub["customer"],
        customer_name=customer_name,
        location_id=sub["location"],
        currency=sub["currency"],
        collection_method=sub["collection_method"],
        items=items,
        current_period_start=_at(sub["current_period_start"]),
        current_period_end=_at(sub["current_period_end"]),
        created=_at(sub["created"]),
        trial_end=_at(sub["trial_end"]),
        cancel_at_period_end=bool(sub["cancel_at_period_end"]),
        canceled_at=_at(sub["canceled_at"]),
        ended_at=_at(sub["ended_at"]),
        latest_invoice_id=sub["latest_invoice"],
    )


async def _names(
    customer_ids: list[str], *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> dict[str, str | None]:
    names: dict[str, str | None] = {}
    for customer_id in dict.fromkeys(customer_ids):
        try:
            found = await retrieve_customer(customer_id, uow_factory=uow_factory, ctx=ctx)
        except NotFound:  # the customer of another shop: shown by id
            names[customer_id] = None
            continue
        names[customer_id] = found.name or found.email
    return names


async def subscriptions(
    status: str, page: PageRequest, *, billing: Billing, ctx: RequestContext
) -> Page[SubscriptionRow]:
    """Subscriptions of ``status`` (billing's values: a status, ``all``, ``ended``, empty
    for all but canceled), newest first, with their customers' names."""
    found = await list_subscriptions(
        ListSubscriptions(status=status or None), page, billing=billing, ctx=ctx
    )
    names = await _names(
        [s["customer"] for s in found.data], uow_factory=billing.uow_factory, ctx=ctx
    )
    return Page([_row(s, names[s["customer"]]) for s in found.data], found.has_more)


@dataclass(frozen=True, slots=True)
class SubscriptionDetail:
    subscription: SubscriptionRow
    products: dict[str, str]  # product id -> name
    invoices: list[Invoice]
    more_invoices: bool


async def subscription_detail(
    subscription_id: str, *, billing: Billing, ctx: RequestContext
) -> SubscriptionDetail:
    """The subscription (404 for another shop's), its items and its invoices, newest
    first."""
    sub = await retrieve_subscription(subscription_id, billing=billing, ctx=ctx)
    names = await _names([sub["customer"]], uow_factory=billing.uow_factory, ctx=ctx)
    invoices = await list_invoices(
        ListInvoices(subscription=sub["id"]),
        PageRequest(limit=MAX_LIMIT),
        uow_factory=billing.uow_factory,
        ctx=ctx,
    )
    row = _row(sub, names[sub["customer"]])
    products = {}
    for item in row.items:
        if item.product_id not in products:
            product = await retrieve_product(
                item.product_id, uow_factory=billing.uow_factory, ctx=ctx
            )
            products[product.id] = product.name
    return SubscriptionDetail(
        subscription=row,
        products=products,
        invoices=[inv for inv, _ in invoices.data],
        more_invoices=invoices.has_more,
    )
