"""The hosted pay page: ``GET /pay/{token}`` shows one invoice to its customer, in their
language, with what is already paid and what is due, the bank transfer details (IBAN, RF
creditor reference, EPC QR code) and its PDF, and takes a card payment.

With the simulator gateway the card form is plain HTML (no JavaScript): ``POST
/pay/{token}`` tokenizes the card through the simulator and confirms the invoice's
PaymentIntent on-session. A card that asks for 3-D Secure sends the browser to the
simulator's challenge page, which sends it back to ``/pay/{token}/return``. A payment
that went through shows the receipt.

Every answer carries a strict Content-Security-Policy (no inline script or style: the
stylesheet is served from ``/pay/static``), ``Referrer-Policy: no-referrer`` (the token
is in the URL), no framing and no caching. A customer never sees a stack trace: an
unknown, expired or deactivated link, a void invoice or an unexpected failure is a plain
page in their language.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import cache
from importlib.resources import files
from typing import Annotated, Any
from urllib.parse import urlsplit

import structlog
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Form, Request
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.responses import HTMLResponse, RedirectResponse, Response

from payments.einvoicing.girocode import epc_qr
from payments.einvoicing.labels import LOCALES, labels
from payments.einvoicing.model import DocumentLine, DocumentTax
from payments.gateways.runtime import GatewayDep
from payments.intents.domain.model import PaymentIntent
from payments.intents.domain.payment_intent import PaymentIntentStatus as PIS
from payments.intents.repository import PaymentMethodRepository
from payments.invoices.domain.reference import printed
from payments.invoices.domain.status import InvoiceStatus
from payments.invoices.service.documents import DocumentFormat, rendered
from payments.invoices.service.payments import SHARE_METADATA_KEY
from payments.kernel.errors import CardError, GatewayUnavailable, InvalidRequest
from payments.kernel.money import Money
from payments.payment_links import service as uc
from payments.payment_links.domain import (
    CardForm,
    CardFormError,
    LocalChoice,
    Unusable,
    page_language,
    parse_card_form,
)
from payments.payment_links.texts import texts
from payments.platform.config import GatewayName

router = APIRouter(prefix="/pay", include_in_schema=False)
log = structlog.get_logger(__name__)

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
#: With Stripe's Payment Element: its script, its frames, its API.
CSP_STRIPE = (
    "default-src 'none'; style-src 'self'; img-src 'self' data: https://*.stripe.com; "
    "script-src 'self' https://js.stripe.com; "
    "frame-src https://js.stripe.com https://hooks.stripe.com; "
    "connect-src https://api.stripe.com; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
STATIC = {"pay.css": "text/css", "stripe-element.js": "text/javascript"}


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("payments.payment_links", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _html(template: str, status: int = 200, *, csp: str = CSP, **context: Any) -> HTMLResponse:
    body = _environment().get_template(template).render(**context)
    return HTMLResponse(
        body, status_code=status, headers=HEADERS | {"Content-Security-Policy": csp}
    )


def _language(request: Request, preferred: list[str] | None = None, fallback: str = "en") -> str:
    return page_language(preferred or [], request.headers.get("accept-language"), fallback)


def _message(
    request: Request,
    key: str,
    status: int,
    *,
    lang: str | None = None,
    number: str = "",
    pdf_url: str | None = None,
    action: tuple[str, str] | None = None,
) -> HTMLResponse:
    lang = lang or _language(request)
    t = texts(lang)
    return _html(
        "message.html",
        status,
        lang=lang,
        t=t,
        title=t[f"{key}_title"],
        text=t[f"{key}_text"].format(number=number),
        pdf_url=pdf_url,
        action_url=action[0] if action else None,
        action_text=action[1] if action else None,
    )


class _Format:
    """Babel formatting in the page's locale, the invoice's currency."""

    def __init__(self, lang: str, currency: str) -> None:
        self.locale = LOCALES[lang]
        self.currency = currency

    def money(self, minor: int) -> str:
        return Money(minor, self.currency).format(self.locale)

    def date(self, value: date | None) -> str | None:
        return format_date(value, format="long", locale=self.locale) if value else None

    def number(self, value: Decimal) -> str:
        return format_decimal(value, locale=self.locale, decimal_quantization=False)

    def vat(self, item: DocumentTax | DocumentLine, lab: dict[str, str]) -> str:
        name = lab.get(f"cat_{item.category_code}", item.category_code)
        if item.category_code in {"S", "L", "M"}:
            rate = format_percent(
                item.rate.scaleb(-2), locale=self.locale, decimal_quantization=False
            )
            return f"{name} {rate}"
        return name


def _pay_path(token: str, suffix: str = "") -> str:
    return f"/pay/{token}{suffix}"


def _return_url(request: Request, c: GatewayDep, token: str) -> str:
    """Where the 3-D Secure (or a local method's) page sends the customer back: this page
    at ``PAYMENTS_PUBLIC_URL`` when set (behind a proxy), else at the address the customer
    reached it by."""
    base = c.settings.public_url or str(request.base_url)
    return base.rstrip("/") + _pay_path(token, "/return")


def _action_url(c: GatewayDep, pi: PaymentIntent | None) -> str | None:
    """The 3-D Secure page of a payment waiting for it. The simulator's own page (no
    ``PAYMENTS_SIMULATOR_ACTION_URL_BASE``) is served by this very app: the customer is
    sent to it at the address they reached this page by."""
    if pi is None or pi.status != PIS.REQUIRES_ACTION:
        return None
    url = ((pi.next_action or {}).get("redirect_to_url") or {}).get("url")
    return own_page_url(c, url) if url else None


def own_page_url(c: GatewayDep, url: str) -> str:
    """A gateway page to send the customer to: the simulator's own pages (no
    ``PAYMENTS_SIMULATOR_ACTION_URL_BASE``) at the address they reached this one by."""
    parts = urlsplit(url)
    own = c.settings.simulator_action_url_base is None
    if c.settings.gateway == GatewayName.simulator and own and parts.path.startswith("/simulator/"):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return str(url)


def _decline_text(exc: CardError, t: dict[str, str]) -> str:
    for code in (exc.decline_code, exc.code):
        if code and f"error_{code}" in t:
            return t[f"error_{code}"]
    if exc.code == "authentication_required" or exc.decline_code == "authentication_required":
        return t["error_authentication"]
    return t["error_declined"]


async def _view_or_page(request: Request, c: GatewayDep, token: str) -> uc.PageView | HTMLResponse:
    try:
        return await uc.open_link(token, uow_factory=c.uow_factory, clock=c.clock)
    except uc.LinkNotFound:
        return _message(request, "not_found", 404)


async def _paid_with(
    c: GatewayDep, pi: PaymentIntent | None, share_id: str | None = None
) -> str | None:
    """The card of the invoice's last payment (for a share's link: only if it paid that
    share, not another payer's)."""
    if pi is None or pi.status != PIS.SUCCEEDED or pi.payment_method_id is None:
        return None
    if share_id is not None and pi.metadata.get(SHARE_METADATA_KEY) != share_id:
        return None
    async with c.uow_factory() as uow:
        pm = await uow.repo(PaymentMethodRepository).get(pi.payment_method_id)
    card = (pm.details or {}).get("card") if pm is not None else None
    if not isinstance(card, dict):
        card = pm.details if pm is not None and pm.type == "card" else None
    if not card or not card.get("last4"):
        return None
    return f"{str(card.get('brand', 'card')).title()} •••• {card['last4']}"


