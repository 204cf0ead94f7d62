"""A fake Customer Base Service built from its contract
(``docs/reference/integrations/customer-base.openapi.yaml``), served on a real socket."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

TOKEN = "cb_test_token"


@dataclass
class FakeCustomerBase:
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)  # http_500, bad_email: one per call
    calls: list[str] = field(default_factory=list)

    def put(self, customer_id: str, **profile: Any) -> dict[str, Any]:
        self.customers[customer_id] = {"id": customer_id, "preferred_locales": []} | profile
        return self.customers[customer_id]

    async def get_customer(self, request: Request) -> Response:
        customer_id = request.path_params["id"]
        self.calls.append(customer_id)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        fault = self.faults.pop(0) if self.faults else None
        if fault == "http_500":
            return PlainTextResponse("down", status_code=500)
        found = self.customers.get(customer_id)
        if found is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        if fault == "bad_email":
            return JSONResponse(found | {"email": ["two", "emails"]})
        return JSONResponse(found)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/customers/{id}", self.get_customer, methods=["GET"])])
