"""The simulator's pages for the local payment methods: what the customer's bank (iDEAL,
Bancontact, EPS, Przelewy24), TWINT, Swish, Klarna or BLIK banking app would show.

``next_action.redirect_to_url.url`` of a simulator payment with a redirect method points
to ``/simulator/{type}/{reference}`` (Swish: its ``hosted_instructions_url``, with a QR
code). BLIK has no page to send the customer to (they approve in their banking app): the
simulator's "banking app" is ``/simulator/blik``, which asks for the 6-digit code the
customer entered and opens the payment waiting for it.

Each page shows the amount and has two buttons, **Authorize test payment** and **Fail
test payment**. The answer goes to the simulator only; the service learns the outcome
from the gateway's event feed (the worker's ``poll_gateway_events``), as it learns it from
Stripe's webhooks, so the customer may come back before the payment has settled. A
redirect method then sends the browser to the ``return_url`` stored with the
PaymentIntent (never one the request carries) with ``payment_intent``,
``payment_intent_client_secret`` and ``redirect_status`` added, as Stripe does.

The pages need no API key: the unguessable gateway reference in the URL (BLIK: the code
plus the payment waiting for it) is the capability, as with the 3-D Secure page. They are
plain HTML with their own styles (no CDN, no script), labelled for screen readers, and a
customer's browser never gets a 500.
"""

from __future__ import annotations

from html import escape
from typing import Annotated
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno
from fastapi import APIRouter, Form, Query
from starlette.responses import HTMLResponse, RedirectResponse, Response

from payments.gateways.protocol import BankRedirectDetails, ChargeResult, GatewayError
from payments.gateways.runtime import GatewayDep
from payments.gateways.simulator import SimulatorGateway
from payments.intents.domain.model import PaymentIntent
from payments.intents.repository import ChargeRepository, PaymentIntentRepository
from payments.kernel.money import Money
from payments.locations.domain.payment_methods import LOCAL_METHODS, LocalMethod

router = APIRouter(prefix="/simulator", include_in_schema=False)

STYLE = """body{font-family:system-ui,sans-serif;max-width:30rem;margin:3rem auto;padding:0 1rem;
color:#1b1b1b;background:#fff;line-height:1.5}h1{font-size:1.5rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}dt{font-weight:600}
button{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem .6rem .3rem 0;border-radius:.4rem;
border:2px solid #1b1b1b;background:#fff;color:#1b1b1b;cursor:pointer}
button.ok{background:#14632f;border-color:#14632f;color:#fff}
button:focus-visible,input:focus-visible{outline:3px solid #0b4fbf;outline-offset:2px}
label{display:block;font-weight:600;margin-bottom:.3rem}
input{font-size:1.25rem;padding:.4rem;width:8ch;letter-spacing:.2em;border:2px solid #1b1b1b}
.note{color:#3d3d3d;font-size:.9rem}figure{margin:1rem 0}svg{width:12rem;height:12rem}"""

