"""The parameters of one charge: a PaymentIntent created and confirmed in one request.

* ``payment_method_types`` names the method's type explicitly (no automatic payment
  methods, so no redirect-only method can surprise a server-side confirmation);
* SEPA Direct Debit on session declares the mandate's customer acceptance
  (``offline``: the service has no browser data here; the hosted page collects
  online acceptance through the Payment Element or a SetupIntent instead);
* a bank transfer (``customer_balance``) asks for EU bank transfer instructions
  in the country stored on the PaymentMethod at creation;
* the local methods (iDEAL, Bancontact, EPS, Przelewy24, BLIK, TWINT, Swish, Klarna)
  are Stripe PaymentMethods of their type, created from our ``payment_method_data``
  (:func:`local_method_params`: ``ideal[bank]`` ..., the billing details); the confirm
  carries the ``return_url`` the redirect methods need and BLIK's code as
  ``payment_method_options[blik][code]``. No mandate is needed: they are single-use
  (the service never sets ``setup_future_usage`` for them, which would make iDEAL and
  Bancontact generate a SEPA Direct Debit mandate, with ``mandate_data``);
* metadata carries our attempt id (``payments_attempt``) so the intent can be
  found again (:meth:`~.operations.CustomerOperations.find_charge_by_attempt`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from payments.gateways.protocol import ChargeRequest, GatewayInvalidRequest, LocalMethodInput
from payments.kernel.money import MoneyError, normalize_currency

from .currency import CurrencyRuleError, check_charge_amount, to_stripe
from .mapping import ATTEMPT_METADATA_KEY

if TYPE_CHECKING:
    from stripe.params import PaymentMethodCreateParams

INTENT_EXPAND = ["latest_charge.balance_transaction", "payment_method"]
BANK_CHOICE = ("ideal", "eps", "p24")  # the customer may name their bank up front
TEST_CARD_PREFIX = "pm_card_"  # Stripe's test PaymentMethod ids for cards


def charge_params(request: ChargeRequest, method: Mapping[str, Any]) -> dict[str, Any]:
    """The ``POST /v1/payment_intents`` body for ``request`` paid with ``method``."""
    currency, amount = checked_money(request.amount, request.currency)
    if request.capture_method not in ("automatic", "manual"):
        raise GatewayInvalidRequest(
            "capture_method must be automatic or manual",
            code="parameter_invalid",
            param="capture_method",
        )
    params: dict[str, Any] = {
        "amount": amount,
        "currency": currency,
        "payment_method": request.payment_method,
        "confirm": True,
        "capture_method": request.capture_method,
        "metadata": {**request.metadata, ATTEMPT_METADATA_KEY: request.idempotency_key},
        "expand": INTENT_EXPAND,
        **method_options(method, off_session=request.off_session),
    }
    if request.blik_code:
        params.setdefault("payment_method_options", {})["blik"] = {"code": request.blik_code}
    card_options: dict[str, str] = {}
    if request.capture_method == "manual" and params["payment_method_types"] == ["card"]:
        # a hold may be raised later (increment_authorization) where the card allows it
        card_options["request_incremental_authorization"] = "if_available"
    if request.request_three_d_secure and method.get("type") == "card":
        card_options["request_three_d_secure"] = "any"
    if card_options:
        params.setdefault("payment_method_options", {}).setdefault("card", {}).update(card_options)
    if request.customer:
        params["customer"] = request.customer
    if request.off_session:
        params["off_session"] = True
    if request.return_url:
        params["return_url"] = request.return_url
    if request.description:
        params["description"] = request.description
    return params


def method_options(method: Mapping[str, Any], *, off_session: bool) -> dict[str, Any]:
    """``payment_method_types`` and the options a PaymentMethod's type needs."""
    kind = str(method.get("type") or "card")
    params: dict[str, Any] = {"payment_method_types": [kind]}
    if kind == "sepa_debit" and not off_session:
        params["mandate_data"] = {"customer_acceptance": {"type": "offline"}}
    if kind == "customer_balance":
        country = (method.get("metadata") or {}).get("bank_transfer_country") or "DE"
        params["payment_method_options"] = {
            "customer_balance": {
                "funding_type": "bank_transfer",
                "bank_transfer": {
                    "type": "eu_bank_transfer",
                    "eu_bank_transfer": {"country": country},
                },
            }
        }
    return params


def local_method_params(source: LocalMethodInput) -> PaymentMethodCreateParams:
    """``POST /v1/payment_methods`` for a local method: its type, its hash (the bank where
    the customer may choose it), the billing details."""
    billing: dict[str, Any] = {}
    details = source.billing_details
    for name in ("name", "email", "phone"):
        if getattr(details, name):
            billing[name] = getattr(details, name)
    if details.country:
        billing["address"] = {"country": details.country.upper()}
    inner = {"bank": source.bank} if source.bank and source.type in BANK_CHOICE else {}
    params: dict[str, Any] = {"type": source.type, source.type: inner}
    if billing:
        params["billing_details"] = billing
    return cast("PaymentMethodCreateParams", params)


def checked_money(amount: int, currency: str) -> tuple[str, int]:
    """The lower-case currency and the amount in Stripe's units, or an invalid request."""
    try:
        code = normalize_currency(currency)
    except MoneyError as exc:
        raise GatewayInvalidRequest(str(exc), code="parameter_invalid", param="currency") from None
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise GatewayInvalidRequest(
            "amount must be a positive integer of minor units",
            code="parameter_invalid_integer",
            param="amount",
        )
    try:
        return code, check_charge_amount(amount, code)
    except CurrencyRuleError as exc:
        raise GatewayInvalidRequest(str(exc), code=exc.code, param="amount") from None


def stripe_amount(amount: int, currency: str) -> int:
    """A capture / refund amount in Stripe's units, or an invalid request."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise GatewayInvalidRequest(
            "amount must be a positive integer of minor units",
            code="parameter_invalid_integer",
            param="amount",
        )
    try:
        return to_stripe(amount, currency)
    except CurrencyRuleError as exc:
        raise GatewayInvalidRequest(str(exc), code=exc.code, param="amount") from None
