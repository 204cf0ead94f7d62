"""Helpers for the pay page tests: an open invoice and a link to pay it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from support.app import Api
from support.invoices import customer, finalized, post, seller_shop, setup


async def open_invoice(
    api: Api, *, locales: list[str] | None = None, country: str = "DE"
) -> tuple[dict[str, str], dict[str, Any]]:
    """An admin key and a finalized invoice of a German (or Swiss) shop (1.5 h labour + a
    part)."""
    if api.container.settings.gateway == "stripe":
        admin = await api.key("admin")
        shop = await seller_shop(api, admin, country)
    else:
        admin, shop = await setup(api, country)
    cus = await customer(
        api, admin, preferred_locales=locales if locales is not None else ["en-GB"]
    )
    return admin, await finalized(api, admin, shop, cus)


async def new_link(
    api: Api, headers: dict[str, str], invoice: dict[str, Any], **body: Any
) -> dict[str, Any]:
    response = await post(api, f"/v1/invoices/{invoice['id']}/payment_links", headers, **body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def path_of(link: dict[str, Any]) -> str:
    """The pay page's path of a link (its ``url`` names the configured public address)."""
    return urlsplit(link["url"]).path


async def insurer_and_customer_shares(
    api: Api, headers: dict[str, str], invoice: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A payment plan on ``invoice``: an insurer (a business customer of its own) 80 %
    by bank transfer, the invoice's customer 20 % by card; its two shares."""
    insurer = await customer(
        api,
        headers,
        name="Allianz Versicherungs-AG",
        email="claims@insurer.example",
        preferred_locales=["de-DE"],
    )
    plan = await post(
        api,
        f"/v1/invoices/{invoice['id']}/payment_plan",
        headers,
        shares=[
            {"customer": insurer["id"], "percent": "80", "payment_method_hint": "bank_transfer"},
            {"percent": "20", "payment_method_hint": "card"},
        ],
    )
    assert plan.status_code == 200, plan.text
    first, last = plan.json()["shares"]
    return first, last
