"""Locations (shops): admins create and change them; everyone with a key reads them.

A shop linked to the Locations Service (``external_id``) is kept up to date by
:mod:`.sync`; a synchronised field changed here becomes a local **override** that the
sync keeps (:mod:`payments.locations.domain.sync`) until ``clear_overrides`` names it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from payments.events.service import record_event
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import SYSTEM, RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.geo import country_currency, normalize_country, validate_timezone
from payments.kernel.ids import id_for
from payments.kernel.metadata import update_metadata, validate_metadata
from payments.kernel.money import UnknownCurrency, normalize_currency
from payments.kernel.pagination import Page, PageRequest
from payments.legal_entities.service import get_legal_entity, seed_sample_legal_entities
from payments.locations.domain import (
    PAYMENT_METHOD_TYPES,
    Location,
    Shop,
    default_currencies,
    default_payment_method_types,
    offer_refusal,
)
from payments.locations.domain.sync import DOMAIN_NAMES, cleared, with_overrides
from payments.locations.render import location_object
from payments.locations.repository import LocationRepository
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory

SAMPLE_SHOPS: list[dict[str, Any]] = [
    {
        "name": "MyComputer Berlin Mitte",
        "timezone": "Europe/Berlin",
        "address": {
            "line1": "Torstrasse 101",
            "postal_code": "10119",
            "city": "Berlin",
            "country": "DE",
        },
    },
    {
        "name": "MyComputer Amsterdam Centrum",
        "timezone": "Europe/Amsterdam",
        "address": {
            "line1": "Damrak 70",
            "postal_code": "1012 LM",
            "city": "Amsterdam",
            "country": "NL",
        },
    },
    {
        "name": "MyComputer Warszawa",
        "timezone": "Europe/Warsaw",
        "address": {
            "line1": "ul. Marszalkowska 84",
            "postal_code": "00-514",
            "city": "Warszawa",
            "country": "PL",
        },
    },
    {
        "name": "MyComputer Stockholm",
        "timezone": "Europe/Stockholm",
        "address": {
            "line1": "Drottninggatan 53",
            "postal_code": "111 21",
            "city": "Stockholm",
            "country": "SE",
        },
    },
    {
        "name": "MyComputer Zurich",
        "timezone": "Europe/Zurich",
        "address": {
            "line1": "Bahnhofstrasse 12",
            "postal_code": "8001",
            "city": "Zurich",
            "country": "CH",
        },
    },
]


def checked_currency(value: str, param: str = "default_currency") -> str:
    try:
        return normalize_currency(value)
    except UnknownCurrency:
        raise InvalidRequest(
            f"Invalid currency: {value!r}", code="currency_invalid", param=param
        ) from None


def checked_currencies(values: list[str] | None, default_currency: str) -> list[str]:
    """The accepted currencies, normalised; they must include the default currency."""
    if values is None:
        return default_currencies(default_currency)
    currencies = list(
        dict.fromkeys(checked_currency(v, f"currencies[{i}]") for i, v in enumerate(values))
    )
    if default_currency not in currencies:
        raise InvalidRequest(
            f"currencies must include the default currency ({default_currency}).",
            param="currencies",
        )
    return currencies


def _payment_method_types(types: list[str]) -> list[str]:
    for i, t in enumerate(types):
        if t not in PAYMENT_METHOD_TYPES:
            raise InvalidRequest(
                f"Unsupported payment method type {t!r}; use one of "
                + ", ".join(PAYMENT_METHOD_TYPES),
                param=f"payment_method_types[{i}]",
            )
    if not types:
        raise InvalidRequest("At least one payment method type", param="payment_method_types")
    return list(dict.fromkeys(types))


def check_offered(location: Location) -> None:
    """Each local method the shop offers fits its country and one of its currencies
    (:mod:`payments.locations.domain.payment_methods`)."""
    for i, kind in enumerate(location.payment_method_types):
        why = offer_refusal(kind, location.country, location.currencies)
        if why is not None:
            raise InvalidRequest(
                why, code="payment_method_type_unavailable", param=f"payment_method_types[{i}]"
            )


def clean_address(address: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: address.get(k) for k in ("line1", "line2", "postal_code", "city", "state")}
    cleaned["country"] = normalize_country(address.get("country") or "", param="address[country]")
    return cleaned


async def create_location(
    fields: dict[str, Any], *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> Location:
    ctx.require(Permission.write_locations)
    address = clean_address(fields["address"])
    currency = checked_currency(
        fields.get("default_currency") or country_currency(address["country"])
    )
    location = Location(
        id=id_for("location"),
        name=fields["name"],
        address=address,
        default_currency=currency,
        timezone=validate_timezone(fields["timezone"]),
        currencies=checked_currencies(fields.get("currencies"), currency),
        payment_method_types=_payment_method_types(
            fields.get("payment_method_types")
            or default_payment_method_types(address["country"], currency)
        ),
        created=clock.now(),
        metadata=validate_metadata(fields.get("metadata") or {}),
        external_id=fields.get("external_id") or None,
        price_list=fields.get("price_list") or None,
        tax_region=fields.get("tax_region") or None,
    )
    check_offered(location)
    async with uow_factory() as uow:
        await _external_id_free(uow, location.external_id)
        if fields.get("legal_entity"):
            entity = await get_legal_entity(uow, fields["legal_entity"], param="legal_entity")
            location = replace(location, legal_entity_id=entity.id)
        await uow.repo(LocationRepository).add(location)
        await record_event(
            uow,
            "location.created",
            location_object(location),
            ctx=ctx,
            clock=clock,
            location_id=location.id,
        )
        await uow.commit()
    return location


async def _external_id_free(
    uow: UnitOfWork, external_id: str | None, location_id: str | None = None
) -> None:
    if external_id is None:
        return
    holder = await uow.repo(LocationRepository).by_external_id(external_id)
    if holder is not None and holder.id != location_id:
        raise InvalidRequest(
            f"Location {holder.id} is linked to the Locations Service's shop {external_id} "
            "already.",
            code="resource_already_exists",
            param="external_id",
        )


async def _visible(uow: UnitOfWork, location_id: str, ctx: RequestContext) -> Location:
    location = await uow.repo(LocationRepository).get(location_id)
    if location is None:
        raise NotFound.of("location", location_id)
    ctx.check_location("location", location_id, location.id)
    return location


async def retrieve_location(
    location_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Location:
    async with uow_factory() as uow:
        return await _visible(uow, location_id, ctx)


async def update_location(
    location_id: str,
    fields: dict[str, Any],
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> Location:
    ctx.require(Permission.write_locations)
    changes: dict[str, Any] = {}
    if fields.get("name") is not None:
        changes["name"] = fields["name"]
    if fields.get("address") is not None:
        changes["address"] = clean_address(fields["address"])
    if fields.get("default_currency") is not None:
        changes["default_currency"] = checked_currency(fields["default_currency"])
    if fields.get("timezone") is not None:
        changes["timezone"] = validate_timezone(fields["timezone"])
    if fields.get("payment_method_types") is not None:
        changes["payment_method_types"] = _payment_method_types(fields["payment_method_types"])
    for key in ("price_list", "tax_region", "active"):
        if fields.get(key) is not None:
            changes[key] = fields[key]
    async with uow_factory() as uow:
        current = await _visible(uow, location_id, ctx)
        if fields.get("external_id") is not None:
            await _external_id_free(uow, fields["external_id"], current.id)
            changes["external_id"] = fields["external_id"]
        if fields.get("legal_entity") is not None:
            entity = await get_legal_entity(uow, fields["legal_entity"], param="legal_entity")
            changes["legal_entity_id"] = entity.id
        default = changes.get("default_currency", current.default_currency)
        if fields.get("currencies") is not None:
            changes["currencies"] = checked_currencies(fields["currencies"], default)
        elif default not in current.currencies:  # a new default currency is accepted too
            changes["currencies"] = [*current.currencies, default]
        if "metadata" in fields:  # null (or "" in a form) clears it, as at Stripe
            changes["metadata"] = update_metadata(current.metadata, fields["metadata"])
        overridden = with_overrides(current, changes)
        for_good = [DOMAIN_NAMES[f] for f in fields.get("clear_overrides") or ()]
        for i, name in enumerate(for_good):
            if name in changes:
                raise InvalidRequest(
                    f"{fields['clear_overrides'][i]} is both set and cleared in one request.",
                    param=f"clear_overrides[{i}]",
                )
        if for_good:
            restored, overridden = cleared(replace(current, overridden=overridden), for_good)
            changes.update(restored)
        updated = replace(current, **changes, overridden=overridden)
        if {"payment_method_types", "address", "currencies", "default_currency"} & changes.keys():
            check_offered(updated)
        before, after = location_object(current), location_object(updated)
        previous = {k: before.get(k) for k in after if before.get(k) != after[k]}
        if previous:
            await uow.repo(LocationRepository).save(updated)
            await record_event(
                uow,
                "location.updated",
                after,
                ctx=ctx,
                clock=clock,
                location_id=updated.id,
                previous_attributes=previous,
            )
        await uow.commit()
    return updated


async def list_locations(
    page: PageRequest,
    *,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
    active: bool | None = None,
    external_id: str | None = None,
) -> Page[Location]:
    async with uow_factory() as uow:
        return await uow.repo(LocationRepository).list_page(
            page, only_id=ctx.principal.location_id, active=active, external_id=external_id
        )


def shop_of(location: Location) -> Shop:
    """Our own location as a directory's shop (its ``external_id``, else our id)."""
    return Shop(
        external_id=location.external_id or location.id,
        name=location.name,
        address=dict(location.address),
        currency=location.default_currency,
        currencies=list(location.currencies),
        timezone=location.timezone,
        legal_entity_ref=location.legal_entity_id,
        price_list=location.price_list,
        tax_region=location.tax_region,
        open=location.active,
    )


