"""A fake Inventory Service built from its contract
(``docs/reference/integrations/inventory.openapi.yaml``), served on a real socket.

It checks what the contract requires of the caller (bearer token, a valid sku, lower-case
``currency``, ``location``) and answers with the contract's shapes; a test plants parts
and faults (``http_500``, ``slow``, ``not_json``, ``bad_amount``), and reads ``calls``.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

TOKEN = "inv_test_token"
SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
SLOW_SECONDS = 5.0


@dataclass
class FakeInventory:
    parts: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)  # consumed one per call, in order
    calls: list[dict[str, str]] = field(default_factory=list)

    def add(
        self, sku: str, currency: str, description: str, amount: int, category: str = "standard"
    ) -> None:
        self.parts[(sku, currency)] = {
            "sku": sku,
            "description": description,
            "unit_price": {"amount": amount, "currency": currency},
            "tax_category": category,
        }

    async def get_part(self, request: Request) -> Response:
        sku = request.path_params["sku"]
        query = dict(request.query_params)
        self.calls.append({"sku": sku, **query})
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        currency, location = query.get("currency", ""), query.get("location", "")
        if not SKU.match(sku) or not re.fullmatch(r"[a-z]{3}", currency) or not location:
            return JSONResponse({"error": "contract: sku, currency and location"}, 400)
        fault = self.faults.pop(0) if self.faults else None
        if fault == "http_500":
            return PlainTextResponse("upstream exploded", status_code=500)
        if fault == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        if fault == "not_json":
            return PlainTextResponse("<html>maintenance</html>", status_code=200)
        found = self.parts.get((sku, currency))
        if found is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        if fault == "bad_amount":
            broken = dict(found, unit_price={"amount": 12.5, "currency": currency})
            return JSONResponse(broken)
        return JSONResponse(found)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/parts/{sku:path}", self.get_part, methods=["GET"])])
