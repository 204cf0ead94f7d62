"""``StripeGateway``: the gateway port on Stripe's PaymentIntents API, async, via the SDK.

::

    gateway = StripeGateway.from_settings(settings)   # or StripeGateway(ClientConfig(...))
    result = await gateway.charge(ChargeRequest(amount=1999, currency="eur",
                                                payment_method="pm_card_visa",
                                                idempotency_key="att_123"))
    await gateway.aclose()                             # closes its HTTP client

One :meth:`charge` is one PaymentIntent created *and confirmed* server-side in
a single request carrying our attempt id as ``Idempotency-Key`` (and in the
intent's metadata as ``payments_attempt``); ``ChargeResult.reference`` is the
PaymentIntent id. Every mutating call sends the caller's idempotency key; the
SDK retries (``max_network_retries``) with that same key. Amounts cross the
boundary through :mod:`.currency`; errors through :mod:`.errors`; objects
through :mod:`.mapping`. Helpers beyond the port (customers, SetupIntents,
disputes, balance transactions, payouts, hosted-page intents, webhooks) live
in :class:`~.operations.CustomerOperations` and :class:`~.account.AccountOperations`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

import stripe

from payments.gateways.protocol import (
    EVENT_TYPES,
    CardInput,
    ChargeRequest,
    ChargeResult,
    CustomerBalanceInput,
    Decline,
    EventPage,
    GatewayInvalidRequest,
    GatewayNotSent,
    GatewayOutcomeUnknown,
    LocalMethodInput,
    PaymentMethod,
    PaymentMethodInput,
    RefundResult,
    SepaDebitInput,
)
from payments.platform.config import Settings

from . import mapping
from .account import AccountOperations
from .charges import (
    INTENT_EXPAND,
    TEST_CARD_PREFIX,
    charge_params,
    checked_money,
    local_method_params,
    stripe_amount,
)
from .client import ClientConfig, api_version_sent, build_client, traced
from .errors import RawCardDataRefused, map_error
from .operations import CustomerOperations
from .terminal import TerminalOperations

if TYPE_CHECKING:
    from stripe.params import (
        EventListParams,
        PaymentIntentCaptureParams,
        PaymentIntentIncrementAuthorizationParams,
        PaymentMethodCreateParams,
        PaymentMethodCreateParamsBillingDetails,
        RefundCreateParams,
    )

Obj = dict[str, Any]
MAX_EVENTS_PAGE = 100


#: The event types the polled feed asks for. Stripe's ``types`` filter takes at most 20;
#: Radar's early fraud warnings are left out and arrive by webhook only (as Stripe
#: recommends for them), the payment and dispute lifecycle is polled as a fallback too.
POLLED_TYPES = sorted(t for t in EVENT_TYPES if not t.startswith("radar."))


class StripeGateway(CustomerOperations, AccountOperations, TerminalOperations):
    """A :class:`~payments.gateways.protocol.PaymentGateway` backed by Stripe."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        webhook_secret: str | None = None,
        publishable_key: str | None = None,
    ) -> None:
        self.config = config
        self.publishable_key = publishable_key
        self._webhook_secret = webhook_secret
        self._client, self._http = build_client(config)

    @classmethod
    def from_settings(cls, settings: Settings) -> StripeGateway:
        """Build from validated settings (``PAYMENTS_GATEWAY=stripe``)."""
        if settings.stripe_secret_key is None:
            raise ValueError("PAYMENTS_STRIPE_SECRET_KEY is required for the Stripe gateway")
        webhook = settings.stripe_webhook_secret
        return cls(
            ClientConfig(
                secret_key=settings.stripe_secret_key.get_secret_value(),
                api_version=settings.stripe_api_version,
                api_base=settings.stripe_api_base,
                max_network_retries=settings.stripe_max_network_retries,
                timeout_seconds=settings.stripe_timeout_seconds,
            ),
            webhook_secret=webhook.get_secret_value() if webhook else None,
            publishable_key=settings.stripe_publishable_key,
        )

    @property
    def name(self) -> str:
        return "stripe"

    @property
    def api_version(self) -> str:
        """The ``Stripe-Version`` sent with every request."""
        return api_version_sent(self.config)

    @property
    def livemode(self) -> bool:
        return self.config.secret_key.startswith(("sk_live_", "rk_live_"))

    async def aclose(self) -> None:
        await self._http.close_async()

    async def __aenter__(self) -> StripeGateway:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ protocol

    async def create_payment_method(
        self, source: PaymentMethodInput, *, idempotency_key: str | None = None
    ) -> PaymentMethod:
        """Test / Stripe.js PaymentMethod ids are retrieved; IBANs are tokenized at Stripe;
        raw card numbers are refused (:class:`~.errors.RawCardDataRefused`)."""
        if isinstance(source, CardInput):
            raise RawCardDataRefused()
        if isinstance(source, str):
            pm = await self._call(lambda: self._client.v1.payment_methods.retrieve_async(source))
            return mapping.payment_method(pm)
        options: stripe.RequestOptions | None = (
            {"idempotency_key": idempotency_key} if idempotency_key else None
        )
        params: PaymentMethodCreateParams
        if isinstance(source, SepaDebitInput):
            billing: PaymentMethodCreateParamsBillingDetails = {"name": source.account_holder_name}
            if source.email:
                billing["email"] = source.email
            params = {
                "type": "sepa_debit",
                "sepa_debit": {"iban": source.iban.replace(" ", "").upper()},
                "billing_details": billing,
            }
        elif isinstance(source, CustomerBalanceInput):
            params = {
                "type": "customer_balance",
                "metadata": {"bank_transfer_country": source.country.upper()},
            }
        elif isinstance(source, LocalMethodInput):
            params = local_method_params(source)
        else:  # pragma: no cover - exhaustive over PaymentMethodInput
            raise GatewayInvalidRequest("unsupported payment method", code="parameter_invalid")
        pm = await self._call(
            lambda: self._client.v1.payment_methods.create_async(params, options),
            idempotency_key=idempotency_key,
        )
        return mapping.payment_method(pm)

    async def charge(self, request: ChargeRequest) -> ChargeResult:
        checked_money(request.amount, request.currency)  # refuse before any request
        params = charge_params(request, await self._method(request.payment_method))
        key = request.idempotency_key
        return await self._intent(
            lambda: self._client.v1.payment_intents.create_async(
                # dict, not the SDK's TypedDict: its params for the SDK's API version name
                # allowed_payment_method_types where we send payment_method_types (open question)
                params,  # type: ignore[arg-type]
                {"idempotency_key": key},
            ),
            key,
        )

    async def capture(
        self, reference: str, *, amount: int | None = None, idempotency_key: str
    ) -> ChargeResult:
        params: PaymentIntentCaptureParams = {"expand": INTENT_EXPAND}
        if amount is not None:
            params["amount_to_capture"] = stripe_amount(amount, await self._currency(reference))
        return await self._intent(
            lambda: self._client.v1.payment_intents.capture_async(
                reference,
                params,
                {"idempotency_key": idempotency_key},
            ),
            idempotency_key,
        )

    async def increment_authorization(
        self, reference: str, *, amount: int, idempotency_key: str
    ) -> ChargeResult:
        """Stripe's ``increment_authorization``; a decline (402 with the intent, still
        ``requires_capture`` at the old amount) is returned as that intent with ``decline``."""
        params: PaymentIntentIncrementAuthorizationParams = {
            "amount": stripe_amount(amount, await self._currency(reference)),
            "expand": INTENT_EXPAND,
        }
        with traced() as attempts:
            try:
                result = await self._client.v1.payment_intents.increment_authorization_async(
                    reference, params, {"idempotency_key": idempotency_key}
                )
            except stripe.CardError as exc:
                body = exc.json_body.get("error") if isinstance(exc.json_body, dict) else None
                intent = (body or {}).get("payment_intent")
                if not isinstance(intent, dict):
                    raise map_error(exc, attempts, idempotency_key=idempotency_key) from exc
                held = mapping.charge_result(intent)
                return replace(
                    held,
                    decline=Decline(
                        code=str((body or {}).get("code") or "card_declined"),
                        message=str((body or {}).get("message") or "Your card was declined."),
                        decline_code=(body or {}).get("decline_code"),
                    ),
                )
            except stripe.StripeError as exc:
                raise map_error(exc, attempts, idempotency_key=idempotency_key) from exc
        return mapping.charge_result(result.to_dict())

    async def cancel(self, reference: str, *, idempotency_key: str) -> ChargeResult:
        return await self._intent(
            lambda: self._client.v1.payment_intents.cancel_async(
                reference, {"expand": INTENT_EXPAND}, {"idempotency_key": idempotency_key}
            ),
            idempotency_key,
        )

    async def refund(
        self,
        reference: str,
        *,
        amount: int | None = None,
        idempotency_key: str,
        reason: str | None = None,
    ) -> RefundResult:
        params: RefundCreateParams = {"payment_intent": reference}
        if amount is not None:
            params["amount"] = stripe_amount(amount, await self._currency(reference))
        if reason is not None:
            params["reason"] = reason
        refund = await self._call(
            lambda: self._client.v1.refunds.create_async(
                params,
                {"idempotency_key": idempotency_key},
            ),
            idempotency_key=idempotency_key,
        )
        return mapping.refund_result(refund)

    async def cancel_refund(self, reference: str, *, idempotency_key: str) -> RefundResult:
        """Optional capability (``RefundCanceling``): Stripe cancels only refunds in
        ``requires_action``; any other status is an invalid request."""
        refund = await self._call(
            lambda: self._client.v1.refunds.cancel_async(
                reference, None, {"idempotency_key": idempotency_key}
            ),
            idempotency_key=idempotency_key,
        )
        return mapping.refund_result(refund)

    async def retrieve_charge(self, reference: str) -> ChargeResult:
        pi = await self._call(
            lambda: self._client.v1.payment_intents.retrieve_async(
                reference, {"expand": INTENT_EXPAND}
            )
        )
        return mapping.charge_result(pi)

    async def list_events(self, *, after: str | None = None, limit: int = 100) -> EventPage:
        """Stripe lists newest first; ``ending_before=after`` pages towards newer events,
        the ones right after the cursor, which we return oldest first. Without a cursor
        the walk starts at the oldest event Stripe still has (30 days)."""
        limit = max(1, min(limit, MAX_EVENTS_PAGE))
        if after is not None:
            newer: EventListParams = {
                "types": POLLED_TYPES,
                "limit": limit,
                "ending_before": after,
            }
            page = await self._call(lambda: self._client.v1.events.list_async(newer))
            events = [mapping.gateway_event(e) for e in reversed(page["data"])]
            has_more = bool(page["has_more"])
        else:
            oldest: deque[Obj] = deque(maxlen=limit + 1)
            cursor: str | None = None
            while True:
                params: EventListParams = {"types": POLLED_TYPES, "limit": MAX_EVENTS_PAGE}
                if cursor:
                    params["starting_after"] = cursor
                page = await self._call(partial(self._client.v1.events.list_async, params))
                oldest.extend(page["data"])
                if not page["has_more"] or not page["data"]:
                    break
                cursor = page["data"][-1]["id"]
            ordered = list(reversed(oldest))  # oldest first
            has_more = len(ordered) > limit
            events = [mapping.gateway_event(e) for e in ordered[:limit]]
        next_cursor = events[-1].cursor if events else after
        return EventPage(events=tuple(events), next_cursor=next_cursor, has_more=has_more)

    # ------------------------------------------------------------------ plumbing

    async def _method(self, payment_method: str) -> Obj:
        """The PaymentMethod to charge (its type decides the parameters). A test card id is
        not looked up; for others, this read failing means the charge was not sent."""
        if payment_method.startswith(TEST_CARD_PREFIX):
            return {"id": payment_method, "type": "card"}
        return await self._read_before_write(
            lambda: self._client.v1.payment_methods.retrieve_async(payment_method)
        )

    async def _currency(self, reference: str) -> str:
        """The currency of a PaymentIntent, to convert an amount before capture / refund."""
        pi = await self._read_before_write(
            lambda: self._client.v1.payment_intents.retrieve_async(reference)
        )
        return str(pi["currency"])

    async def _read_before_write(self, send: Callable[[], Awaitable[stripe.StripeObject]]) -> Obj:
        try:
            return await self._call(send)
        except GatewayOutcomeUnknown as exc:  # a read: the write after it was never sent
            raise GatewayNotSent(f"not sent, a preliminary read failed: {exc}") from exc

    async def _call(
        self,
        send: Callable[[], Awaitable[stripe.StripeObject]],
        *,
        idempotency_key: str | None = None,
    ) -> Obj:
        """One SDK call (with the SDK's retries); Stripe errors become port errors."""
        with traced() as attempts:
            try:
                result = await send()
            except stripe.StripeError as exc:
                raise map_error(exc, attempts, idempotency_key=idempotency_key) from exc
        return result.to_dict()

    async def _intent(
        self, send: Callable[[], Awaitable[stripe.StripeObject]], idempotency_key: str
    ) -> ChargeResult:
        """A PaymentIntent call; a card error carrying the intent is a declined result."""
        with traced() as attempts:
            try:
                result = await send()
            except stripe.CardError as exc:
                body = exc.json_body.get("error") if isinstance(exc.json_body, dict) else None
                intent = (body or {}).get("payment_intent")
                if not isinstance(intent, dict):
                    raise map_error(exc, attempts, idempotency_key=idempotency_key) from exc
                return mapping.charge_result(
                    intent, payment_method_object=(body or {}).get("payment_method")
                )
            except stripe.StripeError as exc:
                raise map_error(exc, attempts, idempotency_key=idempotency_key) from exc
        return mapping.charge_result(result.to_dict())
