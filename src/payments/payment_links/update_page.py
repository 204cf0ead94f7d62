"""The hosted update-your-payment-method page: ``GET /billing/update/{token}``.

A subscription in dunning gets a link to this page in its dunning events
(``update_payment_method_url``, see :mod:`payments.billing.service.update_links`). The
page shows the open amount and the card on file, and saves a new card through a
SetupIntent for the subscription's customer (usage ``off_session``): with the simulator a
plain HTML card form (no JavaScript), with Stripe its Payment Element (``mode: setup``),
which creates the PaymentMethod in the browser and posts only its id. A card that asks
for 3-D Secure sends the browser to the challenge page, which sends it back to
``/billing/update/{token}/return``. Once the SetupIntent succeeded, its payment method
becomes the subscription's ``default_payment_method`` and the open invoice is retried at
once (dunning's smart stop); the page then says whether it is paid.

Same safety as the pay page: strict Content-Security-Policy, no referrer, no framing, no
caching, no stack trace for the customer, their language (en/de).
"""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from payments.billing.service import payment_method_links as links
from payments.billing.service.common import Billing, billing_of
from payments.gateways.runtime import GatewayDep
from payments.intents.domain.commands import CardParams, CreatePaymentMethod
from payments.intents.domain.model import PaymentMethod
from payments.intents.domain.setup_intent import CreateSetupIntent, SetupIntent
from payments.intents.domain.setup_intent import SetupIntentStatus as SIS
from payments.intents.service import payment_methods as pms
from payments.intents.service import setup_intents as setups
from payments.kernel.errors import CardError, GatewayUnavailable, InvalidRequest
from payments.payment_links.domain import CardFormError, parse_card_form
from payments.payment_links.pages import (
    CSP,
    CSP_STRIPE,
    HEADERS,
    _decline_text,
    _Format,
    _html,
    _language,
    _message,
    own_page_url,
)
from payments.payment_links.texts import texts
from payments.platform.config import GatewayName

router = APIRouter(prefix="/billing/update", include_in_schema=False)
log = structlog.get_logger(__name__)


def _path(token: str, suffix: str = "") -> str:
    return f"/billing/update/{token}{suffix}"


def _return_url(request: Request, c: GatewayDep, token: str) -> str:
    base = c.settings.public_url or str(request.base_url)
    return base.rstrip("/") + _path(token, "/return")


def _shown_method(pm: PaymentMethod | None) -> str | None:
    if pm is None:
        return None
    card = pm.details if pm.type == "card" else None
    if not card or not card.get("last4"):
        return pm.type.replace("_", " ")
    return f"{str(card.get('brand', 'card')).title()} •••• {card['last4']}"


async def _view(request: Request, billing: Billing, token: str) -> links.LinkView | Response:
    try:
        view = await links.open_link(token, billing=billing)
    except links.LinkNotFound:
        return _message(request, "link_not_found", 404)
    if view.expired or not view.recoverable:
        lang = _language(request, list(view.customer.preferred_locales))
        return _message(request, "link_expired", 410, lang=lang)
    return view


async def _form(
    request: Request,
    c: GatewayDep,
    token: str,
    view: links.LinkView,
    *,
    error: str | None = None,
    error_field: str | None = None,
    status: int = 200,
) -> Response:
    lang = _language(request, list(view.customer.preferred_locales))
    t = texts(lang)
    invoice = view.open_invoice
    currency = view.subscription.currency
    f = _Format(lang, currency)
    shop = view.shop_name
    stripe = None
    if c.settings.gateway == GatewayName.stripe:
        stripe = {"publishable_key": c.settings.stripe_publishable_key or "", "currency": currency}
    return _html(
        "update_payment_method.html",
        status,
        csp=CSP_STRIPE if stripe else CSP,
        lang=lang,
        t=t,
        title=t["update_title"],
        intro=(t["update_intro"] if invoice else t["update_intro_plain"]).format(shop=shop),
        amount_open=f.money(invoice.amount_remaining) if invoice else None,
        current_method=_shown_method(view.payment_method),
        stripe=stripe,
        form_action=_path(token),
        error=error,
        error_field=error_field,
        test_mode=c.settings.gateway == GatewayName.simulator,
    )


def _done(request: Request, view: links.LinkView) -> Response:
    lang = _language(request, list(view.customer.preferred_locales))
    t = texts(lang)
    invoice = view.invoice
    if invoice is None:
        text = t["updated_text"]
    elif view.open_invoice is None:
        text = t["updated_paid_text"].format(number=invoice.number or "")
    else:
        text = t["updated_unpaid_text"].format(number=invoice.number or "")
    return _html("message.html", lang=lang, t=t, title=t["updated_title"], text=text)


