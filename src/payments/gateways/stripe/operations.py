"""Stripe-only helpers for paying (mixed into StripeGateway), beyond the gateway port.

* customers: :meth:`~CustomerOperations.ensure_customer` creates the
  Stripe customer lazily (store the returned ``cus_...`` id with ours);
* SetupIntents: save a card or a SEPA Direct Debit mandate for off-session
  payments (``create_setup_intent`` / ``confirm_setup_intent``); a declined
  setup is returned (``last_error_code``), not raised;
* the hosted payment page: ``create_hosted_payment_intent`` returns an
  unconfirmed PaymentIntent with its ``client_secret`` for Stripe.js;
* recovery: ``find_charge_by_attempt`` finds the PaymentIntent of an attempt
  whose create call ended in an unknown outcome that the key cannot replay
  (Stripe replays a 500 for the same key); uses the Search API, which lags a
  little behind writes.

Disputes, balance transactions, payouts and webhooks are in :mod:`.account`.

Every mutating helper takes the caller's ``idempotency_key``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import stripe

from payments.gateways.protocol import (
    ChargeResult,
    Decline,
    GatewayInvalidRequest,
    SetupRequest,
    SetupResult,
    SetupStatus,
)

from . import mapping
from .client import traced
from .currency import CurrencyRuleError, from_stripe, to_stripe
from .errors import map_error
from .types import HostedPaymentIntent, SetupIntentResult

if TYPE_CHECKING:
    from stripe.params import CustomerCreateParams, SetupIntentConfirmParams

Obj = dict[str, Any]


class CustomerOperations:
    _client: stripe.StripeClient
    _webhook_secret: str | None

    if TYPE_CHECKING:

        async def _call(
            self,
            send: Callable[[], Awaitable[stripe.StripeObject]],
            *,
            idempotency_key: str | None = None,
        ) -> Obj: ...

        async def retrieve_charge(self, reference: str) -> ChargeResult: ...

        async def _method(self, payment_method: str) -> Obj: ...

    # ------------------------------------------------------------------ customers

    async def ensure_customer(
        self,
        customer: str | None,
        *,
        idempotency_key: str,
        email: str | None = None,
        name: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> str:
        """The Stripe customer id: ``customer`` if we already have one, else a new one."""
        if customer:
            return customer
        params: CustomerCreateParams = {"metadata": dict(metadata or {})}
        if email:
            params["email"] = email
        if name:
            params["name"] = name
        created = await self._call(
            lambda: self._client.v1.customers.create_async(
                params,
                {"idempotency_key": idempotency_key},
            ),
            idempotency_key=idempotency_key,
        )
        return str(created["id"])

    # ------------------------------------------------------------------ setup intents

    async def create_setup_intent(
        self,
        *,
        customer: str,
        idempotency_key: str,
        payment_method_types: Sequence[str] = ("card",),
        usage: str = "off_session",
        metadata: Mapping[str, str] | None = None,
    ) -> SetupIntentResult:
        """An unconfirmed SetupIntent; the browser confirms it with its client_secret."""
        params = {
            "customer": customer,
            "payment_method_types": list(payment_method_types),
            "usage": usage,
            "metadata": dict(metadata or {}),
        }
        return await self._setup(
            lambda: self._client.v1.setup_intents.create_async(
                # dict, not the SDK's TypedDict: its params for the SDK's API version name
                # allowed_payment_method_types where we send payment_method_types (open question)
                params,  # type: ignore[arg-type]
                {"idempotency_key": idempotency_key},
            ),
            idempotency_key,
        )

    async def confirm_setup_intent(
        self,
        setup_intent: str,
        *,
        payment_method: str,
        idempotency_key: str,
        return_url: str | None = None,
        customer_ip: str | None = None,
        user_agent: str | None = None,
    ) -> SetupIntentResult:
        """Confirm server-side; for SEPA pass the customer's IP and user agent (the online
        mandate acceptance Stripe requires)."""
        params: SetupIntentConfirmParams = {"payment_method": payment_method}
        if return_url:
            params["return_url"] = return_url
        if customer_ip and user_agent:
            params["mandate_data"] = {
                "customer_acceptance": {
                    "type": "online",
                    "online": {"ip_address": customer_ip, "user_agent": user_agent},
                }
            }
        return await self._setup(
            lambda: self._client.v1.setup_intents.confirm_async(
                setup_intent,
                params,
                {"idempotency_key": idempotency_key},
            ),
            idempotency_key,
        )

    async def retrieve_setup_intent(self, setup_intent: str) -> SetupIntentResult:
        seti = await self._call(lambda: self._client.v1.setup_intents.retrieve_async(setup_intent))
        return _setup_intent(seti)

    # ------------------------------------------------------------------ the setup port

    async def setup(self, request: SetupRequest) -> SetupResult:
        """:class:`~payments.gateways.protocol.PaymentMethodSetup`: a SetupIntent created
        (key ``<key>``) then confirmed server-side (key ``<key>:confirm``); a repeat of the
        same request replays both. SEPA needs the customer's online mandate acceptance."""
        method = await self._method(request.payment_method)
        kind = str(method.get("type") or "card")
        params: dict[str, Any] = {
            "payment_method_types": [kind],
            "usage": request.usage,
            "metadata": dict(request.metadata),
        }
        if request.customer:
            params["customer"] = request.customer
        created = await self._setup_object(
            lambda: self._client.v1.setup_intents.create_async(
                params,  # type: ignore[arg-type]  # see create_setup_intent
                {"idempotency_key": request.idempotency_key},
            ),
            request.idempotency_key,
        )
        confirm: SetupIntentConfirmParams = {"payment_method": request.payment_method}
        if request.return_url:
            confirm["return_url"] = request.return_url
        if request.mandate is not None:
            confirm["mandate_data"] = {
                "customer_acceptance": {
                    "type": "online",
                    "online": {
                        "ip_address": request.mandate.ip_address,
                        "user_agent": request.mandate.user_agent,
                    },
                }
            }
        confirm_key = f"{request.idempotency_key}:confirm"
        confirmed = await self._setup_object(
            lambda: self._client.v1.setup_intents.confirm_async(
                str(created["id"]), confirm, {"idempotency_key": confirm_key}
            ),
            confirm_key,
        )
        return setup_result(confirmed)

    async def retrieve_setup(self, reference: str) -> SetupResult:
        seti = await self._call(lambda: self._client.v1.setup_intents.retrieve_async(reference))
        return setup_result(seti)

    async def cancel_setup(self, reference: str, *, idempotency_key: str) -> SetupResult:
        seti = await self._setup_object(
            lambda: self._client.v1.setup_intents.cancel_async(
                reference, {}, {"idempotency_key": idempotency_key}
            ),
            idempotency_key,
        )
        return setup_result(seti)

    # ------------------------------------------------------------------ hosted payment page

    async def create_hosted_payment_intent(
        self,
        *,
        amount: int,
        currency: str,
        idempotency_key: str,
        customer: str | None = None,
        capture_method: str = "automatic",
        payment_method_types: Sequence[str] | None = None,
        metadata: Mapping[str, str] | None = None,
        description: str | None = None,
    ) -> HostedPaymentIntent:
        """An unconfirmed PaymentIntent for the Payment Element; automatic payment methods
        unless ``payment_method_types`` is given."""
        params: dict[str, Any] = {
            "amount": _stripe_amount(amount, currency),
            "currency": currency.lower(),
            "capture_method": capture_method,
            "metadata": {**(metadata or {}), mapping.ATTEMPT_METADATA_KEY: idempotency_key},
        }
        if payment_method_types:
            params["payment_method_types"] = list(payment_method_types)
        else:
            params["automatic_payment_methods"] = {"enabled": True}
        if customer:
            params["customer"] = customer
        if description:
            params["description"] = description
        pi = await self._call(
            lambda: self._client.v1.payment_intents.create_async(
                # dict, not the SDK's TypedDict: its params for the SDK's API version name
                # allowed_payment_method_types where we send payment_method_types (open question)
                params,  # type: ignore[arg-type]
                {"idempotency_key": idempotency_key},
            ),
            idempotency_key=idempotency_key,
        )
        return HostedPaymentIntent(
            reference=str(pi["id"]),
            client_secret=str(pi["client_secret"]),
            status=str(pi["status"]),
            amount=from_stripe(int(pi["amount"]), str(pi["currency"])),
            currency=str(pi["currency"]),
        )

    async def client_secret(self, reference: str) -> str:
        """The client_secret of a PaymentIntent, for Stripe.js (never log or store it)."""
        pi = await self._call(lambda: self._client.v1.payment_intents.retrieve_async(reference))
        return str(pi["client_secret"])

    async def find_charge_by_attempt(self, idempotency_key: str) -> ChargeResult | None:
        """The PaymentIntent our attempt created, found by its metadata (Search API), as
        Stripe sees it now: search results may lag behind writes and carry no expansions
        (no fee, no card details), so the intent found is retrieved."""
        query = f"metadata['{mapping.ATTEMPT_METADATA_KEY}']:'{_quoted(idempotency_key)}'"
        found = await self._call(
            lambda: self._client.v1.payment_intents.search_async({"query": query, "limit": 2})
        )
        if not found["data"]:
            return None
        return await self.retrieve_charge(str(found["data"][0]["id"]))

    # ------------------------------------------------------------------ plumbing

    async def _setup(
        self, send: Callable[[], Awaitable[stripe.StripeObject]], idempotency_key: str
    ) -> SetupIntentResult:
        return _setup_intent(await self._setup_object(send, idempotency_key))

    async def _setup_object(
        self, send: Callable[[], Awaitable[stripe.StripeObject]], idempotency_key: str | None
    ) -> Obj:
        """A SetupIntent call; a card error carrying the SetupIntent is its answer."""
        with traced() as attempts:
            try:
                result = await send()
            except stripe.CardError as exc:
                body = exc.json_body.get("error") if isinstance(exc.json_body, dict) else None
                seti = (body or {}).get("setup_intent")
                if not isinstance(seti, dict):
                    raise map_error(exc, attempts, idempotency_key=idempotency_key) from exc
                return seti
            except stripe.StripeError as exc:
                raise map_error(exc, attempts, idempotency_key=idempotency_key) from exc
        return result.to_dict()


