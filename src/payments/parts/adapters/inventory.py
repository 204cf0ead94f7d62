"""The Inventory Service as the part catalogue (``PAYMENTS_INVENTORY_URL``).

The contract is ``docs/reference/integrations/inventory.openapi.yaml``:
``GET /v1/parts/{sku}?currency=eur&location=loc_...`` answers
``{"sku", "description", "unit_price": {"amount", "currency"}, "tax_category"}`` or 404.
Calls go through :class:`~payments.platform.siblings.SiblingClient` (timeouts, retries
with backoff, circuit breaker, short cache). An answer that breaks the contract is the
service's fault: :class:`~payments.kernel.errors.ServiceUnavailable`, never a guess.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from payments.kernel.errors import ServiceUnavailable
from payments.parts.domain import PartPrice
from payments.platform.siblings import SiblingClient
from payments.tax.domain import TaxCategory

CATEGORIES = frozenset(c.value for c in TaxCategory)


class InventoryPartCatalogue:
    source = "inventory"

    def __init__(self, client: SiblingClient) -> None:
        self._client = client

    async def price(self, sku: str, *, currency: str, location_id: str) -> PartPrice | None:
        found = await self._client.get_json(
            f"/v1/parts/{quote(sku, safe='')}", {"currency": currency, "location": location_id}
        )
        if found is None:
            return None
        return _price(found, sku=sku, currency=currency)

    async def aclose(self) -> None:
        await self._client.aclose()


def _price(found: dict[str, Any], *, sku: str, currency: str) -> PartPrice:
    unit = found.get("unit_price")
    amount = unit.get("amount") if isinstance(unit, dict) else None
    answered = unit.get("currency") if isinstance(unit, dict) else None
    description = found.get("description")
    category = found.get("tax_category", "standard")
    problems = []
    if found.get("sku") != sku:
        problems.append("another sku")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        problems.append("no whole, non-negative unit_price.amount")
    if not isinstance(answered, str) or answered.lower() != currency:
        problems.append(f"a price not in {currency}")
    if not isinstance(description, str) or not description.strip():
        problems.append("no description")
    if category not in CATEGORIES:
        problems.append(f"an unknown tax_category {category!r}")
    if problems:
        raise ServiceUnavailable(
            f"The inventory service answered part {sku} with " + ", ".join(problems) + "."
        )
    return PartPrice(
        sku=sku,
        description=str(description).strip(),
        unit_amount=int(amount),  # type: ignore[arg-type]
        currency=currency,
        tax_category=str(category),
        source="inventory",
    )
