"""The fake Stripe's local payment methods (iDEAL, Bancontact, EPS, Przelewy24, BLIK,
TWINT, Swish, Klarna), as Stripe test mode runs them.

A confirm is checked as Stripe checks it (the currency the method takes, a ``return_url``
for the redirect methods, BLIK's ``payment_method_options[blik][code]``, manual capture
only for Klarna, never off_session) before any PaymentIntent is stored, then waits for
the customer (``requires_action``) with Stripe's ``next_action``: ``redirect_to_url`` to
a ``pm-redirects.stripe.com`` page, ``blik_authorize``, or
``swish_handle_redirect_or_display_qr_code``. The test hook :meth:`LocalMethods.authorize_local`
is the customer's answer on that page: Stripe's "immediate notification" methods then
succeed (or, Klarna with manual capture, are held) at once, or fail back to
``requires_payment_method``; each with its events.

The rules are the service's table (:mod:`payments.locations.domain.payment_methods`),
itself written down from Stripe's pages.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from payments.locations.domain.payment_methods import LOCAL_METHODS, currency_refusal

from . import fake_stripe_objects as o
from .fake_stripe_errors import invalid, unexpected_state

Obj = dict[str, Any]
BLIK_CODE = re.compile(r"^[0-9]{6}$")
FAILED = {
    "code": "payment_intent_authentication_failure",
    "message": "The customer did not authorize the payment.",
    "type": "invalid_request_error",
}


class LocalMethods:
    objects: dict[str, Obj]
    hidden: dict[str, Obj]

    if TYPE_CHECKING:

        def emit(self, kind: str, obj: Obj) -> None: ...
        def get(self, ident: str, kind: str, param: str = "id") -> Obj: ...
        def put(self, obj: Obj, **hidden: Any) -> Obj: ...
        def _new_charge(self, pi: Obj, status: str) -> Obj: ...
        def _capture(self, pi: Obj, ch: Obj, amount: int) -> None: ...

    def create_local_payment_method(self, kind: str, params: Obj) -> Obj:
        billing = params.get("billing_details") or {}
        required = {
            "bancontact": ("name",),
            "eps": ("name",),
            "p24": ("email",),
            "klarna": ("email",),
        }.get(kind, ())
        for name in required:
            if not billing.get(name):
                raise invalid(
                    f"Missing required param: billing_details[{name}].",
                    code="parameter_missing",
                    param=f"billing_details[{name}]",
                )
        inner = dict(params.get(kind) or {})
        if kind == "ideal" and inner.get("bank"):
            inner["bic"] = {"ing": "INGBNL2A", "rabobank": "RABONL2U"}.get(inner["bank"])
        return self.put(o.local_payment_method(kind, inner, billing))

    def check_local_confirm(self, pm: Obj, params: Obj, currency: str) -> None:
        """Stripe's checks of a confirm with a local method, before anything is stored."""
        method = LOCAL_METHODS[pm["type"]]
        if currency not in method.currencies:
            raise invalid(
                currency_refusal(method, currency),
                code="payment_intent_invalid_parameter",
                param="currency",
            )
        if params.get("capture_method") == "manual" and not method.manual_capture:
            raise invalid(
                f"capture_method=manual is not supported for {method.type}.",
                code="payment_intent_invalid_parameter",
                param="capture_method",
            )
        if params.get("off_session") == "true":
            raise invalid(
                f"{method.type} cannot be used off_session.",
                code="payment_intent_invalid_parameter",
                param="off_session",
            )
        if method.needs_return_url and not params.get("return_url"):
            raise invalid(
                "A return_url must be specified to confirm this PaymentIntent: "
                f"{method.type} requires a redirect.",
                code="parameter_missing",
                param="return_url",
            )
        code = ((params.get("payment_method_options") or {}).get("blik") or {}).get("code")
        if method.type == "blik" and not BLIK_CODE.match(code or ""):
            raise invalid(
                "Missing required param: payment_method_options[blik][code].",
                code="parameter_missing",
                param="payment_method_options[blik][code]",
            )

    def start_local(self, pi: Obj, pm: Obj, params: Obj) -> Obj:
        kind = pm["type"]
        action: Obj
        if kind == "blik":
            action = {"type": "blik_authorize", "blik_authorize": {}}
        elif kind == "swish":
            url = f"https://payments.stripe.com/swish/fake/{pi['id']}"
            action = {
                "type": "swish_handle_redirect_or_display_qr_code",
                "swish_handle_redirect_or_display_qr_code": {
                    "hosted_instructions_url": url,
                    "mobile_auth_url": f"swish://paymentrequest?token={pi['id']}",
                    "qr_code": {
                        "data": pi["id"],
                        "expires_at": o.now() + 180,
                        "image_url_png": f"{url}/qr.png",
                        "image_url_svg": f"{url}/qr.svg",
                    },
                },
            }
        else:
            action = {
                "type": "redirect_to_url",
                "redirect_to_url": {
                    "url": f"https://pm-redirects.stripe.com/authorize/acct_fake/pa_nonce_{pi['id']}",
                    "return_url": params.get("return_url"),
                },
            }
        pi.update(status="requires_action", next_action=action)
        self.emit("payment_intent.requires_action", pi)
        return pi

    def authorize_local(self, pi_id: str, succeed: bool) -> Obj:
        """The customer authorizes (or fails) the payment on the method's page or app."""
        pi = self.get(pi_id, "payment_intent")
        pm = self.objects[pi["payment_method"]]
        if pi["status"] != "requires_action" or pm["type"] not in LOCAL_METHODS:
            raise unexpected_state(pi, "authorized")
        if not succeed:
            ch = self._new_charge(pi, "failed")
            ch.update(failure_code=FAILED["code"], failure_message=FAILED["message"])
            ch["outcome"].update(type="blocked", network_status="not_sent_to_network")
            pi.update(
                status="requires_payment_method",
                next_action=None,
                last_payment_error={**FAILED, "payment_method": dict(pm)},
            )
            self.emit("charge.failed", ch)
            self.emit("payment_intent.payment_failed", pi)
            return pi
        ch = self._new_charge(pi, "succeeded")
        pi.update(next_action=None, last_payment_error=None)
        if pi["capture_method"] == "manual":
            pi.update(status="requires_capture", amount_capturable=pi["amount"])
            self.emit("charge.succeeded", ch)
            self.emit("payment_intent.amount_capturable_updated", pi)
            return pi
        self._capture(pi, ch, pi["amount"])
        self.emit("charge.succeeded", ch)
        self.emit("payment_intent.succeeded", pi)
        return pi
