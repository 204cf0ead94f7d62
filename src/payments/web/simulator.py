"""The simulator's 3-D Secure challenge page: what a card holder's bank would show.

``next_action.redirect_to_url.url`` of a simulator payment points here. The page
needs no API key (the customer's browser opens it); the unguessable gateway
reference in the URL is the capability, as with a real issuer's ACS page.

After the answer the browser goes back only to the ``return_url`` stored with the
PaymentIntent when it was confirmed, never to one the request carries (an open
redirect), with ``payment_intent`` added to its query as Stripe does.
"""

from __future__ import annotations

from html import escape
from typing import Annotated
from urllib.parse import urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Form
from starlette.responses import HTMLResponse, RedirectResponse, Response

from payments.gateways.runtime import GatewayDep
from payments.gateways.simulator import SimulatorGateway
from payments.intents.domain.model import PaymentIntent
from payments.intents.repository import ChargeRepository, PaymentIntentRepository
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
<form method="post">
<button class="ok" name="outcome" value="complete">Complete authentication</button>
<button class="no" name="outcome" value="fail">Fail authentication</button></form>
</body></html>"""


def _simulator(c: GatewayDep) -> SimulatorGateway:
    if not isinstance(c.gateway, SimulatorGateway):
        raise NotFound("The 3-D Secure test page exists only with the simulator gateway.")
    return c.gateway


def _return_url(pi: PaymentIntent) -> str | None:
    """Where the customer goes back to: the return_url recorded in the intent's
    next_action when it was confirmed (else the intent's own), with the intent's id
    added to its query; None when there is none, or it is not an http(s) URL."""
    action = (pi.next_action or {}).get("redirect_to_url") or {}
    stored = action.get("return_url") or pi.return_url
    if not stored:
        return None
    url = urlsplit(stored)
    if url.scheme not in ("http", "https") or not url.netloc:
        return None
    added = urlencode({"payment_intent": pi.id})
    return urlunsplit(url._replace(query=f"{url.query}&{added}" if url.query else added))


@router.get("/3ds/{ref}", response_class=HTMLResponse)
async def challenge(ref: str, c: GatewayDep) -> Response:
    _simulator(c)
    return HTMLResponse(PAGE.format(ref=escape(ref)))


@router.post("/3ds/{ref}")
async def answer(
    ref: str,
    c: GatewayDep,
    outcome: Annotated[str, Form(pattern="^(complete|fail)$")],
) -> Response:
    sim = _simulator(c)
    result = await gateway_call(sim.complete_action(ref, succeed=outcome == "complete"))
    async with c.uow_factory() as uow:  # read before the sync clears next_action
        charge = await uow.repo(ChargeRepository).by_gateway_ref(c.gateway.name, ref)
        pi = (
            await uow.repo(PaymentIntentRepository).get(charge.payment_intent_id)
            if charge
            else None
        )
    if charge is not None:
        await sync_charge_from_gateway(
            charge.id, result, gateway=c.gateway, ctx=SYSTEM, **services(c)
        )
    target = _return_url(pi) if pi is not None else None
    if target is not None:
        return RedirectResponse(target, status_code=303)
    return HTMLResponse(f"<p>Authentication {escape(outcome)}d. You can close this page.</p>")