async def _render(
    request: Request,
    c: GatewayDep,
    token: str,
    view: uc.PageView,
    *,
    error: str | None = None,
    error_field: str | None = None,
    status: int = 200,
) -> Response:
    invoice, doc = view.invoice, view.document
    lang = _language(request, view.preferred_locales, invoice.language or "en")
    t, lab = texts(lang), labels(lang)
    f = _Format(lang, invoice.currency)
    pdf_url = _pay_path(token, "/invoice.pdf")
    share = view.share
    if view.settled:  # the invoice is paid, or the share the link pays
        paid_at = share.paid_at if share is not None and share.paid_at else invoice.paid_at
        return _html(
            "receipt.html",
            lang=lang,
            t=t,
            l=lab,
            title=t["receipt_title"],
            invoice=invoice,
            receipt_text=t["share_receipt_text" if share is not None else "receipt_text"].format(
                number=invoice.number
            ),
            seller=doc.seller,
            amount_paid=f.money(share.amount_paid if share is not None else invoice.amount_paid),
            paid_on=f.date(paid_at.date()) if paid_at else None,
            paid_with=await _paid_with(c, view.intent, share.id if share is not None else None),
            pdf_url=pdf_url,
        )
    if invoice.status == InvoiceStatus.VOID:
        return _message(request, "void", 410, lang=lang, number=invoice.number or "")
    if view.unusable is not None:
        key = "expired" if view.unusable == Unusable.EXPIRED else "deactivated"
        return _message(request, key, 410, lang=lang)
    due = view.amount_to_pay
    if view.intent is not None and view.intent.status == PIS.PROCESSING:
        return _message(request, "processing", 200, lang=lang, pdf_url=pdf_url)
    action_url = _action_url(c, view.intent)
    # the plain card form posts the card to this service, which only the simulator takes;
    # with Stripe, its Payment Element collects the card and creates a PaymentMethod in
    # the browser, and the form posts only its id
    card_form = action_url is None and c.settings.gateway == GatewayName.simulator
    stripe = None
    if action_url is None and c.settings.gateway == GatewayName.stripe:
        stripe = {
            "publishable_key": c.settings.stripe_publishable_key or "",
            "amount": due,
            "currency": invoice.currency,
        }
    transfer = None
    if doc.seller.iban:
        qr = epc_qr(replace(doc, payable_amount=due))
        transfer = {
            "iban": doc.seller.iban,
            "bic": doc.seller.bic,
            "reference": printed(doc.payment_reference) if doc.payment_reference else None,
            "qr_svg": Markup(qr.svg_inline(scale=3, border=2, omitsize=True)) if qr else None,  # noqa: S704 - segno's own SVG
            "qr_label": t["qr_label"].format(amount=f.money(due), name=doc.seller.name),
        }
    address = doc.seller.address
    return _html(
        "pay.html",
        status,
        csp=CSP_STRIPE if stripe else CSP,
        lang=lang,
        t=t,
        l=lab,
        title=t["page_title"].format(number=invoice.number),
        invoice=invoice,
        seller=doc.seller,
        seller_address=", ".join(
            x for x in (address.line1, f"{address.postal_code} {address.city}".strip()) if x
        ),
        issue_date=f.date(invoice.issue_date),
        due_date=f.date(invoice.due_date),
        lines=[
            {
                "description": line.description,
                "quantity": f.number(line.quantity),
                "net": f.money(line.net_amount),
                "vat": f.vat(line, lab),
            }
            for line in doc.lines
        ],
        taxes=[
            {
                "label": f.vat(tax, lab),
                "taxable": f.money(tax.taxable_amount),
                "amount": f.money(tax.tax_amount),
            }
            for tax in doc.taxes
        ],
        net_total=f.money(invoice.total_excluding_tax),
        tax_total=f.money(invoice.tax),
        total=f.money(invoice.total),
        already_paid=f.money(invoice.amount_paid),
        share_amount=f.money(share.amount) if share is not None else None,
        share_note=(
            t["share_note"].format(amount=f.money(share.amount), total=f.money(invoice.total))
            if share is not None
            else None
        ),
        amount_due=f.money(due),
        pay_label=t["pay"].format(amount=f.money(due)),
        card_form=card_form,
        local_methods=view.local_methods if card_form else [],
        local_action=_pay_path(token, "/local"),
        stripe=stripe,
        action_url=action_url,
        form_action=_pay_path(token),
        nonce=secrets.token_urlsafe(16),
        error=error,
        error_field=error_field,
        test_mode=c.settings.gateway == GatewayName.simulator,
        transfer=transfer,
        pdf_url=pdf_url,
    )


