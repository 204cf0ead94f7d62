"""Charges are read-only: one per attempt at the gateway, made by the payment flow."""

from __future__ import annotations

from datetime import datetime

from payments.intents.domain.model import Charge
from payments.intents.repository import ChargeRepository
from payments.intents.tables import charges as t
from payments.kernel.context import RequestContext
from payments.kernel.errors import NotFound
from payments.kernel.pagination import Page, PageRequest
from payments.platform.db.listing import list_filters
from payments.platform.db.uow import UnitOfWorkFactory


async def retrieve_charge(
    charge_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Charge:
    async with uow_factory() as uow:
        charge = await uow.repo(ChargeRepository).get(charge_id)
    if charge is None or not ctx.principal.sees_location(charge.location_id):
        raise NotFound.of("charge", charge_id)
    return charge


async def list_charges(
    page: PageRequest,
    *,
    payment_intent: str | None,
    customer: str | None,
    status: str | None,
    created_gte: datetime | None,
    created_lte: datetime | None,
    location: str | None,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
) -> Page[Charge]:
    where = list_filters(
        t,
        equals={"payment_intent_id": payment_intent, "customer_id": customer, "status": status},
        created_gte=created_gte,
        created_lte=created_lte,
        location_id=ctx.list_location(location),
    )
    async with uow_factory() as uow:
        return await uow.repo(ChargeRepository).page(page, where)
