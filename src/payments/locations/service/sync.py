"""``payments locations sync``: upsert our shops from the Locations Service.

1. Every shop is read from the directory first, all pages, before any transaction opens.
   If the service is down (or answers outside its contract) the sync fails with
   :class:`~payments.kernel.errors.ServiceUnavailable` and changes nothing.
2. In ONE transaction: each shop is matched to our location by ``external_id`` and
   created or updated (:mod:`payments.locations.domain.sync`: overrides kept); a linked
   location the service no longer lists is deactivated, never deleted. A shop whose data
   we cannot take (a currency, country or time zone we do not know; payment methods
   set locally that no longer fit) is skipped and reported; a seller (legal entity) we do
   not know is reported and left as it was, never invented.
3. Each created or changed shop records a ``location.created`` / ``location.updated``
   event and an audit record (``location.synced`` / ``location.deactivated``).

Running it again with nothing changed at the service changes nothing (every shop
``unchanged``). Payments never wait on it: they read our ``locations`` table.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from payments.audit.service import record_audit
from payments.events.service import record_event
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, PaymentsError
from payments.kernel.geo import normalize_country, validate_timezone
from payments.kernel.ids import id_for
from payments.legal_entities.domain import LegalEntity
from payments.legal_entities.repository import LegalEntityRepository
from payments.locations.domain import Location, Shop, ShopDirectory
from payments.locations.domain.sync import (
    SyncError,
    SyncReport,
    synced_location,
    upstream_values,
)
from payments.locations.render import location_object
from payments.locations.repository import LocationRepository
from payments.locations.service import check_offered, checked_currencies, checked_currency
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory


class NoLocationsService(InvalidRequest):
    """The directory is our own table: there is nothing to synchronise from."""

    default_code = "locations_service_not_configured"


def _compact(reference: str) -> str:
    return "".join(ch for ch in reference.upper() if ch.isalnum())


class _Sellers:
    """Our legal entities, found by the reference the service gives: our ``le_`` id or
    the seller's VAT id (spaces and punctuation ignored)."""

    def __init__(self, entities: list[LegalEntity]) -> None:
        self._ids = {e.id for e in entities}
        self._vat: dict[str, list[str]] = {}
        for e in entities:
            if e.vat_id:
                self._vat.setdefault(_compact(e.vat_id), []).append(e.id)

    def find(self, reference: str) -> tuple[str | None, str | None]:
        """(our id, None) or (None, why not)."""
        if reference in self._ids:
            return reference, None
        matches = self._vat.get(_compact(reference), [])
        if len(matches) == 1:
            return matches[0], None
        if matches:
            return None, f"several legal entities have the VAT id {reference}: {matches}"
        return None, f"no legal entity has the id or VAT id {reference}"


def checked_shop(shop: Shop) -> Shop:
    """The shop with its codes normalised, or :class:`InvalidRequest` saying what we
    cannot take (the param names the shop's field)."""
    country = normalize_country(str(shop.address.get("country") or ""), param="address.country")
    currency = checked_currency(shop.currency, "currency")
    return replace(
        shop,
        address=dict(shop.address) | {"country": country},
        currency=currency,
        currencies=checked_currencies(shop.currencies, currency),
        timezone=validate_timezone(shop.timezone, param="timezone"),
    )


async def sync_locations(
    *,
    directory: ShopDirectory,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> SyncReport:
    if directory.source == "local":
        raise NoLocationsService(
            "No Locations Service is configured (PAYMENTS_LOCATIONS_SERVICE_URL): our own "
            "locations are the only directory, so there is nothing to synchronise."
        )
    listed = await directory.shops()  # before any transaction; raises: nothing changed
    report = SyncReport()
    shops: dict[str, Shop] = {}
    for shop in listed:
        if shop.external_id in shops:
            report.errors.append(
                SyncError(shop.external_id, "duplicate", "The service listed this shop twice.")
            )
            continue
        shops[shop.external_id] = shop
    async with uow_factory() as uow:
        audits = await _apply(uow, shops, report, clock=clock, ctx=ctx)
        for action, before, after in audits:  # last writes: the audit chain's lock
            await record_audit(
                uow,
                action,
                object_type="location",
                object_id=after["id"],
                ctx=ctx,
                clock=clock,
                before=before,
                after=after,
                location_id=after["id"],
            )
        await uow.commit()
    return report


Audit = tuple[str, dict[str, Any] | None, dict[str, Any]]


async def _apply(
    uow: UnitOfWork,
    shops: dict[str, Shop],
    report: SyncReport,
    *,
    clock: Clock,
    ctx: RequestContext,
) -> list[Audit]:
    repo = uow.repo(LocationRepository)
    await repo.lock_for_sync()
    sellers = _Sellers(await uow.repo(LegalEntityRepository).all())
    linked = {str(loc.external_id): loc for loc in await repo.linked()}
    audits: list[Audit] = []
    now = clock.now()
    for external_id, raw in shops.items():
        try:
            shop = checked_shop(raw)
        except PaymentsError as exc:
            report.errors.append(SyncError(external_id, exc.code, exc.message))
            continue
        seller: str | None = None
        if shop.legal_entity_ref is not None:
            seller, why = sellers.find(shop.legal_entity_ref)
            if why is not None:
                report.errors.append(SyncError(external_id, "legal_entity_unknown", why))
        current = linked.get(external_id)
        values = upstream_values(shop, seller)
        location = synced_location(current, shop, values, new_id=id_for("location"), now=now)
        try:
            check_offered(location)
        except PaymentsError as exc:
            report.errors.append(SyncError(external_id, exc.code, exc.message))
            continue
        await _save(uow, current, location, report, audits, clock=clock, ctx=ctx)
    for ref, linked_location in linked.items():
        if ref in shops or not linked_location.active:
            continue
        gone = replace(linked_location, active=False)
        await _save(uow, linked_location, gone, report, audits, clock=clock, ctx=ctx)
    return audits


async def _save(
    uow: UnitOfWork,
    current: Location | None,
    location: Location,
    report: SyncReport,
    audits: list[Audit],
    *,
    clock: Clock,
    ctx: RequestContext,
) -> None:
    repo = uow.repo(LocationRepository)
    after = location_object(location)
    if current is None:
        await repo.add(location)
        await record_event(
            uow, "location.created", after, ctx=ctx, clock=clock, location_id=location.id
        )
        report.created.append(location.id)
        audits.append(("location.synced", None, after))
        return
    before = location_object(current)
    previous = {k: before[k] for k in after if before[k] != after[k]}
    if not previous:
        if location.upstream != current.upstream:  # an overridden field moved upstream
            await repo.save(location)
        report.unchanged.append(location.id)
        return
    await repo.save(location)
    await record_event(
        uow,
        "location.updated",
        after,
        ctx=ctx,
        clock=clock,
        location_id=location.id,
        previous_attributes=previous,
    )
    if current.active and not location.active:  # closed at the service, or gone from it
        report.deactivated.append(location.id)
        audits.append(("location.deactivated", before, after))
    else:
        report.updated.append(location.id)
        audits.append(("location.synced", before, after))
