"""What a PaymentIntent asks of a local method (iDEAL, BLIK, Klarna, ...) before any
attempt: the currency fits, the customer is there, and the customer can come back.

The table itself (countries, currencies, manual capture, how the customer authorizes) is
:mod:`payments.locations.domain.payment_methods`; these rules apply it to an intent and
raise the 400 a client sees, naming the parameter to fix. They run before anything is
written and before the gateway is called, so a refused request leaves no trace.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from payments.intents.domain.payment_intent import CaptureMethod
from payments.kernel.errors import InvalidRequest
from payments.locations.domain.payment_methods import (
    LOCAL_METHODS,
    LocalMethod,
    currency_refusal,
)

BLIK_CODE_PARAM = "payment_method_options[blik][code]"


def fits_currency(kind: str, currency: str) -> bool:
    """Whether ``kind`` can be paid in ``currency`` (the types bound to none always can)."""
    method = LOCAL_METHODS.get(kind)
    return method is None or currency in method.currencies


def check_currency(kind: str, currency: str) -> None:
    """BLIK in EUR and the like: refused, naming ``currency``."""
    method = LOCAL_METHODS.get(kind)
    if method is not None and currency not in method.currencies:
        raise InvalidRequest(
            currency_refusal(method, currency),
            code="payment_intent_incompatible_payment_method",
            param="currency",
        )


def check_intent_options(
    kind: str,
    *,
    capture_method: CaptureMethod,
    setup_future_usage: str | None,
) -> None:
    """The intent's own settings that a local method cannot honour."""
    method = LOCAL_METHODS.get(kind)
    if method is None:
        return
    if capture_method == CaptureMethod.MANUAL and not method.manual_capture:
        raise InvalidRequest(
            f"{method.name} ({method.type}) payments are captured at once: "
            "capture_method=manual is not supported.",
            code="payment_intent_invalid_parameter",
            param="capture_method",
        )
    if setup_future_usage is not None:
        raise InvalidRequest(
            f"{method.name} ({method.type}) is a single-use payment method: it cannot be "
            "saved for future payments (setup_future_usage). Save a card or a SEPA Direct "
            "Debit mandate instead.",
            code="payment_intent_invalid_parameter",
            param="setup_future_usage",
        )


def check_confirm(
    kind: str,
    *,
    return_url: str | None,
    blik_code: str | None,
    off_session: bool,
) -> None:
    """A confirm with a local method: the customer must be present, a redirect method
    needs a return_url to come back to (as Stripe requires), BLIK needs the code from the
    customer's banking app, and only BLIK takes one."""
    method = LOCAL_METHODS.get(kind)
    if method is None:
        if blik_code is not None:
            raise _code_not_for(kind)
        return
    if off_session:
        raise InvalidRequest(
            f"{method.name} ({method.type}) needs the customer to authorize each payment: "
            "it cannot be confirmed off_session.",
            code="payment_intent_invalid_parameter",
            param="off_session",
        )
    if method.needs_return_url and not return_url:
        raise InvalidRequest(
            f"A return_url is required to confirm a {method.type} payment: the customer is "
            "redirected to authorize it and comes back to the return_url.",
            code="parameter_missing",
            param="return_url",
        )
    if method.type == "blik" and blik_code is None:
        raise InvalidRequest(
            "Missing required param: payment_method_options[blik][code] (the 6-digit code "
            "from the customer's banking app).",
            code="parameter_missing",
            param=BLIK_CODE_PARAM,
        )
    if method.type != "blik" and blik_code is not None:
        raise _code_not_for(kind)


def check_return_url(url: str | None) -> None:
    """An absolute URL (a web page, or an app's own scheme)."""
    if url is None:
        return
    parts = urlsplit(url)
    web = parts.scheme in ("http", "https")
    if not parts.scheme or (web and not parts.netloc):
        raise InvalidRequest(
            f"Invalid return_url: {url!r} is not an absolute URL.",
            code="url_invalid",
            param="return_url",
        )


def needs_return_url(kind: str) -> bool:
    method = LOCAL_METHODS.get(kind)
    return method is not None and method.needs_return_url


def local_method(kind: str) -> LocalMethod | None:
    return LOCAL_METHODS.get(kind)


def _code_not_for(kind: str) -> InvalidRequest:
    return InvalidRequest(
        f"A BLIK code is only for blik payments, not {kind}.",
        code="parameter_unknown",
        param=BLIK_CODE_PARAM,
    )
