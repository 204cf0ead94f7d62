"""Billing's routes: ``/v1/products``, ``/v1/prices``, ``/v1/subscriptions``,
``/v1/invoices/create_preview`` and ``/v1/test_helpers/test_clocks`` (Stripe's shapes and
verbs), and a shop's dunning settings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.billing.domain.commands import (
    CancelSubscription,
    CreatePrice,
    CreateProduct,
    CreateSubscription,
    CreateTestClock,
    DunningSettingsInput,
    ItemChange,
    ItemInput,
    ListPrices,
    ListProducts,
    ListSubscriptions,
    PreviewInvoice,
    Recurring,
    UpdatePrice,
    UpdateProduct,
    UpdateSubscription,
)
from payments.billing.render import price_object, product_object, test_clock_object
from payments.billing.schemas import (
    DeletedTestClockOut,
    DunningSettingsIn,
    DunningSettingsOut,
    ItemUpdateIn,
    PreviewIn,
    PriceCreate,
    PriceList,
    PriceOut,
    PriceUpdate,
    ProductCreate,
    ProductList,
    ProductOut,
    ProductUpdate,
    SubscriptionCancel,
    SubscriptionCreate,
    SubscriptionList,
    SubscriptionOut,
    SubscriptionUpdate,
    TestClockAdvance,
    TestClockCreate,
    TestClockList,
    TestClockOut,
)
from payments.billing.service import catalogue, dunning_settings, subscriptions, test_clocks
from payments.billing.service.common import billing_of
from payments.gateways.runtime import GatewayDep
from payments.invoices.schemas import InvoiceOut
from payments.kernel.errors import InvalidRequest
from payments.kernel.unset import UNSET
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep, services
from payments.platform.http.params import CreatedRange, LocationFilter
from payments.platform.http.responses import json_response, list_object, list_response

products_router = APIRouter(prefix="/v1/products", tags=["products"])
prices_router = APIRouter(prefix="/v1/prices", tags=["prices"])
subscriptions_router = APIRouter(prefix="/v1/subscriptions", tags=["subscriptions"])
preview_router = APIRouter(prefix="/v1/invoices", tags=["invoices"])
test_clocks_router = APIRouter(prefix="/v1/test_helpers/test_clocks", tags=["test clocks"])
dunning_router = APIRouter(prefix="/v1/billing/dunning_settings", tags=["subscriptions"])


def _time(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


# ------------------------------------------------------------------ products


@products_router.post("", responses={200: {"model": ProductOut}}, summary="Create a product")
async def create_product(body: ProductCreate, c: ContainerDep, ctx: ContextDep) -> Response:
    cmd = CreateProduct(**body.model_dump())
    return json_response(
        product_object(await catalogue.create_product(cmd, ctx=ctx, **services(c)))
    )


@products_router.get("", responses={200: {"model": ProductList}}, summary="List products")
async def list_products(
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    created: CreatedRange,
    active: bool | None = None,
) -> Response:
    found = await catalogue.list_products(
        ListProducts(active=active, created=created), page, uow_factory=c.uow_factory, ctx=ctx
    )
    return list_response("/v1/products", found, product_object)


@products_router.get(
    "/{product_id}", responses={200: {"model": ProductOut}}, summary="Retrieve a product"
)
async def retrieve_product(product_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    found = await catalogue.retrieve_product(product_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(product_object(found))


@products_router.post(
    "/{product_id}", responses={200: {"model": ProductOut}}, summary="Update a product"
)
async def update_product(
    product_id: str, body: ProductUpdate, c: ContainerDep, ctx: ContextDep
) -> Response:
    cmd = UpdateProduct(
        id=product_id,
        name=body.given_not_null("name"),
        description=body.given("description"),
        active=body.given_not_null("active"),
        tax_category=body.given_not_null("tax_category"),
        unit_label=body.given("unit_label"),
        metadata=body.given("metadata"),
    )
    return json_response(
        product_object(await catalogue.update_product(cmd, ctx=ctx, **services(c)))
    )


# ------------------------------------------------------------------ prices


@prices_router.post(
    "",
    responses={200: {"model": PriceOut}},
    summary="Create a price (recurring: a contract's monthly or yearly amount)",
)
async def create_price(body: PriceCreate, c: ContainerDep, ctx: ContextDep) -> Response:
    fields = body.model_dump(exclude={"recurring"})
    recurring = Recurring(**body.recurring.model_dump()) if body.recurring else None
    cmd = CreatePrice(**fields, recurring=recurring)
    return json_response(price_object(await catalogue.create_price(cmd, ctx=ctx, **services(c))))


@prices_router.get("", responses={200: {"model": PriceList}}, summary="List prices")
async def list_prices(
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    created: CreatedRange,
    product: Annotated[str | None, Query(max_length=64)] = None,
    active: bool | None = None,
    currency: Annotated[str | None, Query(max_length=3)] = None,
) -> Response:
    query = ListPrices(product=product, active=active, currency=currency, created=created)
    found = await catalogue.list_prices(query, page, uow_factory=c.uow_factory, ctx=ctx)
    return list_response("/v1/prices", found, price_object)


@prices_router.get("/{price_id}", responses={200: {"model": PriceOut}}, summary="Retrieve a price")
async def retrieve_price(price_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    found = await catalogue.retrieve_price(price_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(price_object(found))


@prices_router.post(
    "/{price_id}",
    responses={200: {"model": PriceOut}},
    summary="Update a price (archive it with active=false)",
)
async def update_price(
    price_id: str, body: PriceUpdate, c: ContainerDep, ctx: ContextDep
) -> Response:
    recurring = body.given_not_null("recurring")
    cmd = UpdatePrice(
        id=price_id,
        active=body.given_not_null("active"),
        nickname=body.given("nickname"),
        lookup_key=body.given("lookup_key"),
        metadata=body.given("metadata"),
        unit_amount=body.given_not_null("unit_amount"),
        recurring=recurring if recurring is UNSET else Recurring(**recurring.model_dump()),
        tax_behavior=body.given_not_null("tax_behavior"),
        tax_category=body.given("tax_category"),
    )
    return json_response(price_object(await catalogue.update_price(cmd, ctx=ctx, **services(c))))


# ------------------------------------------------------------------ subscriptions

ONE: Any = {200: {"model": SubscriptionOut}}


@subscriptions_router.post(
    "",
    responses=ONE,
    summary="Create a subscription (a service contract)",
    description=(
        "Without a trial its first period is invoiced at once through the invoices "
        "service and charged off-session (`charge_automatically`) or left open for the "
        "customer (`send_invoice`). Paid: `active`; declined: `incomplete`."
    ),
)
async def create_subscription(body: SubscriptionCreate, c: GatewayDep, ctx: ContextDep) -> Response:
    cmd = CreateSubscription(
        customer=body.customer,
        location=body.location,
        items=tuple(ItemInput(**i.model_dump()) for i in body.items),
        default_payment_method=body.default_payment_method,
        collection_method=body.collection_method,
        days_until_due=body.days_until_due,
        trial_period_days=body.trial_period_days,
        trial_end=_time(body.trial_end),
        billing_cycle_anchor=_time(body.billing_cycle_anchor),
        cancel_at_period_end=body.cancel_at_period_end,
        proration_behavior=body.proration_behavior,
        metadata=body.metadata,
    )
    return json_response(
        await subscriptions.create_subscription(cmd, billing=billing_of(c), ctx=ctx)
    )


@subscriptions_router.get(
    "", responses={200: {"model": SubscriptionList}}, summary="List subscriptions"
)
async def list_subscriptions(
    c: GatewayDep,
    ctx: ContextDep,
    page: PageDep,
    created: CreatedRange,
    location: LocationFilter = None,
    customer: Annotated[str | None, Query(max_length=64)] = None,
    price: Annotated[str | None, Query(max_length=64)] = None,
    test_clock: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[
        str | None,
        Query(max_length=24, description="A status, `all` or `ended` (default: all but canceled)."),
    ] = None,
) -> Response:
    query = ListSubscriptions(
        customer=customer,
        status=status,
        price=price,
        test_clock=test_clock,
        location=location,
        created=created,
    )
    found = await subscriptions.list_subscriptions(query, page, billing=billing_of(c), ctx=ctx)
    return json_response(list_object("/v1/subscriptions", found.data, found.has_more))


@subscriptions_router.get("/{subscription_id}", responses=ONE, summary="Retrieve a subscription")
async def retrieve_subscription(subscription_id: str, c: GatewayDep, ctx: ContextDep) -> Response:
    return json_response(
        await subscriptions.retrieve_subscription(subscription_id, billing=billing_of(c), ctx=ctx)
    )


def _changes(items: list[ItemUpdateIn]) -> tuple[ItemChange, ...]:
    return tuple(ItemChange(**i.model_dump()) for i in items)


@subscriptions_router.post(
    "/{subscription_id}",
    responses=ONE,
    summary="Update a subscription: items with prorations, payment method, pause, cancel at period end",
)
async def update_subscription(
    subscription_id: str, body: SubscriptionUpdate, c: GatewayDep, ctx: ContextDep
) -> Response:
    items = body.given_not_null("items")
    pause = body.given("pause_collection")
    cmd = UpdateSubscription(
        id=subscription_id,
        items=items if items is UNSET else _changes(items),
        proration_behavior=body.proration_behavior,
        proration_date=_time(body.proration_date),
        default_payment_method=body.given("default_payment_method"),
        cancel_at_period_end=body.given_not_null("cancel_at_period_end"),
        collection_method=body.given_not_null("collection_method"),
        days_until_due=body.given("days_until_due"),
        pause_collection=pause if pause is UNSET or pause is None else pause.behavior,
        metadata=body.given("metadata"),
    )
    return json_response(
        await subscriptions.update_subscription(cmd, billing=billing_of(c), ctx=ctx)
    )


@subscriptions_router.delete(
    "/{subscription_id}", responses=ONE, summary="Cancel a subscription now"
)
async def cancel_subscription(
    subscription_id: str,
    c: GatewayDep,
    ctx: ContextDep,
    prorate: bool = False,
    invoice_now: bool = False,
    body: SubscriptionCancel | None = None,
) -> Response:
    if body is not None:
        prorate, invoice_now = body.prorate or prorate, body.invoice_now or invoice_now
    cmd = CancelSubscription(id=subscription_id, prorate=prorate, invoice_now=invoice_now)
    return json_response(
        await subscriptions.cancel_subscription(cmd, billing=billing_of(c), ctx=ctx)
    )


@subscriptions_router.post(
    "/{subscription_id}/resume", responses=ONE, summary="Resume a paused subscription"
)
async def resume_subscription(subscription_id: str, c: GatewayDep, ctx: ContextDep) -> Response:
    return json_response(
        await subscriptions.resume_subscription(subscription_id, billing=billing_of(c), ctx=ctx)
    )


@preview_router.post(
    "/create_preview",
    responses={200: {"model": InvoiceOut}},
    summary="Preview a subscription's next invoice (with the prorations of a change)",
)
async def create_preview(body: PreviewIn, c: GatewayDep, ctx: ContextDep) -> Response:
    details = body.subscription_details or {}
    unknown = sorted(set(details) - {"items", "proration_behavior", "proration_date"})
    if unknown:
        raise InvalidRequest(
            f"Received unknown parameter: subscription_details[{unknown[0]}]",
            code="parameter_unknown",
            param=f"subscription_details[{unknown[0]}]",
        )
    try:
        items = [ItemUpdateIn.model_validate(i) for i in details.get("items") or []]
        behavior = details.get("proration_behavior") or "create_prorations"
        if behavior not in ("create_prorations", "none", "always_invoice"):
            raise ValueError(behavior)
        date = details.get("proration_date")
        when = _time(int(date)) if date not in (None, "") else None
    except (ValueError, TypeError):
        raise InvalidRequest(
            "Invalid subscription_details.", code="parameter_invalid", param="subscription_details"
        ) from None
    cmd = PreviewInvoice(
        subscription=body.subscription,
        items=_changes(items),
        proration_behavior=behavior,  # type: ignore[arg-type]  # checked above
        proration_date=when,
    )
    return json_response(await subscriptions.preview_invoice(cmd, billing=billing_of(c), ctx=ctx))


@preview_router.get(
    "/upcoming",
    responses={200: {"model": InvoiceOut}},
    summary="The subscription's next invoice, as it stands (Stripe's older upcoming)",
)
async def upcoming(
    c: GatewayDep,
    ctx: ContextDep,
    subscription: Annotated[str, Query(min_length=3, max_length=64)],
) -> Response:
    cmd = PreviewInvoice(subscription=subscription)
    return json_response(await subscriptions.preview_invoice(cmd, billing=billing_of(c), ctx=ctx))


# ------------------------------------------------------------------ test clocks


@test_clocks_router.post(
    "", responses={200: {"model": TestClockOut}}, summary="Create a test clock"
)
async def create_test_clock(body: TestClockCreate, c: GatewayDep, ctx: ContextDep) -> Response:
    cmd = CreateTestClock(frozen_time=datetime.fromtimestamp(body.frozen_time, UTC), name=body.name)
    found = await test_clocks.create_test_clock(cmd, billing=billing_of(c), ctx=ctx)
    return json_response(test_clock_object(found))


@test_clocks_router.get("", responses={200: {"model": TestClockList}}, summary="List test clocks")
async def list_test_clocks(c: GatewayDep, ctx: ContextDep, page: PageDep) -> Response:
    found = await test_clocks.list_test_clocks(page, billing=billing_of(c), ctx=ctx)
    return list_response("/v1/test_helpers/test_clocks", found, test_clock_object)


@test_clocks_router.get(
    "/{clock_id}", responses={200: {"model": TestClockOut}}, summary="Retrieve a test clock"
)
async def retrieve_test_clock(clock_id: str, c: GatewayDep, ctx: ContextDep) -> Response:
    found = await test_clocks.retrieve_test_clock(clock_id, billing=billing_of(c), ctx=ctx)
    return json_response(test_clock_object(found))


@test_clocks_router.post(
    "/{clock_id}/advance",
    responses={200: {"model": TestClockOut}},
    summary="Advance a test clock: every renewal, trial end and retry due in between runs",
)
async def advance_test_clock(
    clock_id: str, body: TestClockAdvance, c: GatewayDep, ctx: ContextDep
) -> Response:
    found = await test_clocks.advance_test_clock(
        clock_id,
        datetime.fromtimestamp(body.frozen_time, UTC),
        billing=billing_of(c),
        ctx=ctx,
    )
    return json_response(test_clock_object(found))


@test_clocks_router.delete(
    "/{clock_id}",
    responses={200: {"model": DeletedTestClockOut}},
    summary="Delete a test clock without subscriptions",
)
async def delete_test_clock(clock_id: str, c: GatewayDep, ctx: ContextDep) -> Response:
    deleted = await test_clocks.delete_test_clock(clock_id, billing=billing_of(c), ctx=ctx)
    return json_response({"id": deleted, "object": "test_helpers.test_clock", "deleted": True})


# ------------------------------------------------------------------ dunning settings


@dunning_router.get(
    "/{location_id}",
    responses={200: {"model": DunningSettingsOut}},
    summary="A shop's dunning schedule",
)
async def retrieve_dunning_settings(location_id: str, c: GatewayDep, ctx: ContextDep) -> Response:
    return json_response(
        await dunning_settings.retrieve(location_id, billing=billing_of(c), ctx=ctx)
    )


@dunning_router.post(
    "/{location_id}",
    responses={200: {"model": DunningSettingsOut}},
    summary="Override a shop's dunning schedule (null: back to the service's default)",
)
async def update_dunning_settings(
    location_id: str, body: DunningSettingsIn, c: GatewayDep, ctx: ContextDep
) -> Response:
    cmd = DunningSettingsInput(
        location=location_id,
        retry_days=tuple(body.retry_days) if body.retry_days is not None else None,
        final_action=body.final_action,
    )
    return json_response(await dunning_settings.update(cmd, billing=billing_of(c), ctx=ctx))
