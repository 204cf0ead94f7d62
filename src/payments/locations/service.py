"""Locations (shops): admins create and change them; everyone with a key reads them."""

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
    default_currencies,
    default_payment_method_types,
    offer_refusal,
)
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


def _currency(value: str, param: str = "default_currency") -> str:
    try:
        return normalize_currency(value)
    except UnknownCurrency:
        raise InvalidRequest(
            f"Invalid currency: {value!r}", code="currency_invalid", param=param
        ) from None


def _currencies(values: list[str] | None, default_currency: str) -> list[str]:
    """The accepted currencies, normalised; they must include the default currency."""
    if values is None:
        return default_currencies(default_currency)
    currencies = list(dict.fromkeys(_currency(v, f"currencies[{i}]") for i, v in enumerate(values)))
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


def _check_offered(location: Location) -> None:
    """Each local method the shop offers fits its country and one of its currencies
    (:mod:`payments.locations.domain.payment_methods`)."""
    for i, kind in enumerate(location.payment_method_types):
        why = offer_refusal(kind, location.country, location.currencies)
        if why is not None:
            raise InvalidRequest(
                why, code="payment_method_type_unavailable", param=f"payment_method_types[{i}]"
            )


def _address(address: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: address.get(k) for k in ("line1", "line2", "postal_code", "city", "state")}
    cleaned["country"] = normalize_country(address.get("country") or "", param="address[country]")
    return cleaned


async def create_location(
    fields: dict[str, Any], *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> Location:
    ctx.require(Permission.write_locations)
    address = _address(fields["address"])
    currency = _currency(fields.get("default_currency") or country_currency(address["country"]))
    location = Location(
        id=id_for("location"),
        name=fields["name"],
        address=address,
        default_currency=currency,
        timezone=validate_timezone(fields["timezone"]),
        currencies=_currencies(fields.get("currencies"), currency),
        payment_method_types=_payment_method_types(
            fields.get("payment_method_types")
            or default_payment_method_types(address["country"], currency)
        ),
        created=clock.now(),
        metadata=validate_metadata(fields.get("metadata") or {}),
    )
    _check_offered(location)
    async with uow_factory() as uow:
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
        changes["address"] = _address(fields["address"])
    if fields.get("default_currency") is not None:
        changes["default_currency"] = _currency(fields["default_currency"])
    if fields.get("timezone") is not None:
        changes["timezone"] = validate_timezone(fields["timezone"])
    if fields.get("payment_method_types") is not None:
        changes["payment_method_types"] = _payment_method_types(fields["payment_method_types"])
    async with uow_factory() as uow:
        current = await _visible(uow, location_id, ctx)
        if fields.get("legal_entity") is not None:
            entity = await get_legal_entity(uow, fields["legal_entity"], param="legal_entity")
            changes["legal_entity_id"] = entity.id
        default = changes.get("default_currency", current.default_currency)
        if fields.get("currencies") is not None:
            changes["currencies"] = _currencies(fields["currencies"], default)
        elif default not in current.currencies:  # a new default currency is accepted too
            changes["currencies"] = [*current.currencies, default]
        if "metadata" in fields:  # null (or "" in a form) clears it, as at Stripe
            changes["metadata"] = update_metadata(current.metadata, fields["metadata"])
        updated = replace(current, **changes)
        if {"payment_method_types", "address", "currencies"} & changes.keys():
            _check_offered(updated)
        before, after = location_object(current), location_object(updated)
        previous = {k: before[k] for k in after if before[k] != after[k]}
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
    page: PageRequest, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Page[Location]:
    async with uow_factory() as uow:
        return await uow.repo(LocationRepository).list_page(page, only_id=ctx.principal.location_id)


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
