"""Customers: create, retrieve, update, soft-delete, list."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from payments.customers.domain import CreateTaxId, Customer
from payments.customers.render import customer_object
from payments.customers.repository import CustomerRepository
from payments.customers.service.tax_ids import PreparedTaxId, prepare_tax_id, record_tax_id
from payments.customers.service.visibility import visible_customer
from payments.events.service import record_event
from payments.idempotency.service import created_earlier, remember_created
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.geo import normalize_country, normalize_locale
from payments.kernel.ids import id_for
from payments.kernel.metadata import update_metadata, validate_metadata
from payments.kernel.pagination import Page, PageRequest
from payments.locations.repository import LocationRepository
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.tax.checker import VatIdChecker
from payments.tax.domain.model import TaxExempt


class TestClocks(Protocol):
    """Billing's test clocks, as customers see them (registered by the composition root)."""

    async def exists(self, uow: UnitOfWork, clock_id: str) -> bool: ...


_test_clocks: list[TestClocks] = []


def register_test_clocks(clocks: TestClocks) -> None:
    _test_clocks[:] = [clocks]


async def _test_clock(uow: UnitOfWork, clock_id: str | None) -> str | None:
    """A customer created with ``test_clock`` follows that clock (it must exist)."""
    if not clock_id:
        return None
    if not _test_clocks or not await _test_clocks[0].exists(uow, clock_id):
        raise NotFound.of("test_clock", clock_id, param="test_clock")
    return clock_id


def _clean_address(address: dict[str, Any] | None) -> dict[str, Any] | None:
    if address is None:
        return None
    cleaned = {k: address.get(k) for k in ("line1", "line2", "postal_code", "city", "state")}
    country = address.get("country")
    cleaned["country"] = (
        normalize_country(country, param="address[country]") if country is not None else None
    )
    return cleaned


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    if "address" in out:
        out["address"] = _clean_address(out["address"])
    if "preferred_locales" in out:
        out["preferred_locales"] = [
            normalize_locale(t, param=f"preferred_locales[{i}]")
            for i, t in enumerate(out["preferred_locales"] or [])
        ]
    if "email" in out and out["email"] is not None:
        out["email"] = out["email"].strip()
    if "tax_exempt" in out:
        out["tax_exempt"] = TaxExempt(out["tax_exempt"] or TaxExempt.NONE)
    return out


async def _resolve_location(
    uow: UnitOfWork, ctx: RequestContext, location_id: str | None
) -> str | None:
    restricted = ctx.principal.location_id
    if location_id is None:
        return restricted
    if restricted is not None and location_id != restricted:
        raise NotFound.of("location", location_id, param="location")
    if await uow.repo(LocationRepository).get(location_id) is None:
        raise NotFound.of("location", location_id, param="location")
    return location_id


async def create_customer(
    fields: dict[str, Any],
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
    vat_id_checker: VatIdChecker | None = None,
) -> Customer:
    """``tax_id_data`` (optional) adds tax ids, each checked by ``vat_id_checker`` BEFORE the
    transaction (a VIES call never holds a database transaction open)."""
    ctx.require(Permission.write_customers)
    fields = _clean(fields)
    tax_id_data = fields.pop("tax_id_data", None) or []
    prepared: list[PreparedTaxId] = [
        prepare_tax_id(
            CreateTaxId(type=str(d.get("type")), value=str(d.get("value") or "")),
            param=f"tax_id_data[{i}]",
        )
        for i, d in enumerate(tax_id_data)
    ]
    verifications = []
    for p in prepared:  # outside any transaction: a VIES call may take seconds
        if vat_id_checker is None:
            raise InvalidRequest("Tax ids cannot be checked here", param="tax_id_data")
        verifications.append(await vat_id_checker.check(p.type, p.value))
    async with uow_factory() as uow:
        earlier = await created_earlier(uow, ctx, "customer")
        if earlier is not None:  # a retry after a crash: the customer exists already
            return await visible_customer(uow, earlier, ctx)
        customer = Customer(
            id=id_for("customer"),
            created=clock.now(),
            name=fields.get("name"),
            email=fields.get("email"),
            phone=fields.get("phone"),
            address=fields.get("address"),
            preferred_locales=fields.get("preferred_locales") or [],
            metadata=validate_metadata(fields.get("metadata") or {}),
            location_id=await _resolve_location(uow, ctx, fields.get("location")),
            tax_exempt=fields.get("tax_exempt") or TaxExempt.NONE,
            test_clock=await _test_clock(uow, fields.get("test_clock")),
        )
        await uow.repo(CustomerRepository).add(customer)
        await remember_created(uow, ctx, "customer", customer.id)
        await record_event(
            uow,
            "customer.created",
            customer_object(customer),
            ctx=ctx,
            clock=clock,
            location_id=customer.location_id,
        )
        for p, verification in zip(prepared, verifications, strict=True):
            await record_tax_id(uow, customer, p, verification, ctx=ctx, clock=clock)
        await uow.commit()
    return customer


async def retrieve_customer(
    customer_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Customer:
    async with uow_factory() as uow:
        return await visible_customer(uow, customer_id, ctx)


async def update_customer(
    customer_id: str,
    fields: dict[str, Any],
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> Customer:
    ctx.require(Permission.write_customers)
    fields = _clean(fields)
    async with uow_factory() as uow:
        current = await visible_customer(uow, customer_id, ctx)
        if current.deleted:
            raise InvalidRequest(
                "This customer has been deleted", code="resource_missing", param="id"
            )
        changes = {k: v for k, v in fields.items() if k != "metadata"}
        if "metadata" in fields:
            changes["metadata"] = update_metadata(current.metadata, fields["metadata"])
        updated = replace(current, **changes)
        before = customer_object(current)
        after = customer_object(updated)
        previous = {k: before[k] for k in after if before.get(k) != after[k]}
        await uow.repo(CustomerRepository).save(updated)
        if previous:
            await record_event(
                uow,
                "customer.updated",
                after,
                ctx=ctx,
                clock=clock,
                location_id=updated.location_id,
                previous_attributes=previous,
            )
        await uow.commit()
    return updated


async def delete_customer(
    customer_id: str, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> Customer:
    ctx.require(Permission.write_customers)
    async with uow_factory() as uow:
        current = await visible_customer(uow, customer_id, ctx)
        if current.deleted:
            return current
        deleted = replace(current, deleted_at=clock.now())
        await uow.repo(CustomerRepository).save(deleted)
        snapshot = customer_object(current) | {"deleted": True}
        await record_event(
            uow,
            "customer.deleted",
            snapshot,
            ctx=ctx,
            clock=clock,
            location_id=current.location_id,
        )
        await uow.commit()
    return deleted


async def list_customers(
    page: PageRequest,
    *,
    email: str | None,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
    location: str | None = None,
    created_gte: datetime | None = None,
    created_lte: datetime | None = None,
) -> Page[Customer]:
    async with uow_factory() as uow:
        return await uow.repo(CustomerRepository).list_page(
            page,
            email=email,
            location_id=ctx.list_location(location),
            created_gte=created_gte,
            created_lte=created_lte,
        )
