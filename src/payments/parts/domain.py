"""Parts: what a repair uses (a display, a battery, a fan), priced by the Inventory Service
or, on the embedded default, by our own catalogue.

Pure model. :class:`PartCatalogue` is the port invoice lines are priced through: a line
with a ``sku`` and no price takes the part's description, unit price and tax category at
the moment it is added, and keeps them (an invoice is never re-priced later).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


def valid_sku(value: str) -> bool:
    return bool(SKU.match(value))


@dataclass(frozen=True, slots=True)
class PartPrice:
    """A part's price in one currency, as a catalogue answers it."""

    sku: str
    description: str
    unit_amount: int  # minor units, net of VAT
    currency: str
    tax_category: str
    source: str  # which catalogue answered: "local" or "inventory"


@dataclass(slots=True, kw_only=True)
class Part:
    """A part in our own catalogue (one price per currency)."""

    id: str
    sku: str
    currency: str
    description: str
    unit_amount: int
    tax_category: str
    active: bool = True
    metadata: Mapping[str, str] = field(default_factory=dict)
    created: datetime
    updated: datetime

    def price(self) -> PartPrice:
        return PartPrice(
            sku=self.sku,
            description=self.description,
            unit_amount=self.unit_amount,
            currency=self.currency,
            tax_category=self.tax_category,
            source="local",
        )


class PartCatalogue(Protocol):
    """Where invoice lines with a ``sku`` get their price."""

    source: str

    async def price(self, sku: str, *, currency: str, location_id: str) -> PartPrice | None:
        """The part's price for a shop in ``currency``; None when it has none."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatePart:
    sku: str
    currency: str
    description: str
    unit_amount: int
    tax_category: str = "standard"
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdatePart:
    id: str
    description: str | None = None
    unit_amount: int | None = None
    tax_category: str | None = None
    active: bool | None = None
    metadata: Mapping[str, str] | None = None
