"""Customers: create, retrieve, update, soft-delete, list."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from payments.customers.adapters.customer_base import profile_of
from payments.customers.domain import (
    PROFILE_FIELDS,
    CreateTaxId,
    Customer,
    CustomerDirectory,
    CustomerProfile,
)
from payments.customers.render import customer_object
from payments.customers.repository import CustomerRepository
from payments.customers.service.tax_ids import PreparedTaxId, prepare_tax_id, record_tax_id
from payments.customers.service.visibility import visible_customer
from payments.events.service import record_event
from payments.idempotency.service import created_earlier, remember_created
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import Conflict, InvalidRequest, NotFound, PermissionDenied
from payments.kernel.geo import normalize_country, normalize_locale
from payments.kernel.ids import id_for
from payments.kernel.metadata import update_metadata, validate_metadata
from payments.kernel.pagination import Page, PageRequest
from payments.locations.repository import LocationRepository
from payments.platform.config import Settings
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.tax.checker import VatIdChecker
from payments.tax.domain.model import TaxExempt


class TestClocks(Protocol):
    """Billing's test clocks, as customers see them (registered by the composition root)."""

    async def exists(self, uow: UnitOfWork, clock_id: str) -> bool: ...


_test_clocks: list[TestClocks] = []


class Erasures(Protocol):
    """GDPR erasure (the privacy capability, above us): what the Customer Base's
    ``customer.erasure_requested`` triggers, the same as ``POST /v1/customers/{id}/erase``."""

    async def erase(
        self,
        customer_id: str,
        *,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        ctx: RequestContext,
        settings: Settings,
    ) -> str: ...


_erasures: list[Erasures] = []


def register_erasure(erasures: Erasures) -> None:
    _erasures[:] = [erasures]


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
    directory: CustomerDirectory | None = None,
) -> Customer:
    """``tax_id_data`` (optional) adds tax ids, each checked by ``vat_id_checker`` BEFORE the
    transaction (a VIES call never holds a database transaction open).

    ``external_id`` links the customer to the Customer Base: its billing profile comes
    from ``directory`` (asked before the transaction too) where the request gives none,
    and a customer already linked to that id is synchronised and returned instead of a
    second one being created."""
    ctx.require(Permission.write_customers)
    external_id = fields.pop("external_id", None)
    if external_id and directory is not None:
        profile = await directory.profile(external_id)
        if profile is None and directory.source != "local":
            raise InvalidRequest(
                f"The Customer Base has no customer {external_id!r}.",
                code="resource_missing",
                param="external_id",
            )
        if profile is not None:
            fields = profile.fields() | fields  # what the request gives wins
    fields = _clean(fields)
    if external_id:
        linked = await _link(external_id, fields, uow_factory=uow_factory, clock=clock, ctx=ctx)
        if linked is not None:
            return linked
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
            external_id=external_id,
            test_clock=await _test_clock(uow, fields.get("test_clock")),
        )
        if not await uow.repo(CustomerRepository).add(customer):
            raise Conflict(
                f"Another request is creating the customer linked to {external_id!r}; retry.",
                code="external_id_in_use",
            )
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