class LocalShopDirectory:
    """The default directory: our own ``locations`` table (nothing to synchronise from)."""

    source = "local"

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def shops(self) -> list[Shop]:
        async with self._uow_factory() as uow:
            return [shop_of(location) for location in await uow.repo(LocationRepository).all()]

    async def shop(self, external_id: str) -> Shop | None:
        async with self._uow_factory() as uow:
            repo = uow.repo(LocationRepository)
            found = await repo.by_external_id(external_id) or await repo.get(external_id)
        return shop_of(found) if found is not None else None


async def seed_sample_locations(*, uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Create the sample sellers (one legal entity per sample country) and the sample shops
    once, on an empty database; link sample shops that have no seller yet (a database
    seeded before legal entities existed). Returns how many shops were made."""
    sellers = await seed_sample_legal_entities(uow_factory=uow_factory, clock=clock)
    async with uow_factory() as uow:
        repo = uow.repo(LocationRepository)
        if await repo.count():
            names = {shop["name"] for shop in SAMPLE_SHOPS}
            for existing in await repo.unlinked():
                if existing.name in names and existing.country in sellers:
                    await repo.save(replace(existing, legal_entity_id=sellers[existing.country]))
            await uow.commit()
            return 0
    for shop in SAMPLE_SHOPS:
        seller = sellers.get(shop["address"]["country"])
        await create_location(
            shop | {"legal_entity": seller}, uow_factory=uow_factory, clock=clock, ctx=SYSTEM
        )
    return len(SAMPLE_SHOPS)