DOCUMENT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{style}</style></head>
<body><main>{body}</main></body></html>"""

WHAT = {
    "ideal": "the customer's bank (iDEAL)",
    "bancontact": "the Bancontact app of the customer's bank",
    "eps": "the customer's bank (EPS)",
    "p24": "Przelewy24 and the customer's bank",
    "blik": "the customer's banking app (BLIK)",
    "twint": "the TWINT app",
    "swish": "the Swish app",
    "klarna": "Klarna",
}


def _html(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        DOCUMENT.format(title=escape(title), style=STYLE, body=body), status_code=status
    )


def _message(title: str, text: str, status: int = 200) -> HTMLResponse:
    return _html(title, f"<h1>{escape(title)}</h1><p>{escape(text)}</p>", status)


UNKNOWN = ("No such payment", "This test payment does not exist.")
ANSWERED = (
    "Nothing to authorize",
    "This payment is not waiting for the customer any more (it was authorized, failed, "
    "or canceled). You can close this page.",
)
UNAVAILABLE = ("Try again", "The payment simulator could not answer; reload the page.")


def _simulator(c: GatewayDep) -> SimulatorGateway | None:
    return c.gateway if isinstance(c.gateway, SimulatorGateway) else None


async def _intent(c: GatewayDep, ref: str) -> PaymentIntent | None:
    """Our PaymentIntent whose latest attempt is ``ref``."""
    async with c.uow_factory() as uow:
        charge = await uow.repo(ChargeRepository).by_gateway_ref(c.gateway.name, ref)
        if charge is None:
            return None
        pi = await uow.repo(PaymentIntentRepository).get(charge.payment_intent_id)
    return pi if pi is not None and pi.latest_charge_id == charge.id else None


async def _waiting(
    c: GatewayDep, method: str, ref: str
) -> tuple[SimulatorGateway, LocalMethod, PaymentIntent, ChargeResult] | HTMLResponse:
    """The payment ``ref`` of ``method`` waiting for the customer, or the page saying why
    there is none."""
    sim = _simulator(c)
    known = LOCAL_METHODS.get(method)
    pi = await _intent(c, ref) if sim is not None and known is not None else None
    if sim is None or known is None or pi is None:
        return _message(*UNKNOWN, status=404)
    try:
        charge = await sim.retrieve_charge(ref)
    except GatewayError:
        return _message(*UNAVAILABLE, status=503)
    details = charge.payment_method_details
    if details is None or details.type != method:
        return _message(*UNKNOWN, status=404)
    if charge.status != "requires_action":
        return _message(*ANSWERED, status=409)
    return sim, known, pi, charge


def _payment_page(method: LocalMethod, pi: PaymentIntent, charge: ChargeResult) -> HTMLResponse:
    title = f"{method.name} test payment"
    rows = [("Amount", Money(charge.amount, charge.currency).format())]
    if pi.description:
        rows.append(("Description", pi.description))
    inner = getattr(charge.payment_method_details, method.type, None)
    if isinstance(inner, BankRedirectDetails) and inner.bank:
        rows.append(("Bank", inner.bank))
    facts = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    qr = ""
    if method.type == "swish" and charge.redirect_url:
        code = segno.make(charge.redirect_url, error="m")
        qr = (
            f'<figure><div role="img" aria-label="QR code for the Swish app">'
            f"{code.svg_inline(scale=4, omitsize=True)}</div>"
            "<figcaption>Scan with the Swish app, or answer below.</figcaption></figure>"
        )
    body = (
        f"<h1>{escape(title)}</h1>"
        f'<p class="note">The payment simulator stands in for {escape(WHAT[method.type])}. '
        "Nothing real is paid.</p>"
        f"<dl>{facts}</dl>{qr}"
        '<form method="post">'
        '<button class="ok" name="outcome" value="authorize">Authorize test payment</button>'
        '<button name="outcome" value="fail">Fail test payment</button>'
        "</form>"
    )
    return _html(title, body)


def _return_url(pi: PaymentIntent, authorized: bool) -> str | None:
    """The return_url stored with the intent, with Stripe's query parameters added; None
    when there is none or it is not an http(s) URL."""
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
    params["redirect_status"] = "succeeded" if authorized else "failed"
    added = urlencode(params)
    return urlunsplit(url._replace(query=f"{url.query}&{added}" if url.query else added))


BLIK_FORM = """<h1>BLIK: your banking app</h1>
<p class="note">The payment simulator stands in for the customer's banking app. Enter the
6-digit BLIK code given to the shop to see the payment waiting for approval.</p>
<form method="get">
<label for="code">BLIK code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code"
pattern="[0-9]{6}" maxlength="6" required aria-describedby="code-help">
<p id="code-help" class="note">Six digits, e.g. 123456.</p>
<button class="ok">Show the payment</button></form>"""


@router.get("/blik", response_class=HTMLResponse)
async def blik_app(
    c: GatewayDep, code: Annotated[str | None, Query(max_length=20)] = None
) -> Response:
    sim = _simulator(c)
    if sim is None:
        return _message(*UNKNOWN, status=404)
    if code is None:
        return _html("BLIK: your banking app", BLIK_FORM)
    if not (len(code) == 6 and code.isdigit()):
        return _message("Not a BLIK code", "A BLIK code is six digits.", status=400)
    try:
        waiting = await sim.pending_blik_payment(code)
    except GatewayError:
        return _message(*UNAVAILABLE, status=503)
    if waiting is None:
        return _message(
            "No payment to approve",
            "No BLIK payment is waiting for this code (it was answered, ran out of time, "
            "or the code is another one).",
            status=404,
        )
    return RedirectResponse(f"blik/{waiting.reference}", status_code=303)


@router.get("/{method}/{ref}", response_class=HTMLResponse)
async def payment_page(method: str, ref: str, c: GatewayDep) -> Response:
    found = await _waiting(c, method, ref)
    if isinstance(found, HTMLResponse):
        return found
    _sim, known, pi, charge = found
    return _payment_page(known, pi, charge)


@router.post("/{method}/{ref}")
async def answer(
    method: str,
    ref: str,
    c: GatewayDep,
    outcome: Annotated[str, Form(pattern="^(authorize|fail)$")],
) -> Response:
    found = await _waiting(c, method, ref)
    if isinstance(found, HTMLResponse):
        return found
    sim, known, pi, _charge = found
    authorized = outcome == "authorize"
    try:
        await sim.authorize_payment(ref, succeed=authorized)
    except GatewayError:  # answered meanwhile (another tab, the test helper)
        return _message(*ANSWERED, status=409)
    # BLIK is approved in the app: no browser to send back
    target = _return_url(pi, authorized) if known.type != "blik" else None
    if target is not None:
        return RedirectResponse(target, status_code=303)
    if authorized:
        return _message(
            "Payment authorized", "The payment is authorized. You can go back to the shop."
        )
    return _message("Payment failed", "The payment was not authorized. You can close this page.")
