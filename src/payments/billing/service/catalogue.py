"""The catalogue: products and their prices (Stripe's ``/v1/products``, ``/v1/prices``).

Products and prices are company-wide (every shop sells the same contracts); an
``admin`` or ``finance`` key maintains them, any key reads them. A price is in one
currency (a product sold in several currencies has several prices); once a subscription
has used it, its amount, interval and tax fields are frozen (``price_immutable``): to
change a contract's price, create a new price and archive the old one
(``active=false``), as at Stripe.
"""

from __future__ import annotations

from dataclasses import replace

from payments.billing.domain.commands import (
    CreatePrice,
    CreateProduct,
    ListPrices,
    ListProducts,
    Recurring,
    UpdatePrice,
    UpdateProduct,
)
from payments.billing.domain.model import Interval, Price, Product
from payments.billing.render import price_object, product_object
from payments.billing.repository import PriceRepository, ProductRepository
from payments.events.service import record_event
from payments.idempotency.service import created_earlier, remember_created
from payments.kernel.access import Permission, Role
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound, PermissionDenied
from payments.kernel.ids import id_for
from payments.kernel.metadata import update_metadata, validate_metadata
from payments.kernel.money import UnknownCurrency, normalize_currency
from payments.kernel.pagination import Page, PageRequest
from payments.kernel.unset import Unset
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.tax.domain import TaxBehavior, TaxCategory

MAX_UNIT_AMOUNT = 99_999_999
MAX_INTERVAL_DAYS = 3 * 365  # Stripe: at most three years


def require_catalogue_writer(ctx: RequestContext) -> None:
    ctx.require(Permission.write_payments)
    if ctx.principal.role not in (Role.admin, Role.finance):
        raise PermissionDenied(
            "Products and prices are maintained by admin or finance keys.",
            code="insufficient_permissions",
        )


def _choice(value: str, allowed: list[str], *, param: str) -> str:
    if value not in allowed:
        raise InvalidRequest(
            f"Invalid {param}: {value!r}; use one of " + ", ".join(allowed) + ".",
            code="parameter_invalid",
            param=param,
        )
    return value


def _recurring(r: Recurring) -> tuple[Interval, int]:
    interval = Interval(
        _choice(r.interval, [i.value for i in Interval], param="recurring[interval]")
    )
    days = {Interval.DAY: 1, Interval.WEEK: 7, Interval.MONTH: 31, Interval.YEAR: 366}[interval]
    if r.interval_count < 1 or r.interval_count * days > MAX_INTERVAL_DAYS + 3:
        raise InvalidRequest(
            "Invalid recurring[interval_count]: at least 1, and at most three years.",
            code="parameter_invalid_integer",
            param="recurring[interval_count]",
        )
    return interval, r.interval_count


def _unit_amount(value: int) -> int:
    if not 0 <= value <= MAX_UNIT_AMOUNT:
        raise InvalidRequest(
            f"Invalid unit_amount: between 0 and {MAX_UNIT_AMOUNT} minor units.",
            code="parameter_invalid_integer",
            param="unit_amount",
        )
    return value


def _tax(behavior: str, category: str | None) -> tuple[str, str | None]:
    _choice(behavior, [b.value for b in TaxBehavior], param="tax_behavior")
    if category is not None:
        _choice(category, [c.value for c in TaxCategory], param="tax_category")
    return behavior, category


async def visible_product(uow: UnitOfWork, product_id: str, *, param: str = "id") -> Product:
    product = await uow.repo(ProductRepository).get(product_id)
    if product is None:
        raise NotFound.of("product", product_id, param=param)
    return product


async def visible_price(uow: UnitOfWork, price_id: str, *, param: str = "id") -> Price:
    price = await uow.repo(PriceRepository).get(price_id)
    if price is None:
        raise NotFound.of("price", price_id, param=param)
    return price


