"""Locations: MyComputer's shops. Payments, invoices and reports hang off one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

PAYMENT_METHOD_TYPES = ("card", "sepa_debit", "customer_balance")

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
    """Cards everywhere; SEPA debits where the shop is in SEPA and charges euros."""
    types = ["card"]
    if country in SEPA_COUNTRIES and currency == "eur":
        types.append("sepa_debit")
    types.append("customer_balance")
    return types


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

    def accepts(self, currency: str) -> bool:
        return currency in (self.currencies or [self.default_currency])

    @property
    def country(self) -> str:
        return str(self.address["country"])