@router.get("/static/{name}")
async def static(name: str) -> Response:
    media_type = STATIC.get(name)
    if media_type is None:
        return Response(status_code=404, headers=HEADERS)
    body = (files("payments.payment_links") / "templates" / name).read_bytes()
    return Response(
        body,
        media_type=media_type,
        headers=HEADERS | {"Cache-Control": "public, max-age=3600"},
    )


# The customer's browser, for fraud prevention's per-device signals (many cards tried from
# one browser): a random id in a first-party, HTTP-only cookie, sent with every payment
# as the PaymentIntent's ``radar_options[session]``. It identifies a browser, no person.
DEVICE_COOKIE = "pay_device"
_DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _device(request: Request) -> str | None:
    found = request.cookies.get(DEVICE_COOKIE, "")
    return found if _DEVICE_ID.match(found) else None


def _with_device(request: Request, response: Response) -> Response:
    if _device(request) is None:
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(24),
            max_age=365 * 86_400,
            httponly=True,
            secure=request.url.scheme == "https",
            samesite="lax",
            path="/pay",
        )
    return response


@router.get("/{token}", response_class=HTMLResponse)
async def pay_page(token: str, request: Request, c: GatewayDep) -> Response:
    try:
        view = await _view_or_page(request, c, token)
        if isinstance(view, HTMLResponse):
            return view
        return _with_device(request, await _render(request, c, token, view))
    except Exception:  # a customer's browser never gets a stack trace
        log.exception("pay_page_failed")
        return _message(request, "error", 500)


