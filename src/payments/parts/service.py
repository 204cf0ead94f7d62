"""The parts catalogue: our own parts and prices (finance and admins write, every key
reads), and the local :class:`~payments.parts.domain.PartCatalogue` on it."""

from __future__ import annotations

from dataclasses import replace

from payments.events.service import record_event
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.ids import id_for
from payments.kernel.metadata import update_metadata, validate_metadata
from payments.kernel.money import UnknownCurrency, normalize_currency
from payments.kernel.pagination import Page, PageRequest
from payments.parts.domain import CreatePart, Part, PartPrice, UpdatePart, valid_sku
from payments.parts.render import part_object
from payments.parts.repository import PartRepository
from payments.platform.db.uow import UnitOfWorkFactory
from payments.tax.domain import TaxCategory


def checked_sku(value: str, *, param: str = "sku") -> str:
    if not valid_sku(value):
        raise InvalidRequest(
            "A sku is 1-64 letters, digits and . _ / - (starting with a letter or digit).",
            param=param,
        )
    return value


def checked_currency(value: str, *, param: str = "currency") -> str:
    try:
        return normalize_currency(value)
    except UnknownCurrency:
        raise InvalidRequest(
            f"Invalid currency: {value!r}", code="currency_invalid", param=param
        ) from None


def checked_category(value: str, *, param: str = "tax_category") -> str:
    if value not in {c.value for c in TaxCategory}:
        allowed = ", ".join(c.value for c in TaxCategory)
        raise InvalidRequest(f"Unknown tax category {value!r}; use one of {allowed}.", param=param)
    return value


async def create_part(
    cmd: CreatePart, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> Part:
    ctx.require(Permission.write_catalogue)
    now = clock.now()
    part = Part(
        id=id_for("part"),
        sku=checked_sku(cmd.sku),
        currency=checked_currency(cmd.currency),
        description=cmd.description.strip(),
        unit_amount=cmd.unit_amount,
        tax_category=checked_category(cmd.tax_category),
        metadata=validate_metadata(dict(cmd.metadata)),
        created=now,
        updated=now,
    )
    if not part.description:
        raise InvalidRequest("A part needs a description.", param="description")
    async with uow_factory() as uow:
        repo = uow.repo(PartRepository)
        if await repo.by_sku(part.sku, part.currency) is not None:
            raise InvalidRequest(
                f"Part {part.sku} has a {part.currency.upper()} price already: update it.",
                code="resource_already_exists",
                param="sku",
            )
        await repo.add(part)
        await record_event(uow, "part.created", part_object(part), ctx=ctx, clock=clock)
        await uow.commit()
    return part


async def update_part(
    cmd: UpdatePart, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> Part:
    """A new price applies to lines added from now on; lines added before keep theirs."""
    ctx.require(Permission.write_catalogue)
    async with uow_factory() as uow:
        repo = uow.repo(PartRepository)
        current = await repo.get(cmd.id, for_update=True)
        if current is None:
            raise NotFound.of("part", cmd.id)
        part = replace(current, updated=clock.now())
        if cmd.description is not None:
            if not cmd.description.strip():
                raise InvalidRequest("A part needs a description.", param="description")
            part.description = cmd.description.strip()
        if cmd.unit_amount is not None:
            part.unit_amount = cmd.unit_amount
        if cmd.tax_category is not None:
            part.tax_category = checked_category(cmd.tax_category)
        if cmd.active is not None:
            part.active = cmd.active
        if cmd.metadata is not None:
            part.metadata = update_metadata(dict(part.metadata), dict(cmd.metadata))
        await repo.save(part)
        await record_event(uow, "part.updated", part_object(part), ctx=ctx, clock=clock)
        await uow.commit()
    return part


async def retrieve_part(
    part_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Part:
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        part = await uow.repo(PartRepository).get(part_id)
    if part is None:
        raise NotFound.of("part", part_id)
    return part


async def list_parts(
    page: PageRequest,
    *,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
    sku: str | None = None,
    currency: str | None = None,
    active: bool | None = None,
) -> Page[Part]:
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        return await uow.repo(PartRepository).list_page(
            page,
            sku=sku,
            currency=checked_currency(currency) if currency else None,
            active=active,
        )


class LocalPartCatalogue:
    """The default catalogue: our own ``parts`` table (active parts only)."""

    source = "local"

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def price(self, sku: str, *, currency: str, location_id: str) -> PartPrice | None:
        async with self._uow_factory() as uow:
            part = await uow.repo(PartRepository).by_sku(sku, currency)
        return part.price() if part is not None and part.active else None
