"""The Locations Service as the shop directory (``PAYMENTS_LOCATIONS_SERVICE_URL``).

Contract: ``docs/reference/integrations/locations-service.openapi.yaml``:
``GET /v1/shops?limit=100&starting_after=...`` pages through every shop
(``{"data": [...], "has_more"}``), ``GET /v1/shops/{id}`` answers one or 404. Calls go
through :class:`~payments.platform.siblings.SiblingClient` (timeouts, retries with backoff
on these reads, circuit breaker); listing is never cached (a sync wants the service's
state now). An answer that breaks the contract is the service failing
(:class:`~payments.kernel.errors.ServiceUnavailable`), never a guess: the sync then
changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from payments.kernel.errors import ServiceUnavailable
from payments.locations.domain import Shop
from payments.platform.siblings import SiblingClient

PAGE_SIZE = 100
MAX_PAGES = 1000  # 100,000 shops: a service that never stops paging is broken
ADDRESS_KEYS = ("line1", "line2", "postal_code", "city", "state", "country")
STATUSES = ("open", "closed")


class LocationsServiceDirectory:
    source = "locations_service"

    def __init__(self, client: SiblingClient) -> None:
        self._client = client

    async def shops(self) -> list[Shop]:
        found: list[Shop] = []
        after: str | None = None
        for _ in range(MAX_PAGES):
            params = {"limit": str(PAGE_SIZE)} | ({"starting_after": after} if after else {})
            page = await self._client.get_json("/v1/shops", params, cache=False)
            if page is None:
                raise ServiceUnavailable("The locations service has no /v1/shops (HTTP 404).")
            data, has_more = page.get("data"), page.get("has_more")
            if not isinstance(data, list) or not isinstance(has_more, bool):
                raise ServiceUnavailable(
                    "The locations service answered a page of shops without the contract's "
                    "data and has_more."
                )
            found += [shop_of(item) for item in data]
            if not has_more:
                return found
            if not data:
                raise ServiceUnavailable("The locations service said has_more on an empty page.")
            after = found[-1].external_id
        raise ServiceUnavailable(f"The locations service paged past {MAX_PAGES} pages.")

    async def shop(self, external_id: str) -> Shop | None:
        found = await self._client.get_json(f"/v1/shops/{quote(external_id, safe='')}")
        if found is None:
            return None
        shop = shop_of(found)
        if shop.external_id != external_id:
            raise ServiceUnavailable(
                f"The locations service answered shop {external_id} with another shop's id."
            )
        return shop

    async def aclose(self) -> None:
        await self._client.aclose()


def _text(found: dict[str, Any], key: str, problems: list[str], *, required: bool) -> str | None:
    value = found.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{'no' if value is None else 'a non-text'} {key}")
        return None
    return value.strip()


def shop_of(found: Any) -> Shop:
    """A shop in the contract's shape as ours; anything else is the service failing."""
    if not isinstance(found, dict):
        raise ServiceUnavailable("The locations service answered a shop that is not an object.")
    problems: list[str] = []
    shop_id = _text(found, "id", problems, required=True)
    name = _text(found, "name", problems, required=True)
    timezone = _text(found, "timezone", problems, required=True)
    currency = _text(found, "currency", problems, required=True)
    legal_entity = _text(found, "legal_entity", problems, required=False)
    price_list = _text(found, "price_list", problems, required=False)
    tax_region = _text(found, "tax_region", problems, required=False)
    address = found.get("address")
    if not (
        isinstance(address, dict)
        and all(isinstance(address.get(k), str | None) for k in ADDRESS_KEYS)
        and isinstance(address.get("country"), str)
    ):
        problems.append("an address that is not the contract's (with a country)")
        address = {}
    accepted = found.get("accepted_currencies", [currency])
    if not (isinstance(accepted, list) and all(isinstance(c, str) for c in accepted)):
        problems.append("accepted_currencies that are not a list of codes")
        accepted = []
    status = found.get("status")
    if status not in STATUSES:
        problems.append(f"a status {status!r} that is not open or closed")
    updated = found.get("updated_at")
    if updated is not None and (not isinstance(updated, int) or isinstance(updated, bool)):
        problems.append("an updated_at that is not a Unix time")
        updated = None
    if problems:
        raise ServiceUnavailable(
            f"The locations service answered shop {shop_id or '?'} with "
            + ", ".join(problems)
            + "."
        )
    return Shop(
        external_id=str(shop_id),
        name=str(name),
        address={k: address.get(k) for k in ADDRESS_KEYS},
        currency=str(currency),
        currencies=list(accepted),
        timezone=str(timezone),
        legal_entity_ref=legal_entity,
        price_list=price_list,
        tax_region=tax_region,
        open=status == "open",
        updated=datetime.fromtimestamp(updated, UTC) if updated is not None else None,
    )
