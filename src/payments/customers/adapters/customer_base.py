"""The Customer Base Service as the customer directory (``PAYMENTS_CUSTOMER_BASE_URL``).

Contract: ``docs/reference/integrations/customer-base.openapi.yaml``:
``GET /v1/customers/{id}`` answers ``{"id", "name", "email", "phone", "address",
"preferred_locales"}`` or 404, through the resilient sibling client. An answer that breaks
the contract is the service failing (503), never a guess.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from payments.customers.domain import CustomerProfile
from payments.kernel.errors import ServiceUnavailable
from payments.platform.siblings import SiblingClient

ADDRESS_KEYS = ("line1", "line2", "postal_code", "city", "state", "country")


class CustomerBaseDirectory:
    source = "customer_base"

    def __init__(self, client: SiblingClient) -> None:
        self._client = client

    async def profile(self, external_id: str) -> CustomerProfile | None:
        found = await self._client.get_json(f"/v1/customers/{quote(external_id, safe='')}")
        return None if found is None else profile_of(found, external_id)

    async def aclose(self) -> None:
        await self._client.aclose()


def _text(found: dict[str, Any], key: str, problems: list[str]) -> str | None:
    value = found.get(key)
    if value is not None and not isinstance(value, str):
        problems.append(f"a {key} that is not text")
        return None
    return value or None


def profile_of(found: dict[str, Any], external_id: str) -> CustomerProfile:
    """A Customer Base customer (the contract's shape) as our profile."""
    problems: list[str] = []
    if found.get("id") != external_id:
        problems.append("another customer's id")
    address = found.get("address")
    if address is not None and not (
        isinstance(address, dict)
        and all(isinstance(address.get(k), str | None) for k in ADDRESS_KEYS)
    ):
        problems.append("an address that is not the contract's")
    locales = found.get("preferred_locales") or []
    if not (isinstance(locales, list) and all(isinstance(x, str) for x in locales)):
        problems.append("preferred_locales that are not a list of text")
    name = _text(found, "name", problems)
    email = _text(found, "email", problems)
    phone = _text(found, "phone", problems)
    if problems:
        raise ServiceUnavailable(
            f"The customer_base service answered customer {external_id} with "
            + ", ".join(problems)
            + "."
        )
    return CustomerProfile(
        external_id=external_id,
        name=name,
        email=email,
        phone=phone,
        address={k: address.get(k) for k in ADDRESS_KEYS} if isinstance(address, dict) else None,
        preferred_locales=list(locales),
    )