@router.post("/{token}", response_class=HTMLResponse)
async def pay(
    token: str,
    request: Request,
    c: GatewayDep,
    nonce: Annotated[str, Form(min_length=8, max_length=64)],
    card_number: Annotated[str, Form(max_length=40)] = "",
    expiry: Annotated[str, Form(max_length=10)] = "",
    cvc: Annotated[str, Form(max_length=8)] = "",
    payment_method: Annotated[str, Form(max_length=255)] = "",
) -> Response:
    try:
        if c.settings.gateway == GatewayName.stripe:
            return await _pay(token, request, c, nonce, payment_method=payment_method)
        return await _pay(token, request, c, nonce, card=(card_number, expiry, cvc))
    except Exception as exc:  # no traceback: its frames hold what the customer typed
        log.error("pay_page_payment_failed", error=type(exc).__name__)
        return _message(request, "error", 500)


async def _pay(
    token: str,
    request: Request,
    c: GatewayDep,
    nonce: str,
    *,
    card: tuple[str, str, str] | None = None,
    payment_method: str = "",
    local: str = "",
) -> Response:
    """Pay with the card typed into the simulator's form, or (Stripe) the PaymentMethod
    Stripe.js created from its Payment Element."""
    view = await _view_or_page(request, c, token)
    if isinstance(view, HTMLResponse):
        return view
    lang = _language(request, view.preferred_locales, view.invoice.language or "en")
    t = texts(lang)
    method: CardForm | LocalChoice | str
    if card is not None:
        try:
            method = parse_card_form(*card)
        except CardFormError as exc:
            return await _render(
                request, c, token, view, error=t[exc.message_key], error_field=exc.field, status=400
            )
    elif local:
        if local not in {kind for kind, _name in view.local_methods}:
            return await _render(
                request, c, token, view, error=t["error_method_unavailable"], status=400
            )
        method = LocalChoice(type=local)
    elif payment_method.startswith("pm_"):
        method = payment_method
    else:
        return await _render(request, c, token, view, error=t["error_card_invalid"], status=400)
    try:
        pi = await uc.pay_with_card(
            token,
            method,
            nonce=nonce,
            return_url=_return_url(request, c, token),
            uow_factory=c.uow_factory,
            gateway=c.gateway,
            clock=c.clock,
            max_amount=c.settings.max_amount,
            device=_device(request),
        )
    except uc.LinkUnusable:
        return await _render(
            request, c, token, await uc.open_link(token, uow_factory=c.uow_factory, clock=c.clock)
        )
    except CardError as exc:
        fresh = await uc.open_link(token, uow_factory=c.uow_factory, clock=c.clock)
        return await _render(request, c, token, fresh, error=_decline_text(exc, t), status=402)
    except GatewayUnavailable:
        fresh = await uc.open_link(token, uow_factory=c.uow_factory, clock=c.clock)
        return await _render(request, c, token, fresh, error=t["error_unavailable"], status=503)
    except InvalidRequest as exc:
        fresh = await uc.open_link(token, uow_factory=c.uow_factory, clock=c.clock)
        if exc.code in ("invoice_payment_in_progress", "payment_intent_unexpected_state"):
            return await _render(request, c, token, fresh, error=t["error_busy"], status=409)
        field = "number" if (exc.param or "").endswith("number") else None
        return await _render(
            request, c, token, fresh, error=t["error_card_invalid"], error_field=field, status=400
        )
    action_url = _action_url(c, pi)
    if action_url is not None:
        return RedirectResponse(action_url, status_code=303, headers=HEADERS)
    return RedirectResponse(_pay_path(token), status_code=303, headers=HEADERS)