async def create_product(
    cmd: CreateProduct, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> Product:
    require_catalogue_writer(ctx)
    if not cmd.name.strip():
        raise InvalidRequest(
            "Missing required param: name.", code="parameter_missing", param="name"
        )
    _choice(cmd.tax_category, [c.value for c in TaxCategory], param="tax_category")
    metadata = validate_metadata(dict(cmd.metadata))
    async with uow_factory() as uow:
        earlier = await created_earlier(uow, ctx, "product")
        if earlier is not None:
            return await visible_product(uow, earlier)
        now = clock.now()
        product = Product(
            id=id_for("product"),
            name=cmd.name.strip(),
            description=cmd.description or None,
            active=cmd.active,
            tax_category=cmd.tax_category,
            unit_label=cmd.unit_label or None,
            metadata=metadata,
            created=now,
            updated=now,
        )
        await uow.repo(ProductRepository).add(product)
        await remember_created(uow, ctx, "product", product.id)
        await record_event(uow, "product.created", product_object(product), ctx=ctx, clock=clock)
        await uow.commit()
    return product


async def update_product(
    cmd: UpdateProduct, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> Product:
    require_catalogue_writer(ctx)
    async with uow_factory() as uow:
        current = await visible_product(uow, cmd.id)
        product = replace(current)
        if not isinstance(cmd.name, Unset):
            if not cmd.name.strip():
                raise InvalidRequest("Invalid name: it cannot be empty.", param="name")
            product.name = cmd.name.strip()
        if not isinstance(cmd.description, Unset):
            product.description = cmd.description or None
        if not isinstance(cmd.active, Unset):
            product.active = cmd.active
        if not isinstance(cmd.tax_category, Unset):
            product.tax_category = _choice(
                cmd.tax_category, [c.value for c in TaxCategory], param="tax_category"
            )
        if not isinstance(cmd.unit_label, Unset):
            product.unit_label = cmd.unit_label or None
        if not isinstance(cmd.metadata, Unset):
            product.metadata = update_metadata(
                product.metadata, None if cmd.metadata is None else dict(cmd.metadata)
            )
        old, new = product_object(current), product_object(product)
        previous = {k: old[k] for k in new if old[k] != new[k] and k != "updated"}
        if previous:
            product.updated = clock.now()
            await uow.repo(ProductRepository).save(product)
            await record_event(
                uow,
                "product.updated",
                product_object(product),
                ctx=ctx,
                clock=clock,
                previous_attributes=previous,
            )
        await uow.commit()
    return product


async def retrieve_product(
    product_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Product:
    async with uow_factory() as uow:
        return await visible_product(uow, product_id)


async def list_products(
    query: ListProducts, page: PageRequest, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Page[Product]:
    async with uow_factory() as uow:
        return await uow.repo(ProductRepository).list_page(
            page, equals={"active": query.active}, created=query.created
        )


async def create_price(
    cmd: CreatePrice, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> Price:
    require_catalogue_writer(ctx)
    try:
        currency = normalize_currency(cmd.currency)
    except UnknownCurrency:
        raise InvalidRequest(
            f"Invalid currency: {cmd.currency!r}", code="currency_invalid", param="currency"
        ) from None
    unit_amount = _unit_amount(cmd.unit_amount)
    interval, count = _recurring(cmd.recurring) if cmd.recurring else (None, None)
    behavior, category = _tax(cmd.tax_behavior, cmd.tax_category)
    metadata = validate_metadata(dict(cmd.metadata))
    async with uow_factory() as uow:
        earlier = await created_earlier(uow, ctx, "price")
        if earlier is not None:
            return await visible_price(uow, earlier)
        product = await visible_product(uow, cmd.product, param="product")
        if cmd.lookup_key and await uow.repo(PriceRepository).with_lookup_key(cmd.lookup_key):
            raise InvalidRequest(
                f"A price already uses the lookup_key {cmd.lookup_key!r}.",
                code="lookup_key_taken",
                param="lookup_key",
            )
        price = Price(
            id=id_for("price"),
            product_id=product.id,
            currency=currency,
            unit_amount=unit_amount,
            active=cmd.active,
            type="recurring" if interval else "one_time",
            recurring_interval=interval,
            recurring_interval_count=count,
            tax_behavior=behavior,
            tax_category=category,
            nickname=cmd.nickname or None,
            lookup_key=cmd.lookup_key or None,
            metadata=metadata,
            created=clock.now(),
        )
        await uow.repo(PriceRepository).add(price)
        await remember_created(uow, ctx, "price", price.id)
        await record_event(uow, "price.created", price_object(price), ctx=ctx, clock=clock)
        await uow.commit()
    return price


async def update_price(
    cmd: UpdatePrice, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> Price:
    require_catalogue_writer(ctx)
    frozen = {
        "unit_amount": cmd.unit_amount,
        "recurring": cmd.recurring,
        "tax_behavior": cmd.tax_behavior,
        "tax_category": cmd.tax_category,
    }
    async with uow_factory() as uow:
        current = await visible_price(uow, cmd.id)
        price = replace(current)
        changes = [name for name, value in frozen.items() if not isinstance(value, Unset)]
        if changes and current.used:
            raise InvalidRequest(
                f"This price has been used by a subscription: its {changes[0]} cannot change. "
                "Create a new price and archive this one (active=false).",
                code="price_immutable",
                param=changes[0],
            )
        if not isinstance(cmd.unit_amount, Unset):
            price.unit_amount = _unit_amount(cmd.unit_amount)
        if not isinstance(cmd.recurring, Unset):
            price.recurring_interval, price.recurring_interval_count = _recurring(cmd.recurring)
            price.type = "recurring"
        if not isinstance(cmd.tax_behavior, Unset):
            price.tax_behavior = _tax(cmd.tax_behavior, None)[0]
        if not isinstance(cmd.tax_category, Unset):
            price.tax_category = _tax(price.tax_behavior, cmd.tax_category)[1]
        if not isinstance(cmd.active, Unset):
            price.active = cmd.active
        if not isinstance(cmd.nickname, Unset):
            price.nickname = cmd.nickname or None
        if not isinstance(cmd.lookup_key, Unset):
            key = cmd.lookup_key or None
            other = await uow.repo(PriceRepository).with_lookup_key(key) if key else None
            if other is not None and other.id != price.id:
                raise InvalidRequest(
                    f"A price already uses the lookup_key {key!r}.",
                    code="lookup_key_taken",
                    param="lookup_key",
                )
            price.lookup_key = key
        if not isinstance(cmd.metadata, Unset):
            price.metadata = update_metadata(
                price.metadata, None if cmd.metadata is None else dict(cmd.metadata)
            )
        old, new = price_object(current), price_object(price)
        previous = {k: old[k] for k in new if old[k] != new[k]}
        if previous:
            await uow.repo(PriceRepository).save(price)
            await record_event(
                uow,
                "price.updated",
                new,
                ctx=ctx,
                clock=clock,
                previous_attributes=previous,
            )
        await uow.commit()
    return price


async def retrieve_price(
    price_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Price:
    async with uow_factory() as uow:
        return await visible_price(uow, price_id)


async def list_prices(
    query: ListPrices, page: PageRequest, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Page[Price]:
    async with uow_factory() as uow:
        return await uow.repo(PriceRepository).list_page(
            page,
            equals={
                "product_id": query.product,
                "active": query.active,
                "currency": query.currency.lower() if query.currency else None,
            },
            created=query.created,
        )
