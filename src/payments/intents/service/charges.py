"""Charges (one per attempt at the gateway): retrieve and list. They are written only by
the payment flow (:mod:`payments.intents.service.flow`) and its settlement."""

from __future__ import annotations

from payments.intents.domain.commands import ListCharges
from payments.intents.domain.model import Charge
from payments.intents.repository import ChargeRepository
from payments.kernel.context import RequestContext
from payments.kernel.errors import NotFound
from payments.kernel.pagination import Page, PageRequest
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
    query: ListCharges, page: PageRequest, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Page[Charge]:
    async with uow_factory() as uow:
        return await uow.repo(ChargeRepository).list_page(
            page,
            equals={
                "payment_intent_id": query.payment_intent,
                "customer_id": query.customer,
                "status": query.status,
            },
            created=query.created,
            location_id=ctx.list_location(query.location),
        )
