"""Which customers a request may see: a location-restricted key sees its shop's only."""

from __future__ import annotations

from payments.customers.domain import Customer
from payments.customers.repository import CustomerRepository
from payments.kernel.context import RequestContext
from payments.kernel.errors import NotFound
from payments.platform.db.uow import UnitOfWork


async def visible_customer(uow: UnitOfWork, customer_id: str, ctx: RequestContext) -> Customer:
    customer = await uow.repo(CustomerRepository).get(customer_id)
    if customer is None:
        raise NotFound.of("customer", customer_id)
    ctx.check_location("customer", customer_id, customer.location_id)
    return customer
