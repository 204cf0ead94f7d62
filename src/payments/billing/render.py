"""Stripe-shaped JSON of products, prices, subscriptions and test clocks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from payments.billing.domain.model import (
    Price,
    Product,
    Subscription,
    SubscriptionItem,
    TestClock,
)
from payments.kernel.clock import to_unix


def _ts(when: datetime | None) -> int | None:
    return to_unix(when) if when is not None else None


def product_object(p: Product) -> dict[str, Any]:
    return {
        "id": p.id,
        "object": "product",
        "active": p.active,
        "name": p.name,
        "description": p.description,
        "type": "service",
        "tax_category": p.tax_category,
        "unit_label": p.unit_label,
        "metadata": p.metadata,
        "created": to_unix(p.created),
        "updated": to_unix(p.updated),
        "livemode": p.livemode,
    }


def price_object(p: Price) -> dict[str, Any]:
    recurring = (
        {
            "interval": p.recurring_interval.value,
            "interval_count": p.recurring_interval_count,
            "usage_type": "licensed",
            "aggregate_usage": None,
            "trial_period_days": None,
        }
        if p.recurring_interval is not None
        else None
    )
    return {
        "id": p.id,
        "object": "price",
        "active": p.active,
        "billing_scheme": "per_unit",
        "currency": p.currency,
        "product": p.product_id,
        "unit_amount": p.unit_amount,
        "unit_amount_decimal": str(p.unit_amount),
        "type": p.type,
        "recurring": recurring,
        "tax_behavior": p.tax_behavior,
        "tax_category": p.tax_category,
        "nickname": p.nickname,
        "lookup_key": p.lookup_key,
        "metadata": p.metadata,
        "created": to_unix(p.created),
        "livemode": p.livemode,
    }


def test_clock_object(c: TestClock) -> dict[str, Any]:
    return {
        "id": c.id,
        "object": "test_helpers.test_clock",
        "name": c.name,
        "frozen_time": to_unix(c.frozen_time),
        "status": c.status.value,
        "status_details": {},
        "created": to_unix(c.created),
        "deletes_after": to_unix(c.deletes_after),
        "livemode": c.livemode,
    }


def subscription_item_object(
    item: SubscriptionItem, price: Price, sub: Subscription
) -> dict[str, Any]:
    return {
        "id": item.id,
        "object": "subscription_item",
        "subscription": item.subscription_id,
        "price": price_object(price),
        "quantity": item.quantity,
        "current_period_start": to_unix(sub.current_period_start),
        "current_period_end": to_unix(sub.current_period_end),
        "metadata": item.metadata,
        "created": to_unix(item.created),
    }


def subscription_object(
    sub: Subscription, items: Sequence[SubscriptionItem], prices: Mapping[str, Price]
) -> dict[str, Any]:
    return {
        "id": sub.id,
        "object": "subscription",
        "customer": sub.customer_id,
        "location": sub.location_id,
        "status": sub.status.value,
        "currency": sub.currency,
        "collection_method": sub.collection_method,
        "days_until_due": sub.days_until_due,
        "default_payment_method": sub.default_payment_method,
        "billing_cycle_anchor": to_unix(sub.billing_cycle_anchor),
        "current_period_start": to_unix(sub.current_period_start),
        "current_period_end": to_unix(sub.current_period_end),
        "start_date": to_unix(sub.start_date),
        "trial_start": _ts(sub.trial_start),
        "trial_end": _ts(sub.trial_end),
        "cancel_at_period_end": sub.cancel_at_period_end,
        "cancel_at": to_unix(sub.current_period_end) if sub.cancel_at_period_end else None,
        "canceled_at": _ts(sub.canceled_at),
        "ended_at": _ts(sub.ended_at),
        "pause_collection": sub.pause_collection,
        "test_clock": sub.test_clock_id,
        "latest_invoice": sub.latest_invoice_id,
        "items": {
            "object": "list",
            "url": f"/v1/subscription_items?subscription={sub.id}",
            "has_more": False,
            "total_count": len(items),
            "data": [subscription_item_object(i, prices[i.price_id], sub) for i in items],
        },
        "metadata": sub.metadata,
        "created": to_unix(sub.created),
        "livemode": sub.livemode,
    }
