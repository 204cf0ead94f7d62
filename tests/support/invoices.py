"""Helpers for invoice tests: a seller and its shop, customers, invoices through the API."""

from __future__ import annotations

from typing import Any

import httpx

from support.app import Api
from support.refunds import skip_past_gateway_events

SELLERS: dict[str, dict[str, Any]] = {
    "DE": {
        "legal_name": "MyComputer Deutschland GmbH",
        "address": {
            "line1": "Torstrasse 101",
            "postal_code": "10119",
            "city": "Berlin",
            "country": "DE",
        },
        "vat_id": "DE136695976",
        "tax_number": "30/123/45678",
        "registration_number": "HRB 123456 B",
        "iban": "DE89370400440532013000",
        "email": "rechnung@mycomputer.example",
        "invoice_prefix": "DE1",
    },
    "CH": {
        "legal_name": "MyComputer Schweiz AG",
        "address": {
            "line1": "Bahnhofstrasse 12",
            "postal_code": "8001",
            "city": "Zurich",
            "country": "CH",
        },
        "vat_id": "CHE-116.281.710 MWST",
        "iban": "CH9300762011623852957",
        "bic": "UBSWCHZH80A",
        "invoice_prefix": "CH1",
    },
}

SHOPS: dict[str, dict[str, Any]] = {
    "DE": {
        "name": "MyComputer Berlin Mitte",
        "address": {
            "line1": "Torstrasse 101",
            "postal_code": "10119",
            "city": "Berlin",
            "country": "DE",
        },
        "timezone": "Europe/Berlin",
    },
    "CH": {
        "name": "MyComputer Zurich",
        "address": {
            "line1": "Bahnhofstrasse 12",
            "postal_code": "8001",
            "city": "Zurich",
            "country": "CH",
        },
        "timezone": "Europe/Zurich",
    },
}

ADA: dict[str, Any] = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "address": {
        "line1": "Invalidenstrasse 1",
        "postal_code": "10115",
        "city": "Berlin",
        "country": "DE",
    },
    "preferred_locales": ["de-DE"],
}

LABOUR: dict[str, Any] = {
    "description": "Labour: replace display",
    "quantity": "1.5",
    "unit": "hour",
    "unit_amount": 8000,
}
PARTS: dict[str, Any] = {
    "description": "Display panel 13.3in",
    "quantity": "1",
    "unit_amount": 12900,
    "sku": "LCD-133",
}


async def seller_shop(api: Api, headers: dict[str, str], country: str = "DE") -> dict[str, Any]:
    """A legal entity and a shop that invoices through it (the shop, with ``legal_entity``)."""
    entity = await api.client.post("/v1/legal_entities", json=SELLERS[country], headers=headers)
    assert entity.status_code == 200, entity.text
    shop = await api.client.post(
        "/v1/locations",
        json=SHOPS[country] | {"legal_entity": entity.json()["id"]},
        headers=headers,
    )
    assert shop.status_code == 200, shop.text
    return shop.json()  # type: ignore[no-any-return]


async def setup(api: Api, country: str = "DE") -> tuple[dict[str, str], dict[str, Any]]:
    """An admin key and a shop with its seller; the gateway's older events are skipped."""
    await skip_past_gateway_events(api.container)
    admin = await api.key("admin")
    return admin, await seller_shop(api, admin, country)


async def customer(api: Api, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    response = await api.client.post("/v1/customers", json=ADA | fields, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def draft(
    api: Api,
    headers: dict[str, str],
    shop: dict[str, Any],
    cus: dict[str, Any],
    lines: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    given = [LABOUR, PARTS] if lines is None else lines
    body = {"customer": cus["id"], "location": shop["id"], "lines": given}
    response = await api.client.post("/v1/invoices", json=body | fields, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def post(api: Api, path: str, headers: dict[str, str], **body: Any) -> httpx.Response:
    return await api.client.post(path, json=body, headers=headers)


async def finalized(
    api: Api,
    headers: dict[str, str],
    shop: dict[str, Any],
    cus: dict[str, Any],
    lines: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    invoice = await draft(api, headers, shop, cus, lines, **fields)
    response = await post(api, f"/v1/invoices/{invoice['id']}/finalize", headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def dimension_balances(
    api: Api, headers: dict[str, str], account: str, prefix: str | None = None
) -> dict[str, int]:
    params = {"prefix": prefix} if prefix else {}
    response = await api.client.get(
        f"/v1/ledger/accounts/{account}/dimensions", params=params, headers=headers
    )
    assert response.status_code == 200, response.text
    return {row["dimension"]: row["normal_side_balance"] for row in response.json()["data"]}
