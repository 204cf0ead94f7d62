"""Locations: MyComputer's shops. Payments, invoices and reports hang off one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from payments.locations.domain.payment_methods import (
    LOCAL_METHOD_TYPES,
    LOCAL_METHODS,
    country_refusal,
    local_methods_for,
)

#: Every type a shop may offer: cards (and their wallets), SEPA debits, the local methods
#: of :mod:`.payment_methods`, bank transfers.
PAYMENT_METHOD_TYPES = ("card", "sepa_debit", *LOCAL_METHOD_TYPES, "customer_balance")

# Countries whose shops can collect SEPA Direct Debits (EEA + CH + GB, EUR debits).
SEPA_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CH",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GB",
        "GR",
        "HR",
        "HU",
        "IE",
        "IS",
        "IT",
        "LI",
        "LT",
        "LU",
        "LV",
        "MC",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "SM",
    ]
)


def default_payment_method_types(country: str, currency: str) -> list[str]:
    """Cards everywhere; SEPA debits where the shop is in SEPA and charges euros; the local
    methods that fit the shop's country and currency; bank transfers."""
    types = ["card"]
    if country in SEPA_COUNTRIES and currency == "eur":
        types.append("sepa_debit")
    types += local_methods_for(country, currency)
    types.append("customer_balance")
    return types


def offer_refusal(kind: str, country: str, currencies: list[str]) -> str | None:
    """Why a shop in ``country`` taking ``currencies`` cannot offer ``kind`` (None: it
    can). Only the local methods are bound to a country and a currency."""
    method = LOCAL_METHODS.get(kind)
    if method is None:
        return None
    if country not in method.countries:
        return country_refusal(method, country)
    if not any(method.misfit(country, c) is None for c in currencies):
        return (
            f"{method.name} ({method.type}) takes only "
            f"{', '.join(sorted(method.currencies))}; the shop accepts {', '.join(currencies)}."
        )
    return None


def default_currencies(default_currency: str) -> list[str]:
    """What a shop accepts unless told otherwise: its own currency, and euros."""
    return list(dict.fromkeys([default_currency, "eur"]))


@dataclass(frozen=True, slots=True)
class Location:
    id: str
    name: str
    address: dict[str, Any]
    default_currency: str
    timezone: str
    payment_method_types: list[str]
    created: datetime
    metadata: dict[str, str] = field(default_factory=dict)
    livemode: bool = False
    legal_entity_id: str | None = None  # the seller on this shop's invoices
    currencies: list[str] = field(default_factory=list)  # accepted; includes the default
    active: bool = True  # False: closed (gone from the Locations Service); takes no payments
    external_id: str | None = None  # the Locations Service's id of this shop
    price_list: str | None = None  # the regional price list the shop sells from
    tax_region: str | None = None  # the tax region it belongs to (the Locations Service's)
    #: fields set through our API on a synchronised shop: a sync keeps their local values
    overridden: tuple[str, ...] = ()
    #: what the Locations Service last said for each synchronised field
    upstream: Mapping[str, Any] | None = None

    def accepts(self, currency: str) -> bool:
        return currency in (self.currencies or [self.default_currency])

    @property
    def country(self) -> str:
        return str(self.address["country"])


@dataclass(frozen=True, slots=True, kw_only=True)
class Shop:
    """A shop as a :class:`ShopDirectory` answers it (the Locations Service's contract,
    ``docs/reference/integrations/locations-service.openapi.yaml``)."""

    external_id: str
    name: str
    address: dict[str, Any]  # line1, line2, postal_code, city, state, country (ISO 3166-1)
    currency: str  # lower-case ISO 4217: the shop's own currency
    currencies: list[str]  # accepted, including ``currency``
    timezone: str
    legal_entity_ref: str | None  # the seller's VAT id (or our ``le_`` id)
    price_list: str | None
    tax_region: str | None
    open: bool
    updated: datetime | None = None


class ShopDirectory(Protocol):
    """Where shops come from: the Locations Service, or (the default) our own table."""

    source: str

    async def shops(self) -> list[Shop]:
        """Every shop the directory knows, open or closed (all pages)."""
        ...

    async def shop(self, external_id: str) -> Shop | None:
        """One shop; None when the directory does not know it."""
        ...
