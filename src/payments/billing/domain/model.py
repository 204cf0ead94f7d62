"""The billing records: Product, Price, TestClock, Subscription, SubscriptionItem, and a
shop's dunning settings.

Field names equal the storage column names. Amounts are integer minor units of the
price's currency; times are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Interval(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class SubscriptionStatus(StrEnum):
    INCOMPLETE = "incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    UNPAID = "unpaid"
    CANCELED = "canceled"
    PAUSED = "paused"


class TestClockStatus(StrEnum):
    READY = "ready"
    ADVANCING = "advancing"


@dataclass(slots=True, kw_only=True)
class Product:
    id: str
    name: str
    active: bool
    created: datetime
    updated: datetime
    description: str | None = None
    tax_category: str = "standard"
    unit_label: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    livemode: bool = False


@dataclass(slots=True, kw_only=True)
class Price:
    id: str
    product_id: str
    currency: str
    unit_amount: int
    active: bool
    created: datetime
    type: str = "recurring"  # recurring | one_time
    recurring_interval: Interval | None = None
    recurring_interval_count: int | None = None
    tax_behavior: str = "exclusive"
    tax_category: str | None = None  # None: the product's
    nickname: str | None = None
    lookup_key: str | None = None
    used: bool = False  # a subscription has used it: amount and interval are frozen
    metadata: dict[str, str] = field(default_factory=dict)
    livemode: bool = False


@dataclass(slots=True, kw_only=True)
class TestClock:
    id: str
    name: str | None
    frozen_time: datetime
    status: TestClockStatus
    created: datetime
    deletes_after: datetime
    livemode: bool = False


@dataclass(slots=True, kw_only=True)
class Subscription:
    id: str
    customer_id: str
    location_id: str
    status: SubscriptionStatus
    currency: str
    collection_method: str
    billing_cycle_anchor: datetime
    current_period_start: datetime
    current_period_end: datetime
    created: datetime
    start_date: datetime
    days_until_due: int | None = None
    default_payment_method: str | None = None
    trial_start: datetime | None = None
    trial_end: datetime | None = None
    cancel_at_period_end: bool = False
    canceled_at: datetime | None = None
    ended_at: datetime | None = None
    pause_collection: dict[str, Any] | None = None  # {"behavior": ...}
    test_clock_id: str | None = None
    latest_invoice_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    # the renewal machinery
    next_action_at: datetime | None = None  # earliest moment something is due (worker)
    lease_until: datetime | None = None  # a worker holds it until then
    pending_invoice: dict[str, Any] | None = None  # invoicing started, not finished
    charge_invoice_id: str | None = None  # invoiced, charge not yet attempted
    pending_prorations: list[dict[str, Any]] = field(default_factory=list)
    # dunning of the open invoice
    dunning_invoice_id: str | None = None
    attempt_count: int = 0
    next_payment_attempt: datetime | None = None
    trial_will_end_sent: bool = False
    upcoming_sent_for: datetime | None = None  # the period end invoice.upcoming announced
    livemode: bool = False


@dataclass(slots=True, kw_only=True)
class SubscriptionItem:
    id: str
    subscription_id: str
    price_id: str
    quantity: int
    created: datetime
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True, kw_only=True)
class DunningSettings:
    """A shop's override of the dunning schedule (else the service's settings)."""

    location_id: str
    retry_days: list[int]
    final_action: str  # unpaid | canceled
    updated: datetime


@dataclass(slots=True, kw_only=True)
class PaymentMethodLink:
    """An update-your-payment-method link of a subscription in dunning: its token is shown
    once (in the dunning events' payloads), only its SHA-256 is stored."""

    id: str
    subscription_id: str
    token_hash: str
    expires_at: datetime
    created: datetime
    invoice_id: str | None = None  # the open invoice it was sent for
    used_at: datetime | None = None  # a payment method was saved through it
    setup_intent_id: str | None = None  # the latest SetupIntent made through its page
    livemode: bool = False