@router.get("/{token}", response_class=HTMLResponse)
async def page(token: str, request: Request, c: GatewayDep) -> Response:
    try:
        view = await _view(request, billing_of(c), token)
        if not isinstance(view, links.LinkView):
            return view
        return await _form(request, c, token, view)
    except Exception:  # a customer's browser never gets a stack trace
        log.exception("update_page_failed")
        return _message(request, "error", 500)


@router.post("/{token}", response_class=HTMLResponse)
async def save(
    token: str,
    request: Request,
    c: GatewayDep,
    card_number: Annotated[str, Form(max_length=40)] = "",
    expiry: Annotated[str, Form(max_length=10)] = "",
    cvc: Annotated[str, Form(max_length=8)] = "",
    payment_method: Annotated[str, Form(max_length=255)] = "",
) -> Response:
    try:
        return await _save(token, request, c, (card_number, expiry, cvc), payment_method)
    except Exception as exc:  # no traceback: its frames hold what the customer typed
        log.error("update_page_save_failed", error=type(exc).__name__)
        return _message(request, "error", 500)


async def _save(
    token: str, request: Request, c: GatewayDep, card: tuple[str, str, str], payment_method: str
) -> Response:
    billing = billing_of(c)
    view = await _view(request, billing, token)
    if not isinstance(view, links.LinkView):
        return view
    t = texts(_language(request, list(view.customer.preferred_locales)))
    ctx = view.context
    method: str
    try:
        if c.settings.gateway == GatewayName.stripe:
            if not payment_method.startswith("pm_"):
                return await _form(request, c, token, view, error=t["error_setup"], status=400)
            method = payment_method
        else:
            typed = parse_card_form(*card)
            pm = await pms.create_payment_method(
                CreatePaymentMethod(
                    type="card",
                    card=CardParams(
                        number=typed.number,
                        exp_month=typed.exp_month,
                        exp_year=typed.exp_year,
                        cvc=typed.cvc,
                    ),
                ),
                uow_factory=c.uow_factory,
                gateway=c.gateway,
                clock=c.clock,
                ctx=ctx,
            )
            method = pm.id
        si = await setups.create_setup_intent(
            CreateSetupIntent(
                customer=view.subscription.customer_id,
                payment_method=method,
                confirm=True,
                return_url=_return_url(request, c, token),
                metadata={"subscription": view.subscription.id},
            ),
            uow_factory=c.uow_factory,
            gateway=c.gateway,
            clock=c.clock,
            ctx=ctx,
        )
    except CardFormError as exc:
        return await _form(
            request, c, token, view, error=t[exc.message_key], error_field=exc.field, status=400
        )
    except CardError as exc:
        return await _form(request, c, token, view, error=_decline_text(exc, t), status=402)
    except GatewayUnavailable:
        return await _form(request, c, token, view, error=t["error_unavailable"], status=503)
    except InvalidRequest as exc:
        field = "number" if (exc.param or "").endswith("number") else None
        return await _form(
            request, c, token, view, error=t["error_setup"], error_field=field, status=400
        )
    await links.remember_setup_intent(token, si.id, billing=billing)
    action = _action(c, si)
    if action is not None:
        return RedirectResponse(action, status_code=303, headers=HEADERS)
    return RedirectResponse(
        _path(token, f"/return?setup_intent={si.id}"), status_code=303, headers=HEADERS
    )


def _action(c: GatewayDep, si: SetupIntent) -> str | None:
    if si.status is not SIS.REQUIRES_ACTION:
        return None
    url = ((si.next_action or {}).get("redirect_to_url") or {}).get("url")
    return own_page_url(c, url) if url else None


@router.get("/{token}/return", response_class=HTMLResponse)
async def returned(token: str, request: Request, c: GatewayDep, setup_intent: str = "") -> Response:
    """Back from saving (or from 3-D Secure): the subscription uses the new method and
    the open invoice is retried; or the form again with why not."""
    try:
        billing = billing_of(c)
        view = await _view(request, billing, token)
        if not isinstance(view, links.LinkView):
            return view
        t = texts(_language(request, list(view.customer.preferred_locales)))
        if not setup_intent or setup_intent[:64] != view.link.setup_intent_id:
            return RedirectResponse(_path(token), status_code=303, headers=HEADERS)
        si = await setups.refresh_setup_intent(
            view.link.setup_intent_id,
            uow_factory=c.uow_factory,
            gateway=c.gateway,
            clock=c.clock,
            ctx=view.context,
        )
        if si.status is SIS.SUCCEEDED:
            return _done(request, await links.use_payment_method(token, si.id, billing=billing))
        if si.status is SIS.REQUIRES_ACTION:
            action = _action(c, si)
            if action is not None:
                return RedirectResponse(action, status_code=303, headers=HEADERS)
        return await _form(request, c, token, view, error=t["error_authentication"], status=402)
    except Exception:
        log.exception("update_page_return_failed")
        return _message(request, "error", 500)