async def _link(
    external_id: str,
    fields: dict[str, Any],
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> Customer | None:
    """The customer already linked to ``external_id``, its profile brought up to date;
    None when there is none."""
    async with uow_factory() as uow:
        existing = await uow.repo(CustomerRepository).by_external_id(external_id)
        if existing is None:
            return None
        if existing.deleted or not ctx.principal.sees_location(existing.location_id):
            raise InvalidRequest(
                f"external_id {external_id!r} is linked to another customer (deleted, or of "
                "another shop).",
                code="resource_already_exists",
                param="external_id",
            )
        profile = {k: fields[k] for k in PROFILE_FIELDS if k in fields}
        updated = await _apply_profile(uow, existing, profile, clock=clock, ctx=ctx)
        await uow.commit()
    return updated


async def _apply_profile(
    uow: UnitOfWork,
    current: Customer,
    profile: dict[str, Any],
    *,
    clock: Clock,
    ctx: RequestContext,
) -> Customer:
    """Save the profile's fields on the customer; ``customer.updated`` if anything changed."""
    updated = replace(current, **profile)
    before, after = customer_object(current), customer_object(updated)
    previous = {k: before[k] for k in after if before.get(k) != after[k]}
    if previous:
        await uow.repo(CustomerRepository).save(updated)
        await record_event(
            uow,
            "customer.updated",
            after,
            ctx=ctx,
            clock=clock,
            location_id=updated.location_id,
            previous_attributes=previous,
        )
    return updated


async def apply_directory_event(
    event: dict[str, Any],
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
    directory: CustomerDirectory,
    settings: Settings | None = None,
) -> tuple[str | None, bool]:
    """A Customer Base notification (``customer.updated``, ``customer.deleted`` or
    ``customer.erasure_requested`` (GDPR: the linked customer is erased), its
    ``data.object.id`` the Customer Base id): the linked customer's profile is refreshed
    (read again from the Customer Base when it is the directory, so notifications arriving
    out of order still end with its current profile), or the customer soft-deleted.
    Returns (our customer id or None when none is linked, whether anything changed)."""
    ctx.require(Permission.write_customers)
    if ctx.principal.location_id is not None:
        raise PermissionDenied(
            "Customer Base notifications need a key that is not restricted to a shop.",
            code="insufficient_permissions",
        )
    kind = event.get("type")
    obj = (event.get("data") or {}).get("object") or {}
    external_id = obj.get("id") if isinstance(obj, dict) else None
    if kind not in ("customer.updated", "customer.deleted", "customer.erasure_requested"):
        raise InvalidRequest(
            "type must be customer.updated, customer.deleted or customer.erasure_requested.",
            param="type",
        )
    if not isinstance(external_id, str) or not external_id:
        raise InvalidRequest(
            "Missing the Customer Base id.", code="parameter_missing", param="data[object][id]"
        )
    if kind == "customer.erasure_requested":
        async with uow_factory() as uow:
            linked = await uow.repo(CustomerRepository).by_external_id(external_id)
        if linked is None or not _erasures or settings is None:
            return None, False  # erased already (the link is gone), or never linked
        await _erasures[0].erase(
            linked.id, uow_factory=uow_factory, clock=clock, ctx=ctx, settings=settings
        )
        return linked.id, True
    profile = None
    if kind == "customer.updated":
        if directory.source == "local":  # nobody to ask: the notification is the profile
            profile = profile_of(obj, external_id)
        else:
            profile = await directory.profile(external_id)  # before the transaction
    async with uow_factory() as uow:
        current = await uow.repo(CustomerRepository).by_external_id(external_id)
        if current is None or current.deleted:
            return (current.id if current else None), False
        if kind == "customer.deleted" or profile is None:
            await _mark_deleted(uow, current, clock=clock, ctx=ctx)
            await uow.commit()
            return current.id, True
        changed = _clean(profile.fields())
        updated = await _apply_profile(uow, current, changed, clock=clock, ctx=ctx)
        await uow.commit()
    return current.id, updated != current


class LocalCustomerDirectory:
    """The default directory: our own customers are the profiles."""

    source = "local"

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def profile(self, external_id: str) -> CustomerProfile | None:
        async with self._uow_factory() as uow:
            found = await uow.repo(CustomerRepository).by_external_id(external_id)
        if found is None or found.deleted:
            return None
        return CustomerProfile(
            external_id=external_id,
            name=found.name,
            email=found.email,
            phone=found.phone,
            address=found.address,
            preferred_locales=list(found.preferred_locales),
        )


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
        deleted = await _mark_deleted(uow, current, clock=clock, ctx=ctx)
        await uow.commit()
    return deleted


async def _mark_deleted(
    uow: UnitOfWork, current: Customer, *, clock: Clock, ctx: RequestContext
) -> Customer:
    """Mark the customer deleted and record ``customer.deleted`` (its last state, deleted)."""
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
