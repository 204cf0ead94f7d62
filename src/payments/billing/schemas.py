"""Request bodies and response shapes of products, prices, subscriptions and test clocks
(Stripe's names). They read JSON and Stripe's form encoding alike
(``items[0][price]=price_...``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from payments.platform.http.schemas import Metadata, StrictModel

Id = Annotated[str, Field(min_length=3, max_length=64)]
Timestamp = Annotated[int, Field(ge=0, le=2**33)]
TaxCategory = Literal[
    "standard", "reduced", "reduced_2", "reduced_3", "super_reduced", "zero", "exempt"
]
TaxBehavior = Literal["exclusive", "inclusive"]
CollectionMethod = Literal["charge_automatically", "send_invoice"]
ProrationBehavior = Literal["create_prorations", "none", "always_invoice"]


class ProductCreate(StrictModel):
    name: Annotated[str, Field(min_length=1, max_length=250)]
    description: Annotated[str | None, Field(max_length=1000)] = None
    active: bool = True
    tax_category: TaxCategory = "standard"
    unit_label: Annotated[str | None, Field(max_length=12)] = None
    metadata: Metadata = {}


class ProductUpdate(StrictModel):
    name: Annotated[str | None, Field(min_length=1, max_length=250)] = None
    description: Annotated[str | None, Field(max_length=1000)] = None
    active: bool | None = None
    tax_category: TaxCategory | None = None
    unit_label: Annotated[str | None, Field(max_length=12)] = None
    metadata: Metadata | None = None


class RecurringIn(StrictModel):
    interval: Literal["day", "week", "month", "year"]
    interval_count: Annotated[int, Field(ge=1, le=1095)] = 1


class PriceCreate(StrictModel):
    product: Id
    currency: Annotated[str, Field(min_length=3, max_length=3)]
    unit_amount: Annotated[int, Field(ge=0, le=99_999_999)]
    recurring: RecurringIn | None = None
    tax_behavior: TaxBehavior = "exclusive"
    tax_category: TaxCategory | None = Field(None, description="Default: the product's.")
    nickname: Annotated[str | None, Field(max_length=250)] = None
    lookup_key: Annotated[str | None, Field(max_length=200)] = None
    active: bool = True
    metadata: Metadata = {}


class PriceUpdate(StrictModel):
    """``active``, ``nickname``, ``lookup_key`` and ``metadata`` at any time; the amount,
    interval and tax fields only until a subscription has used the price."""

    active: bool | None = None
    nickname: Annotated[str | None, Field(max_length=250)] = None
    lookup_key: Annotated[str | None, Field(max_length=200)] = None
    metadata: Metadata | None = None
    unit_amount: Annotated[int | None, Field(ge=0, le=99_999_999)] = None
    recurring: RecurringIn | None = None
    tax_behavior: TaxBehavior | None = None
    tax_category: TaxCategory | None = None


class ItemIn(StrictModel):
    price: Id
    quantity: Annotated[int, Field(ge=-(2**31), le=2**31)] = Field(
        1, description="At least 1 (for example 10 laptops)."
    )
    metadata: Metadata = {}


class ItemUpdateIn(StrictModel):
    id: Id | None = Field(None, description="An existing item; without it, a new item.")
    price: Id | None = None
    quantity: Annotated[int | None, Field(ge=-(2**31), le=2**31)] = None
    deleted: bool = False


class SubscriptionCreate(StrictModel):
    customer: Id
    location: Id | None = Field(
        None, description="The shop (default: the key's shop, else the customer's)."
    )
    items: Annotated[list[ItemIn], Field(max_length=20)] = []
    default_payment_method: Annotated[str | None, Field(max_length=100)] = Field(
        None, description="Ours (pm_...) or a gateway test id (pm_card_visa)."
    )
    collection_method: CollectionMethod = "charge_automatically"
    days_until_due: Annotated[int | None, Field(ge=0, le=730)] = None
    trial_period_days: Annotated[int | None, Field(ge=-(2**31), le=2**31)] = None
    trial_end: Timestamp | None = None
    billing_cycle_anchor: Timestamp | None = None
    cancel_at_period_end: bool = False
    proration_behavior: ProrationBehavior = "create_prorations"
    metadata: Metadata = {}


class PauseCollectionIn(StrictModel):
    behavior: Literal["keep_as_draft", "mark_uncollectible", "void"]


class SubscriptionUpdate(StrictModel):
    """Only the fields sent change; ``pause_collection`` sent as null (``""`` in a
    form) resumes collection."""

    items: Annotated[list[ItemUpdateIn] | None, Field(max_length=20)] = None
    proration_behavior: ProrationBehavior = "create_prorations"
    proration_date: Timestamp | None = None
    default_payment_method: Annotated[str | None, Field(max_length=100)] = None
    cancel_at_period_end: bool | None = None
    collection_method: CollectionMethod | None = None
    days_until_due: Annotated[int | None, Field(ge=0, le=730)] = None
    pause_collection: PauseCollectionIn | None = None
    metadata: Metadata | None = None


class SubscriptionCancel(StrictModel):
    prorate: bool = False
    invoice_now: bool = False


class PreviewIn(StrictModel):
    subscription: Id
    subscription_details: dict[str, Any] | None = Field(
        None,
        description="Stripe's preview of a change: `items` (as in an update), "
        "`proration_behavior`, `proration_date`.",
    )


class TestClockCreate(StrictModel):
    frozen_time: Timestamp
    name: Annotated[str | None, Field(max_length=300)] = None


class TestClockAdvance(StrictModel):
    frozen_time: Timestamp


class DunningSettingsIn(StrictModel):
    retry_days: Annotated[list[Annotated[int, Field(ge=1, le=60)]] | None, Field(max_length=8)] = (
        None
    )
    final_action: Literal["unpaid", "canceled"] | None = None


# ------------------------------------------------------------------ responses


class RecurringOut(BaseModel):
    interval: Literal["day", "week", "month", "year"]
    interval_count: int
    usage_type: Literal["licensed"]
    aggregate_usage: None
    trial_period_days: int | None


class ProductOut(BaseModel):
    id: str = Field(examples=["prod_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["product"] = "product"
    active: bool
    name: str
    description: str | None
    type: Literal["service"]
    tax_category: TaxCategory
    unit_label: str | None
    metadata: dict[str, str]
    created: int
    updated: int
    livemode: bool


class PriceOut(BaseModel):
    id: str = Field(examples=["price_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["price"] = "price"
    active: bool
    billing_scheme: Literal["per_unit"]
    currency: str
    product: str
    unit_amount: int
    unit_amount_decimal: str
    type: Literal["recurring", "one_time"]
    recurring: RecurringOut | None
    tax_behavior: TaxBehavior
    tax_category: TaxCategory | None
    nickname: str | None
    lookup_key: str | None
    metadata: dict[str, str]
    created: int
    livemode: bool


class SubscriptionItemOut(BaseModel):
    id: str = Field(examples=["si_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["subscription_item"] = "subscription_item"
    subscription: str
    price: PriceOut
    quantity: int
    current_period_start: int
    current_period_end: int
    metadata: dict[str, str]
    created: int


class SubscriptionItemList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    total_count: int
    data: list[SubscriptionItemOut]


class SubscriptionOut(BaseModel):
    id: str = Field(examples=["sub_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["subscription"] = "subscription"
    customer: str
    location: str
    status: Literal[
        "incomplete",
        "incomplete_expired",
        "trialing",
        "active",
        "past_due",
        "unpaid",
        "canceled",
        "paused",
    ]
    currency: str
    collection_method: CollectionMethod
    days_until_due: int | None
    default_payment_method: str | None
    billing_cycle_anchor: int
    current_period_start: int
    current_period_end: int
    start_date: int
    trial_start: int | None
    trial_end: int | None
    cancel_at_period_end: bool
    cancel_at: int | None
    canceled_at: int | None
    ended_at: int | None
    pause_collection: dict[str, Any] | None
    test_clock: str | None
    latest_invoice: str | None
    items: SubscriptionItemList
    metadata: dict[str, str]
    created: int
    livemode: bool


class TestClockOut(BaseModel):
    id: str = Field(examples=["clock_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["test_helpers.test_clock"] = "test_helpers.test_clock"
    name: str | None
    frozen_time: int
    status: Literal["ready", "advancing"]
    status_details: dict[str, Any]
    created: int
    deletes_after: int
    livemode: bool


class DeletedTestClockOut(BaseModel):
    id: str
    object: Literal["test_helpers.test_clock"] = "test_helpers.test_clock"
    deleted: Literal[True] = True


class DunningSettingsOut(BaseModel):
    object: Literal["dunning_settings"] = "dunning_settings"
    location: str
    retry_days: list[int]
    final_action: Literal["unpaid", "canceled"]
    overridden: bool


class ProductList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[ProductOut]


class PriceList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[PriceOut]


class SubscriptionList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[SubscriptionOut]


class TestClockList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[TestClockOut]
