"""Synchronising our shops from a :class:`~payments.locations.domain.ShopDirectory`: the
pure rules.

A shop of the Locations Service is ours when a location carries its ``external_id``. A
sync sets every **synchronised field** (:data:`SYNCED_FIELDS`) to what the service says,
except the fields set locally through our API since the shop was linked: those are
**overrides** (``Location.overridden``) and keep their local value until cleared
(``clear_overrides``), when the service's last value (``Location.upstream``) comes back.
A shop the service closed, or no longer lists, is deactivated (``active: false``: it takes
no new payments), never deleted (payments, invoices and reports point at it); one that
opens again is reactivated, unless ``active`` was set locally (an override like any other);
a shop gone from the service is deactivated whatever its overrides.

``payment_method_types`` is not the service's: unless set locally it follows the shop's
country and currency (:func:`~payments.locations.domain.default_payment_method_types`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from payments.locations.domain import Location, Shop, default_payment_method_types

#: The fields a sync sets (domain names; the API calls ``legal_entity_id`` ``legal_entity``).
SYNCED_FIELDS = (
    "name",
    "address",
    "default_currency",
    "currencies",
    "timezone",
    "legal_entity_id",
    "price_list",
    "tax_region",
    "payment_method_types",
    "active",
)

#: A synchronised field's name in the API (``overrides``, ``clear_overrides``).
API_NAMES = {f: ("legal_entity" if f == "legal_entity_id" else f) for f in SYNCED_FIELDS}
DOMAIN_NAMES = {api: f for f, api in API_NAMES.items()}


@dataclass(frozen=True, slots=True)
class SyncError:
    external_id: str
    code: str
    message: str


@dataclass(slots=True)
class SyncReport:
    """What one sync did, location ids per outcome (errors by the service's shop id)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    errors: list[SyncError] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "deactivated": len(self.deactivated),
            "errors": len(self.errors),
        }


def upstream_values(shop: Shop, legal_entity_id: str | None) -> dict[str, Any]:
    """The values the service dictates for a shop (already validated and normalised).
    ``legal_entity_id`` None: the service named a seller we do not know, so the field is
    left as it is (never invented)."""
    values: dict[str, Any] = {
        "name": shop.name,
        "address": dict(shop.address),
        "default_currency": shop.currency,
        "currencies": list(shop.currencies),
        "timezone": shop.timezone,
        "price_list": shop.price_list,
        "tax_region": shop.tax_region,
        "payment_method_types": default_payment_method_types(
            str(shop.address["country"]), shop.currency
        ),
        "active": shop.open,
    }
    if legal_entity_id is not None or shop.legal_entity_ref is None:
        values["legal_entity_id"] = legal_entity_id
    return values


def synced_location(
    current: Location | None,
    shop: Shop,
    values: Mapping[str, Any],
    *,
    new_id: str,
    now: datetime,
) -> Location:
    """The location as the sync leaves it: ``values`` applied except to overridden fields."""
    if current is None:
        return Location(
            id=new_id,
            created=now,
            external_id=shop.external_id,
            upstream=dict(values),
            **dict(values),
        )
    kept = set(current.overridden)
    changes = {k: v for k, v in values.items() if k not in kept}
    return replace(
        current,
        **changes,
        upstream={**(current.upstream or {}), **values},
    )


def with_overrides(current: Location, changed: Mapping[str, Any]) -> tuple[str, ...]:
    """The overridden fields after a local update of ``changed`` fields: on a shop linked
    to the Locations Service, each synchronised field set through the API becomes an
    override (even when set to the service's own value: a local decision stays local)."""
    if current.external_id is None:
        return current.overridden
    added = [f for f in SYNCED_FIELDS if f in changed and f not in current.overridden]
    return (*current.overridden, *added)


def cleared(current: Location, fields: list[str]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Clearing overrides: each field takes the service's last value again (when it ever
    gave one; else it keeps its value until the next sync)."""
    upstream = current.upstream or {}
    values = {f: upstream[f] for f in fields if f in upstream}
    return values, tuple(f for f in current.overridden if f not in fields)
