"""A fake Locations Service built from its contract
(``docs/reference/integrations/locations-service.openapi.yaml``), served on a real socket.

It checks what the contract requires of the caller (bearer token, ``limit`` 1-100, a
``starting_after`` that names a shop) and pages shops in id order; a test plants shops
(:meth:`FakeLocations.put`), removes them, and queues faults consumed one per call
(``http_500``, ``slow``, ``not_json``, ``bad_status``, ``endless``), and reads ``calls``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

TOKEN = "loc_test_token"
SLOW_SECONDS = 5.0


def shop(shop_id: str, **fields: Any) -> dict[str, Any]:
    """A shop in the contract's shape (a Berlin shop unless told otherwise)."""
    return {
        "id": shop_id,
        "name": f"MyComputer {shop_id}",
        "address": {
            "line1": "Torstrasse 101",
            "line2": None,
            "postal_code": "10119",
            "city": "Berlin",
            "state": None,
            "country": "DE",
        },
        "currency": "eur",
        "accepted_currencies": ["eur"],
        "timezone": "Europe/Berlin",
        "legal_entity": None,
        "price_list": "eu-central",
        "tax_region": "DE",
        "status": "open",
        "updated_at": 1764590400,
    } | fields


@dataclass
class FakeLocations:
    shops: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)  # consumed one per call, in order
    calls: list[dict[str, str]] = field(default_factory=list)

    def put(self, shop_id: str, **fields: Any) -> dict[str, Any]:
        self.shops[shop_id] = shop(shop_id, **fields)
        return self.shops[shop_id]

    def _check(self, request: Request) -> tuple[Response | None, str | None]:
        self.calls.append({"path": request.url.path, **dict(request.query_params)})
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse({"error": "unauthorized"}, status_code=401), None
        return None, self.faults.pop(0) if self.faults else None

    async def _fault(self, fault: str | None) -> Response | None:
        if fault == "http_500":
            return PlainTextResponse("upstream exploded", status_code=500)
        if fault == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        if fault == "not_json":
            return PlainTextResponse("<html>maintenance</html>", status_code=200)
        return None

    async def list_shops(self, request: Request) -> Response:
        refused, fault = self._check(request)
        if refused is not None:
            return refused
        query = request.query_params
        try:
            limit = int(query.get("limit", "100"))
        except ValueError:
            limit = 0
        after = query.get("starting_after")
        if not 1 <= limit <= 100 or (after is not None and after not in self.shops):
            return JSONResponse({"error": "contract: limit 1-100, a known cursor"}, 400)
        if (broken := await self._fault(fault)) is not None:
            return broken
        ids = sorted(self.shops)
        start = ids.index(after) + 1 if after is not None else 0
        page = [self.shops[i] for i in ids[start : start + limit]]
        if fault == "bad_status" and page:
            page = [page[0] | {"status": "renovating"}, *page[1:]]
        has_more = start + limit < len(ids)
        return JSONResponse({"data": page, "has_more": has_more})

    async def get_shop(self, request: Request) -> Response:
        refused, fault = self._check(request)
        if refused is not None:
            return refused
        if (broken := await self._fault(fault)) is not None:
            return broken
        found = self.shops.get(request.path_params["id"])
        if found is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        return JSONResponse(found)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/shops", self.list_shops, methods=["GET"]),
                Route("/v1/shops/{id:path}", self.get_shop, methods=["GET"]),
            ]
        )