def _setup_intent(seti: Obj) -> SetupIntentResult:
    error = seti.get("last_setup_error") or {}
    action = seti.get("next_action") or {}
    return SetupIntentResult(
        id=str(seti["id"]),
        status=str(seti["status"]),
        client_secret=str(seti.get("client_secret") or ""),
        customer=mapping.ident(seti.get("customer")),
        payment_method=mapping.ident(seti.get("payment_method")),
        mandate=mapping.ident(seti.get("mandate")),
        usage=str(seti.get("usage") or "off_session"),
        redirect_url=(action.get("redirect_to_url") or {}).get("url"),
        last_error_code=error.get("code"),
        last_error_message=error.get("message"),
    )


def setup_result(seti: Obj) -> SetupResult:
    """A Stripe SetupIntent as the port's :class:`SetupResult`: a confirm that failed
    (``requires_payment_method`` with ``last_setup_error``) is ``failed``."""
    status = str(seti["status"])
    error = seti.get("last_setup_error") or None
    action = seti.get("next_action") or {}
    decline = mapping.decline(error) if error else None
    shown: SetupStatus
    if status in ("requires_payment_method", "requires_confirmation"):
        shown = "failed"
        decline = decline or Decline(
            code="setup_intent_unexpected_state", message="The SetupIntent was not confirmed."
        )
    elif status in ("requires_action", "processing", "succeeded", "canceled"):
        shown = status  # type: ignore[assignment]
    else:
        raise GatewayInvalidRequest(f"Unknown SetupIntent status {status!r}", code="api_error")
    return SetupResult(
        reference=str(seti["id"]),
        status=shown,
        created=datetime.fromtimestamp(int(seti.get("created") or 0), UTC),
        payment_method=mapping.ident(seti.get("payment_method")),
        usage="on_session" if seti.get("usage") == "on_session" else "off_session",
        decline=decline if shown == "failed" else None,
        redirect_url=(action.get("redirect_to_url") or {}).get("url"),
        mandate=mapping.ident(seti.get("mandate")),
        customer=mapping.ident(seti.get("customer")),
    )


def _stripe_amount(amount: int, currency: str) -> int:
    try:
        return to_stripe(amount, currency)
    except (CurrencyRuleError, ValueError) as exc:
        raise GatewayInvalidRequest(str(exc), code="parameter_invalid", param="amount") from None


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")
