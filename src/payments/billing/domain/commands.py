"""What a caller asks of billing, in Stripe's parameter names: frozen, typed commands.

The API builds them from its request models; the use cases validate them (400 naming
the param). In a partial update a field left :data:`~payments.kernel.unset.UNSET` is
not changed and ``None`` clears it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from payments.kernel.pagination import Created
from payments.kernel.unset import UNSET, Unset

CollectionMethod = Literal["charge_automatically", "send_invoice"]
ProrationBehavior = Literal["create_prorations", "none", "always_invoice"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateProduct:
    name: str
    description: str | None = None
    active: bool = True
    tax_category: str = "standard"
    unit_label: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateProduct:
    id: str
    name: str | Unset = UNSET
    description: str | Unset | None = UNSET
    active: bool | Unset = UNSET
    tax_category: str | Unset = UNSET
    unit_label: str | Unset | None = UNSET
    metadata: Mapping[str, str] | Unset | None = UNSET


@dataclass(frozen=True, slots=True, kw_only=True)
class Recurring:
    interval: str
    interval_count: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatePrice:
    product: str
    currency: str
    unit_amount: int
    recurring: Recurring | None = None
    tax_behavior: str = "exclusive"
    tax_category: str | None = None
    nickname: str | None = None
    lookup_key: str | None = None
    active: bool = True
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdatePrice:
    """``active``, ``nickname``, ``lookup_key`` and ``metadata`` change at any time; the
    amount, interval and tax fields only until a subscription has used the price."""

    id: str
    active: bool | Unset = UNSET
    nickname: str | Unset | None = UNSET
    lookup_key: str | Unset | None = UNSET
    metadata: Mapping[str, str] | Unset | None = UNSET
    unit_amount: int | Unset = UNSET
    recurring: Recurring | Unset = UNSET
    tax_behavior: str | Unset = UNSET
    tax_category: str | Unset | None = UNSET


@dataclass(frozen=True, slots=True, kw_only=True)
class ListPrices:
    product: str | None = None
    active: bool | None = None
    currency: str | None = None
    created: Created = field(default_factory=Created)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListProducts:
    active: bool | None = None
    created: Created = field(default_factory=Created)


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemInput:
    price: str
    quantity: int = 1
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemChange:
    """An item of an update: ``id`` names an existing item (change its price or quantity,
    or ``deleted``), no ``id`` adds one."""

    id: str | None = None
    price: str | None = None
    quantity: int | None = None
    deleted: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateSubscription:
    customer: str
    items: tuple[ItemInput, ...]
    location: str | None = None
    default_payment_method: str | None = None
    collection_method: CollectionMethod = "charge_automatically"
    days_until_due: int | None = None
    trial_period_days: int | None = None
    trial_end: datetime | None = None
    billing_cycle_anchor: datetime | None = None
    cancel_at_period_end: bool = False
    proration_behavior: ProrationBehavior = "create_prorations"
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateSubscription:
    id: str
    items: tuple[ItemChange, ...] | Unset = UNSET
    proration_behavior: ProrationBehavior = "create_prorations"
    proration_date: datetime | None = None
    default_payment_method: str | Unset | None = UNSET
    cancel_at_period_end: bool | Unset = UNSET
    collection_method: CollectionMethod | Unset = UNSET
    days_until_due: int | Unset | None = UNSET
    pause_collection: str | Unset | None = UNSET  # a behavior, or None: resume
    metadata: Mapping[str, str] | Unset | None = UNSET


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelSubscription:
    id: str
    prorate: bool = False
    invoice_now: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PreviewInvoice:
    """``POST /v1/invoices/create_preview``: the subscription's next invoice, with the
    prorations a change of its items would make (nothing is written)."""

    subscription: str
    items: tuple[ItemChange, ...] = ()
    proration_behavior: ProrationBehavior = "create_prorations"
    proration_date: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ListSubscriptions:
    customer: str | None = None
    status: str | None = None  # a status, "all" or "ended"; default: all but canceled
    price: str | None = None
    test_clock: str | None = None
    location: str | None = None
    created: Created = field(default_factory=Created)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateTestClock:
    frozen_time: datetime
    name: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DunningSettingsInput:
    location: str
    retry_days: tuple[int, ...] | None = None  # None: the service's default
    final_action: str | None = None
