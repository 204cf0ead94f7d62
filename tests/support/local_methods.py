"""Helpers for the local payment method tests: a shop where a method fits, an intent paid
with it, and a round of the worker's gateway event poll."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from payments.app.capabilities import run_once
from payments.kernel.clock import FrozenClock
from support.app import Api
from support.refunds import skip_past_gateway_events

#: For each local method: a shop country, its currency, and what the payment needs.
SHOPS: dict[str, tuple[str, str, str]] = {
    "ideal": ("NL", "eur", "Europe/Amsterdam"),
    "bancontact": ("BE", "eur", "Europe/Brussels"),
    "eps": ("AT", "eur", "Europe/Vienna"),
    "p24": ("PL", "pln", "Europe/Warsaw"),
    "blik": ("PL", "pln", "Europe/Warsaw"),
    "twint": ("CH", "chf", "Europe/Zurich"),
    "swish": ("SE", "sek", "Europe/Stockholm"),
    "klarna": ("DE", "eur", "Europe/Berlin"),
}
RETURN_URL = "https://shop.example/paid?order=R-1001"
BLIK_CODE = "123456"


def new_blik_code() -> str:
    """A code of its own per test: the simulator's database outlives each test's, and its
    banking app finds a waiting payment by the code."""
    return f"{secrets.randbelow(10**6):06d}"


def method_data(kind: str) -> dict[str, Any]:
    """``payment_method_data`` for ``kind`` with the billing details Stripe asks for."""
    data: dict[str, Any] = {"type": kind}
    if kind in ("ideal", "eps", "p24"):
        data[kind] = {"bank": {"ideal": "ing", "eps": "bank_austria", "p24": "mbank"}[kind]}
    billing = {
        "bancontact": {"name": "Jan Peeters"},
        "eps": {"name": "Anna Huber"},
        "p24": {"email": "jan@example.pl"},
        "klarna": {"email": "jenny@example.com", "address": {"country": "DE"}},
    }.get(kind)
    if billing:
        data["billing_details"] = billing
    return data


async def local_shop(api: Api, admin: dict[str, str], kind: str, **fields: Any) -> dict[str, Any]:
    country, _currency, timezone = SHOPS[kind]
    return await api.location(
        admin,
        name=f"MyComputer {country}",
        address={"line1": "Main street 1", "city": "Town", "country": country},
        timezone=timezone,
        **fields,
    )


async def pay_with(
    api: Api,
    admin: dict[str, str],
    shop: dict[str, Any],
    kind: str,
    *,
    amount: int = 4999,
    blik_code: str = BLIK_CODE,
    **fields: Any,
) -> Any:
    """A PaymentIntent created and confirmed with a new ``kind`` method (the HTTP answer)."""
    body: dict[str, Any] = {
        "amount": amount,
        "location": shop["id"],
        "payment_method_data": method_data(kind),
        "confirm": True,
        "description": "Repair R-1001",
    }
    if kind == "blik":
        body["payment_method_options"] = {"blik": {"code": blik_code}}
    elif kind != "swish":
        body["return_url"] = RETURN_URL
    return await api.client.post("/v1/payment_intents", json=body | fields, headers=admin)


async def fresh_admin(api: Api) -> dict[str, str]:
    await skip_past_gateway_events(api.container)
    return await api.key("admin")


async def poll(api: Api) -> int:
    """One round of the worker's gateway event poll; how many events it applied."""
    done = await run_once(api.container, only={"poll_gateway_events"})
    return int(done["poll_gateway_events"])


async def settle(api: Api, clock: FrozenClock) -> None:
    """The gateway's news arrives, then the settlement delay passes and it arrives again."""
    await poll(api)
    delay: Any = api.container.gateway
    clock.advance(seconds=delay.settings.local_settlement_delay.total_seconds() + 1)
    await poll(api)


async def intent(api: Api, admin: dict[str, str], pi_id: str) -> Any:
    response = await api.client.get(f"/v1/payment_intents/{pi_id}", headers=admin)
    assert response.status_code == 200, response.text
    return response.json()


def path_of(url: str) -> str:
    """The path (and query) of a simulator page URL, for the in-process client."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
