"""The simulator's 3-D Secure challenge page: what a card holder's bank would show.

``next_action.redirect_to_url.url`` of a simulator payment points here. The page
needs no API key (the customer's browser opens it); the unguessable gateway
reference in the URL is the capability, as with a real issuer's ACS page.
"""

from __future__ import annotations

from html import escape
from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Query
from starlette.responses import HTMLResponse, RedirectResponse, Response

from payments.gateways.runtime import GatewayDep
from payments.intents.repository import ChargeRepository
from payments.intents.service.flow import sync_charge_from_gateway
from payments.intents.service.gateway_call import gateway_call
from payments.kernel.context import SYSTEM
from payments.kernel.errors import NotFound
from payments.platform.http.deps import services

router = APIRouter(prefix="/simulator", include_in_schema=False)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>3-D Secure test page</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;color:#222}}
button{{font-size:1rem;padding:.6rem 1.2rem;margin-right:.6rem;border-radius:.4rem;border:1px solid #888}}
.ok{{background:#1a7f37;color:#fff}}.no{{background:#fff}}</style></head>
<body><h1>Authenticate this payment</h1>
<p>This is the payment simulator's stand-in for the card issuer's 3-D Secure page.
Reference <code>{ref}</code>.</p>
<form method="post"><input type="hidden" name="return_url" value="{return_url}">
<button class="ok" name="outcome" value="complete">Complete authentication</button>
<button class="no" name="outcome" value="fail">Fail authentication</button></form>
</body></html>"""


def _simulator(c: GatewayDep) -> object:
    if c.gateway.name != "simulator":
        raise NotFound("The 3-D Secure test page exists only with the simulator gateway.")
    return c.gateway


@router.get("/3ds/{ref}", response_class=HTMLResponse)
async def challenge(
    ref: str, c: GatewayDep, return_url: Annotated[str, Query(max_length=2048)] = ""
) -> Response:
    _simulator(c)
    return HTMLResponse(PAGE.format(ref=escape(ref), return_url=escape(return_url, quote=True)))


@router.post("/3ds/{ref}")
async def answer(
    ref: str,
    c: GatewayDep,
    outcome: Annotated[str, Form(pattern="^(complete|fail)$")],
    return_url: Annotated[str, Form(max_length=2048)] = "",
) -> Response:
    sim = _simulator(c)
    result = await gateway_call(sim.complete_action(ref, succeed=outcome == "complete"))  # type: ignore[attr-defined]
    async with c.uow_factory() as uow:
        charge = await uow.repo(ChargeRepository).by_gateway_ref(c.gateway.name, ref)
    if charge is not None:
        await sync_charge_from_gateway(
            charge.id, result, gateway=c.gateway, ctx=SYSTEM, **services(c)
        )
    target = urlparse(return_url)
    if target.scheme in ("http", "https") and target.netloc:
        return RedirectResponse(return_url, status_code=303)
    return HTMLResponse(f"<p>Authentication {escape(outcome)}d. You can close this page.</p>")
