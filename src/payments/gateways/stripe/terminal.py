"""Stripe Terminal, server-driven: readers, their actions, connection tokens.

:class:`TerminalOperations` maps the port's optional
:class:`~payments.gateways.protocol.TerminalReaders` calls onto Stripe's Terminal API:
``POST /v1/terminal/readers`` (register), ``GET /v1/terminal/readers/{id}``,
``POST /v1/terminal/connection_tokens``, and the reader actions
``process_payment_intent`` (after creating the card_present PaymentIntent it collects,
with the idempotency key ``<key>-pi``), ``refund_payment``, ``set_reader_display`` and
``cancel_action``. Every mutating call carries the caller's idempotency key; errors are
mapped as everywhere (``terminal_reader_offline``, ``terminal_reader_busy``, ... keep
Stripe's codes).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from payments.gateways.protocol import Cart, Reader, ReaderPaymentRequest, RefundResult

from . import mapping
from .charges import checked_money, stripe_amount

if TYPE_CHECKING:
    import stripe

Obj = dict[str, Any]


class TerminalOperations:
    """Stripe Terminal calls (a mixin of :class:`~.gateway.StripeGateway`)."""

    if TYPE_CHECKING:
        _client: stripe.StripeClient

        async def _call(
            self,
            send: Callable[[], Awaitable[stripe.StripeObject]],
            *,
            idempotency_key: str | None = None,
        ) -> Obj: ...

    async def register_reader(
        self, *, registration_code: str, label: str, location: str | None, idempotency_key: str
    ) -> Reader:
        params: Obj = {"registration_code": registration_code, "label": label}
        if location is not None:
            params["location"] = location
        reader = await self._call(
            lambda: self._client.v1.terminal.readers.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": idempotency_key},
            ),
            idempotency_key=idempotency_key,
        )
        return mapping.reader(reader)

    async def retrieve_reader(self, reference: str) -> Reader:
        reader = await self._call(
            lambda: self._client.v1.terminal.readers.retrieve_async(reference)
        )
        return mapping.reader(reader)

    async def create_connection_token(self, *, location: str | None) -> str:
        params: Obj = {"location": location} if location else {}
        token = await self._call(
            lambda: self._client.v1.terminal.connection_tokens.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": f"pst-{location or 'any'}-{id(params)}"},
            )
        )
        return str(token["secret"])

    async def process_payment(self, reader: str, request: ReaderPaymentRequest) -> Reader:
        currency, amount = checked_money(request.amount, request.currency)
        key = request.idempotency_key
        intent: Obj = {
            "amount": amount,
            "currency": currency,
            "payment_method_types": ["card_present"],
            "capture_method": request.capture_method,
            "metadata": {**request.metadata, "payments_attempt": key},
        }
        if request.description:
            intent["description"] = request.description
        pi = await self._call(
            lambda: self._client.v1.payment_intents.create_async(
                intent,  # type: ignore[arg-type]
                {"idempotency_key": f"{key}-pi"},
            ),
            idempotency_key=f"{key}-pi",
        )
        sent = await self._call(
            lambda: self._client.v1.terminal.readers.process_payment_intent_async(
                reader, {"payment_intent": str(pi["id"])}, {"idempotency_key": key}
            ),
            idempotency_key=key,
        )
        return mapping.reader(sent)

    async def refund_payment(
        self, reader: str, charge: str, *, amount: int | None, idempotency_key: str
    ) -> Reader:
        params: Obj = {"payment_intent": charge}  # our charge reference is the PaymentIntent
        if amount is not None:
            pi = await self._call(lambda: self._client.v1.payment_intents.retrieve_async(charge))
            params["amount"] = stripe_amount(amount, str(pi["currency"]))
        sent = await self._call(
            lambda: self._client.v1.terminal.readers.refund_payment_async(
                reader,
                params,  # type: ignore[arg-type]
                {"idempotency_key": idempotency_key},
            ),
            idempotency_key=idempotency_key,
        )
        return mapping.reader(sent)

    async def set_reader_display(self, reader: str, cart: Cart, *, idempotency_key: str) -> Reader:
        currency = cart.currency.lower()
        body: Obj = {
            "currency": currency,
            "line_items": [
                {
                    "amount": stripe_amount(line.amount, currency),
                    "description": line.description,
                    "quantity": line.quantity,
                }
                for line in cart.line_items
            ],
            "total": stripe_amount(cart.total, currency),
        }
        if cart.tax is not None:
            body["tax"] = stripe_amount(cart.tax, currency)
        sent = await self._call(
            lambda: self._client.v1.terminal.readers.set_reader_display_async(
                reader,
                {"type": "cart", "cart": body},  # type: ignore[typeddict-item]
                {"idempotency_key": idempotency_key},
            ),
            idempotency_key=idempotency_key,
        )
        return mapping.reader(sent)

    async def cancel_reader_action(self, reader: str, *, idempotency_key: str) -> Reader:
        sent = await self._call(
            lambda: self._client.v1.terminal.readers.cancel_action_async(
                reader, None, {"idempotency_key": idempotency_key}
            ),
            idempotency_key=idempotency_key,
        )
        return mapping.reader(sent)

    async def retrieve_refund(self, reference: str) -> RefundResult:
        refund = await self._call(lambda: self._client.v1.refunds.retrieve_async(reference))
        return mapping.refund_result(refund)