@router.post("/{token}/local", response_class=HTMLResponse)
async def pay_local(
    token: str,
    request: Request,
    c: GatewayDep,
    nonce: Annotated[str, Form(min_length=8, max_length=64)],
    method: Annotated[str, Form(max_length=20)],
) -> Response:
    """A local method the shop offers (iDEAL, TWINT, ...): to its page, then back."""
    try:
        return await _pay(token, request, c, nonce, local=method)
    except Exception as exc:
        log.error("pay_page_payment_failed", error=type(exc).__name__)
        return _message(request, "error", 500)


@router.get("/{token}/return", response_class=HTMLResponse)
async def returned(
    token: str,
    request: Request,
    c: GatewayDep,
    payment_intent: str = "",
    redirect_status: str = "",
) -> Response:
    """Back from the 3-D Secure page: the receipt, or the form again with why not."""
    try:
        view = await _view_or_page(request, c, token)
        if isinstance(view, HTMLResponse):
            return view
        pi = await uc.link_intent(token, payment_intent[:64], uow_factory=c.uow_factory)
        lang = _language(request, view.preferred_locales, view.invoice.language or "en")
        if pi is not None and pi.status == PIS.REQUIRES_PAYMENT_METHOD:
            return await _render(request, c, token, view, error=texts(lang)["error_authentication"])
        if pi is not None and pi.status in (PIS.REQUIRES_ACTION, PIS.PROCESSING):
            # a local method's page answered; its gateway tells the service shortly
            if redirect_status == "succeeded":
                return _message(request, "processing", 200, lang=lang)
            t = texts(lang)
            return _html(
                "message.html",
                lang=lang,
                t=t,
                title=t["form_problem"],
                text=t["error_not_authorized"],
            )
        return RedirectResponse(_pay_path(token), status_code=303, headers=HEADERS)
    except Exception:
        log.exception("pay_page_return_failed")
        return _message(request, "error", 500)


@router.get("/{token}/invoice.pdf")
async def invoice_pdf(token: str, request: Request, c: GatewayDep) -> Response:
    try:
        doc = await uc.link_document(token, uow_factory=c.uow_factory, clock=c.clock)
    except uc.LinkNotFound:
        return _message(request, "not_found", 404)
    except uc.LinkUnusable as exc:
        key = "expired" if exc.reason == Unusable.EXPIRED else "deactivated"
        return _message(request, key, 410)
    except Exception:
        log.exception("pay_page_pdf_failed")
        return _message(request, "error", 500)
    body = await rendered(doc, DocumentFormat.PDF)
    return Response(
        body,
        media_type="application/pdf",
        headers=HEADERS
        | {
            "Content-Disposition": f'attachment; filename="{doc.number}.pdf"',
            "Content-Security-Policy": "default-src 'none'",
        },
    )
