"""Objects that another object names by id, for ``expand[]``: each loaded only when the
caller's key may see it (an object of another shop stays a bare id, as if unknown)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from payments.customers.domain import Customer
from payments.customers.repository import CustomerRepository
from payments.intents.domain.model import Charge, PaymentIntent, PaymentMethod
from payments.intents.repository import ChargeRepository, PaymentIntentRepository
from payments.intents.service.payment_methods import visible_payment_method
from payments.kernel.context import RequestContext
from payments.kernel.errors import NotFound
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory

Kind = Literal["charge", "customer", "payment_intent", "payment_method"]
Related = Charge | Customer | PaymentIntent | PaymentMethod


async def _one(uow: UnitOfWork, kind: Kind, object_id: str, ctx: RequestContext) -> Related | None:
    sees = ctx.principal.sees_location
    match kind:
        case "charge":
            charge = await uow.repo(ChargeRepository).get(object_id)
            return charge if charge is not None and sees(charge.location_id) else None
        case "customer":
            customer = await uow.repo(CustomerRepository).get(object_id)
            return customer if customer is not None and sees(customer.location_id) else None
        case "payment_intent":
            pi = await uow.repo(PaymentIntentRepository).get(object_id)
            return pi if pi is not None and sees(pi.location_id) else None
        case "payment_method":
            try:
                return await visible_payment_method(uow, object_id, ctx)
            except NotFound:
                return None


async def load_related(
    kind: Kind, ids: Iterable[str], *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> dict[str, Related]:
    """The visible objects of ``kind`` among ``ids``, by id."""
    found: dict[str, Related] = {}
    async with uow_factory() as uow:
        for object_id in dict.fromkeys(ids):
            obj = await _one(uow, kind, object_id, ctx)
            if obj is not None:
                found[object_id] = obj
    return found
