"""Customers' tax ids (Stripe's ``/v1/customers/{id}/tax_ids``) and the customer as a VAT party.

Creating one has three phases so that no database transaction is open across the VIES
call: (1) normalise the number (400 ``tax_id_invalid`` naming ``value``) and check the
customer is visible; (2) ask the ``VatIdChecker``; (3) record the tax id with the check's
result and date (the proof) and its ``customer.tax_id.created`` event in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from payments.customers.domain import CreateTaxId, Customer, CustomerTaxId
from payments.customers.render import tax_id_object
from payments.customers.repository import TaxIdRepository
from payments.customers.service.visibility import visible_customer
from payments.events.service import record_event
from payments.idempotency.service import created_earlier, remember_created
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.ids import id_for
from payments.kernel.pagination import Page, PageRequest
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.tax.checker import VatIdChecker
from payments.tax.domain.errors import InvalidVatId, UnsupportedTaxIdType
from payments.tax.domain.model import TaxParty
from payments.tax.domain.vat_ids import TaxIdType, normalize_vat_id, tax_id_type, vat_id_country
from payments.tax.domain.verification import VatIdVerification, VerificationStatus


@dataclass(frozen=True, slots=True)
class PreparedTaxId:
    type: TaxIdType
    value: str  # normalised
    country: str


def prepare_tax_id(cmd: CreateTaxId, *, param: str | None = None) -> PreparedTaxId:
    """Normalise the type and value; errors name ``type``/``value`` (under ``param``)."""
    try:
        kind = tax_id_type(cmd.type)
        value = normalize_vat_id(kind, cmd.value)
    except (InvalidVatId, UnsupportedTaxIdType) as exc:
        if param is not None:
            exc.param = f"{param}[{exc.param}]"
        raise
    return PreparedTaxId(kind, value, vat_id_country(value))


def _usable(customer: Customer) -> None:
    if customer.deleted:
        raise InvalidRequest("This customer has been deleted", code="resource_missing", param="id")


async def record_tax_id(
    uow: UnitOfWork,
    customer: Customer,
    prepared: PreparedTaxId,
    verification: VatIdVerification,
    *,
    ctx: RequestContext,
    clock: Clock,
) -> CustomerTaxId:
    """Insert the tax id and its event (the caller commits)."""
    tax_id = CustomerTaxId(
        id=id_for("tax_id"),
        customer_id=customer.id,
        type=prepared.type,
        value=prepared.value,
        country=prepared.country,
        created=clock.now(),
        verification=verification,
        livemode=customer.livemode,
    )
    await uow.repo(TaxIdRepository).add(tax_id)
    await record_event(
        uow,
        "customer.tax_id.created",
        tax_id_object(tax_id),
        ctx=ctx,
        clock=clock,
        location_id=customer.location_id,
    )
    return tax_id


async def create_tax_id(
    customer_id: str,
    cmd: CreateTaxId,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
    vat_id_checker: VatIdChecker,
) -> CustomerTaxId:
    ctx.require(Permission.write_customers)
    prepared = prepare_tax_id(cmd)
    async with uow_factory() as uow:  # phase 1: visible, alive, not a replay
        _usable(await visible_customer(uow, customer_id, ctx))
        earlier = await created_earlier(uow, ctx, "tax_id")
        if earlier is not None:
            existing = await uow.repo(TaxIdRepository).get(customer_id, earlier)
            if existing is not None:
                return existing
    verification = await vat_id_checker.check(prepared.type, prepared.value)  # phase 2
    async with uow_factory() as uow:  # phase 3
        customer = await visible_customer(uow, customer_id, ctx)
        _usable(customer)
        tax_id = await record_tax_id(uow, customer, prepared, verification, ctx=ctx, clock=clock)
        await remember_created(uow, ctx, "tax_id", tax_id.id)
        await uow.commit()
    return tax_id


async def retrieve_tax_id(
    customer_id: str, tax_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> CustomerTaxId:
    async with uow_factory() as uow:
        await visible_customer(uow, customer_id, ctx)
        found = await uow.repo(TaxIdRepository).get(customer_id, tax_id)
    if found is None:
        raise NotFound.of("tax_id", tax_id)
    return found


async def list_tax_ids(
    customer_id: str, page: PageRequest, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Page[CustomerTaxId]:
    async with uow_factory() as uow:
        await visible_customer(uow, customer_id, ctx)
        return await uow.repo(TaxIdRepository).list_page(customer_id, page)


async def delete_tax_id(
    customer_id: str,
    tax_id: str,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> CustomerTaxId:
    """Hide the tax id (its check stays on record) and record ``customer.tax_id.deleted``."""
    ctx.require(Permission.write_customers)
    async with uow_factory() as uow:
        customer = await visible_customer(uow, customer_id, ctx)
        repo = uow.repo(TaxIdRepository)
        found = await repo.get(customer_id, tax_id)
        if found is None:
            raise NotFound.of("tax_id", tax_id)
        deleted = replace(found, deleted_at=clock.now())
        await repo.mark_deleted(deleted)
        await record_event(
            uow,
            "customer.tax_id.deleted",
            tax_id_object(found),
            ctx=ctx,
            clock=clock,
            location_id=customer.location_id,
        )
        await uow.commit()
    return deleted


def _country(customer: Customer) -> str | None:
    country = (customer.address or {}).get("country")
    return str(country) if country else None


async def tax_party_of(uow: UnitOfWork, customer: Customer, *, default_country: str) -> TaxParty:
    """The customer as the VAT rules see it (for an invoice, inside its transaction).

    Country: the customer's address, else its VAT id's, else ``default_country`` (the
    selling shop's: a walk-in customer). VAT id: among its tax ids not found unregistered
    (``unverified``), the one of its address's country, else the oldest.
    """
    tax_ids = [
        t
        for t in await uow.repo(TaxIdRepository).all_for(customer.id)
        if t.verification.status is not VerificationStatus.UNVERIFIED
    ]
    address_country = _country(customer)
    chosen = next((t for t in tax_ids if t.country == address_country), None) or next(
        iter(tax_ids), None
    )
    country = address_country or (chosen.country if chosen else None) or default_country
    return TaxParty(
        country=country,
        vat_id=chosen.value if chosen else None,
        tax_exempt=customer.tax_exempt,
    )
