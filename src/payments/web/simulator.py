"""The simulator's 3-D Secure challenge page: what a card holder's bank would show, for a
payment or for a SetupIntent saving a card.

``next_action.redirect_to_url.url`` of a simulator payment points here. The page
needs no API key (the customer's browser opens it); the unguessable gateway
reference in the URL is the capability, as with a real issuer's ACS page.

After the answer the browser goes back only to the ``return_url`` stored with the
PaymentIntent when it was confirmed, never to one the request carries (an open
redirect), with ``payment_intent``, ``payment_intent_client_secret`` and
``redirect_status`` added to its query as Stripe does. An unknown reference is a 404
page, a challenge already answered (or an intent canceled) a page saying so: a
customer's browser never gets a 500.
"""

from __future__ import annotations

from html import escape
from typing import Annotated
from urllib.parse import urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Form
from starlette.responses import HTMLResponse, RedirectResponse, Response

from payments.gateways.runtime import GatewayDep
from payments.gateways.simulator import SimulatorGateway
from payments.intents.domain.model import Charge, PaymentIntent
from payments.intents.domain.setup_intent import SetupIntent, SetupIntentStatus
from payments.intents.repository import (
    ChargeRepository,
    PaymentIntentRepository,
    SetupIntentRepository,
)
from payments.intents.service.flow import sync_charge_from_gateway
from payments.intents.service.gateway_call import gateway_call_refusable
from payments.intents.service.setup_intents import sync_setup_from_gateway
from payments.kernel.context import SYSTEM
from payments.kernel.errors import InvalidRequest, NotFound
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


MESSAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>3-D Secure test page</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;color:#222}}</style>
</head><body><h1>{title}</h1><p>{text}</p></body></html>"""


def _page(title: str, text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(MESSAGE.format(title=escape(title), text=escape(text)), status_code=status)


def _simulator(c: GatewayDep) -> SimulatorGateway:
    if not isinstance(c.gateway, SimulatorGateway):
        raise NotFound("The 3-D Secure test page exists only with the simulator gateway.")
    return c.gateway


def _return_url(pi: PaymentIntent, outcome: str) -> str | None:
    """Where the customer goes back to: the return_url recorded in the intent's
    next_action when it was confirmed (else the intent's own), with Stripe's query
    parameters added (``payment_intent``, ``payment_intent_client_secret``,
    ``redirect_status``); None when there is none, or it is not an http(s) URL."""
    action = (pi.next_action or {}).get("redirect_to_url") or {}
    stored = action.get("return_url") or pi.return_url
    if not stored:
        return None
    url = urlsplit(stored)
    if url.scheme not in ("http", "https") or not url.netloc:
        return None
    params = {"payment_intent": pi.id}
    if pi.client_secret:
        params["payment_intent_client_secret"] = pi.client_secret
    params["redirect_status"] = "succeeded" if outcome == "complete" else "failed"
    added = urlencode(params)
    return urlunsplit(url._replace(query=f"{url.query}&{added}" if url.query else added))


async def _challenge(c: GatewayDep, ref: str) -> tuple[Charge, PaymentIntent] | None:
    """Our charge and intent for a challenge reference; None when we know no such one."""
    async with c.uow_factory() as uow:
        charge = await uow.repo(ChargeRepository).by_gateway_ref(c.gateway.name, ref)
        pi = (
            await uow.repo(PaymentIntentRepository).get(charge.payment_intent_id)
            if charge
            else None
        )
    return (charge, pi) if charge is not None and pi is not None else None


def _pending(charge: Charge, pi: PaymentIntent) -> bool:
    return pi.status == "requires_action" and pi.latest_charge_id == charge.id


UNKNOWN = ("No such challenge", "This 3-D Secure challenge does not exist.")
ANSWERED = (
    "Nothing to authenticate",
    "This payment has no 3-D Secure challenge waiting any more (it was answered, "
    "or the payment was canceled). You can close this page.",
)


async def _setup(c: GatewayDep, ref: str) -> SetupIntent | None:
    """Our SetupIntent waiting on the simulator's setup ``ref``, if we know one."""
    async with c.uow_factory() as uow:
        return await uow.repo(SetupIntentRepository).by_gateway_ref(c.gateway.name, ref)


def _setup_return_url(si: SetupIntent, outcome: str) -> str | None:
    """Back to the SetupIntent's return_url with Stripe's query parameters
    (``setup_intent``, ``setup_intent_client_secret``, ``redirect_status``)."""
    if not si.return_url:
        return None
    url = urlsplit(si.return_url)
    if url.scheme not in ("http", "https") or not url.netloc:
        return None
    added = urlencode(
        {
            "setup_intent": si.id,
            "setup_intent_client_secret": si.client_secret,
            "redirect_status": "succeeded" if outcome == "complete" else "failed",
        }
    )
    return urlunsplit(url._replace(query=f"{url.query}&{added}" if url.query else added))


async def _answer_setup(
    sim: SimulatorGateway, c: GatewayDep, si: SetupIntent, outcome: str
) -> Response:
    if si.status is not SetupIntentStatus.REQUIRES_ACTION or si.gateway_ref is None:
        return _page(*ANSWERED, status=409)
    try:
        result = await gateway_call_refusable(
            sim.complete_setup_action(si.gateway_ref, succeed=outcome == "complete")
        )
    except InvalidRequest:  # answered meanwhile (another tab)
        return _page(*ANSWERED, status=409)
    await sync_setup_from_gateway(
        si.id, result, uow_factory=c.uow_factory, clock=c.clock, ctx=SYSTEM
    )
    target = _setup_return_url(si, outcome)
    if target is not None:
        return RedirectResponse(target, status_code=303)
    done = "completed" if outcome == "complete" else "failed"
    return _page(f"Authentication {done}", f"Authentication {done}. You can close this page.")


@router.get("/3ds/{ref}", response_class=HTMLResponse)
async def challenge(ref: str, c: GatewayDep) -> Response:
    _simulator(c)
    found = await _challenge(c, ref)
    if found is None:
        si = await _setup(c, ref)
        if si is None:
            return _page(*UNKNOWN, status=404)
        if si.status is not SetupIntentStatus.REQUIRES_ACTION:
            return _page(*ANSWERED)
        return HTMLResponse(PAGE.format(ref=escape(ref)))
    if not _pending(*found):
        return _page(*ANSWERED)
    return HTMLResponse(PAGE.format(ref=escape(ref)))


@router.post("/3ds/{ref}")
async def answer(
    ref: str,
    c: GatewayDep,
    outcome: Annotated[str, Form(pattern="^(complete|fail)$")],
) -> Response:
    sim = _simulator(c)
    found = await _challenge(c, ref)
    if found is None:
        si = await _setup(c, ref)
        if si is None:
            return _page(*UNKNOWN, status=404)
        return await _answer_setup(sim, c, si, outcome)
    charge, pi = found  # read before the sync clears next_action
    if not _pending(charge, pi):
        return _page(*ANSWERED, status=409)
    try:
        result = await gateway_call_refusable(
            sim.complete_action(ref, succeed=outcome == "complete")
        )
    except InvalidRequest:  # answered meanwhile (another tab, the test helper)
        return _page(*ANSWERED, status=409)
    await sync_charge_from_gateway(charge.id, result, gateway=c.gateway, ctx=SYSTEM, **services(c))
    target = _return_url(pi, outcome)
    if target is not None:
        return RedirectResponse(target, status_code=303)
    done = "completed" if outcome == "complete" else "failed"
    return _page(f"Authentication {done}", f"Authentication {done}. You can close this page.")
