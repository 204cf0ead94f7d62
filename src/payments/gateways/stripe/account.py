"""Stripe-only helpers for finance (mixed into StripeGateway): disputes (also the port's
optional ``DisputeManagement``), balance transactions (fees), payouts, and webhooks.

``event_from_webhook`` verifies ``Stripe-Signature`` with the endpoint's signing secret
(``PAYMENTS_STRIPE_WEBHOOK_SECRET``) and maps the event exactly as ``list_events`` does;
the webhook receiver (``POST /webhooks/stripe``) answers 400 on
:class:`~.errors.WebhookSignatureInvalid`, 200 on ``None`` (a type we do not use), and
hands any other event to the service.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, cast

import stripe

from payments.gateways.protocol import (
    EVENT_TYPES,
    BalanceTransaction,
    Dispute,
    FeeDetail,
    GatewayEvent,
    Payout,
)

from . import mapping
from .currency import fee_from_stripe, from_stripe
from .errors import WebhookSignatureInvalid

if TYPE_CHECKING:
    from stripe.params import (
        BalanceTransactionListParams,
        DisputeUpdateParams,
        DisputeUpdateParamsEvidence,
        PayoutListParams,
    )

Obj = dict[str, Any]
WEBHOOK_TOLERANCE_SECONDS = 300
# Stripe's main PaymentIntent outcome events. The polled feed leaves them out (its
# charge.* events carry the same news), but endpoints set up from Stripe's guides send
# them, and applying one re-fetches the intent, so they are safe in any order.
WEBHOOK_ONLY_TYPES = frozenset({"payment_intent.succeeded", "payment_intent.payment_failed"})


class AccountOperations:
    _client: stripe.StripeClient
    _webhook_secret: str | None

    if TYPE_CHECKING:

        async def _call(
            self,
            send: Callable[[], Awaitable[stripe.StripeObject]],
            *,
            idempotency_key: str | None = None,
        ) -> Obj: ...

    # ------------------------------------------------------------------ disputes

    async def retrieve_dispute(self, dispute: str) -> Dispute:
        return mapping.dispute(
            await self._call(lambda: self._client.v1.disputes.retrieve_async(dispute))
        )

    async def update_dispute_evidence(
        self,
        dispute: str,
        evidence: Mapping[str, str],
        *,
        idempotency_key: str,
        submit: bool = False,
    ) -> Dispute:
        """Attach evidence (Stripe's evidence field names); ``submit=True`` sends it now."""
        # Stripe's evidence field names, passed through as the caller names them (the
        # service checks them against the dispute domain's TEXT_EVIDENCE / FILE_EVIDENCE)
        params: DisputeUpdateParams = {
            "evidence": cast("DisputeUpdateParamsEvidence", dict(evidence)),
            "submit": submit,
        }
        updated = await self._call(
            lambda: self._client.v1.disputes.update_async(
                dispute,
                params,
                {"idempotency_key": idempotency_key},
            ),
            idempotency_key=idempotency_key,
        )
        return mapping.dispute(updated)

    async def close_dispute(self, dispute: str, *, idempotency_key: str) -> Dispute:
        """Accept the dispute (the funds stay with the customer)."""
        closed = await self._call(
            lambda: self._client.v1.disputes.close_async(
                dispute, None, {"idempotency_key": idempotency_key}
            ),
            idempotency_key=idempotency_key,
        )
        return mapping.dispute(closed)

    # ------------------------------------------------------------------ balance and payouts
    # The port's optional BalanceReporting: Stripe's list endpoints, paged through
    # (``starting_after`` the last id while ``has_more``), 100 objects a request.

    async def _every(
        self, send: Callable[[dict[str, Any]], Awaitable[stripe.StripeObject]], params: Obj
    ) -> list[Obj]:
        found: list[Obj] = []
        while True:
            page = await self._call(partial(send, params))
            data = list(page.get("data") or [])
            found += data
            if not page.get("has_more") or not data:
                return found
            params = params | {"starting_after": str(data[-1]["id"])}

    async def retrieve_balance_transaction(self, transaction: str) -> BalanceTransaction:
        """Fees: ``fee`` rounded ROUND_HALF_UP to our minor unit, ``net = amount - fee``."""
        txn = await self._call(
            lambda: self._client.v1.balance_transactions.retrieve_async(
                transaction, {"expand": ["source"]}
            )
        )
        return _balance_transaction(txn, payout=None)

    async def list_balance_transactions(
        self,
        *,
        payout: str | None = None,
        type: str | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
    ) -> tuple[BalanceTransaction, ...]:
        """``GET /v1/balance_transactions`` with its ``payout``, ``type`` and ``created``
        filters, every page, sources expanded (a charge is known to us by its
        PaymentIntent), oldest first."""
        params: Obj = {"limit": 100, "expand": ["data.source"]}
        if payout:
            params["payout"] = payout
        if type:
            params["type"] = type
        created = _range(created_from, created_to)
        if created:
            params["created"] = created
        items = await self._every(
            lambda p: self._client.v1.balance_transactions.list_async(
                cast("BalanceTransactionListParams", p)
            ),
            params,
        )
        txns = [_balance_transaction(t, payout=payout) for t in items]
        return tuple(sorted(txns, key=lambda t: (t.created, t.id)))

    async def list_payouts(
        self, *, arrival_from: datetime | None = None, arrival_to: datetime | None = None
    ) -> tuple[Payout, ...]:
        """``GET /v1/payouts`` arriving in ``[arrival_from, arrival_to)``, every page,
        oldest first."""
        params: Obj = {"limit": 100}
        arrival = _range(arrival_from, arrival_to)
        if arrival:
            params["arrival_date"] = arrival
        items = await self._every(
            lambda p: self._client.v1.payouts.list_async(cast("PayoutListParams", p)), params
        )
        return tuple(sorted((_payout(p) for p in items), key=lambda p: (p.created, p.id)))

    async def retrieve_payout(self, payout: str) -> Payout:
        return _payout(await self._call(lambda: self._client.v1.payouts.retrieve_async(payout)))

    # ------------------------------------------------------------------ webhooks

    def event_from_webhook(
        self, payload: bytes, signature: str | None, *, tolerance: int = WEBHOOK_TOLERANCE_SECONDS
    ) -> GatewayEvent | None:
        """Verify a webhook and map it; None for event types outside ``EVENT_TYPES`` and
        ``WEBHOOK_ONLY_TYPES`` (acknowledge those with 200 and ignore them)."""
        if not self._webhook_secret:
            raise WebhookSignatureInvalid("PAYMENTS_STRIPE_WEBHOOK_SECRET is not configured")
        try:
            event = self._client.construct_event(
                payload, signature, self._webhook_secret, tolerance
            )
        except stripe.SignatureVerificationError as exc:
            raise WebhookSignatureInvalid(str(exc.user_message or exc)) from None
        except ValueError as exc:
            raise WebhookSignatureInvalid(f"invalid payload: {exc}") from None
        data = event.to_dict()
        if data.get("type") not in EVENT_TYPES and data.get("type") not in WEBHOOK_ONLY_TYPES:
            return None
        try:
            return mapping.gateway_event(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # a signed event we cannot read: kept (and reported by the applier), so that
            # Stripe's delivery succeeds and the news is not lost; never a 500
            problem = f"unreadable {data.get('type')} event: {type(exc).__name__}: {exc}"
            return GatewayEvent(
                id=str(data.get("id") or ""),
                cursor=str(data.get("id") or ""),
                type=str(data.get("type") or ""),
                created=mapping.timestamp(data.get("created")),
                problem=problem[:400],
            )


def _range(start: datetime | None, end: datetime | None) -> Obj:
    """Stripe's range filter (``gte`` / ``lt``, Unix seconds)."""
    out: Obj = {}
    if start is not None:
        out["gte"] = int(start.timestamp())
    if end is not None:
        out["lt"] = int(end.timestamp())
    return out


def _payout(po: Obj) -> Payout:
    currency = str(po["currency"])
    return Payout(
        id=str(po["id"]),
        amount=from_stripe(int(po["amount"]), currency),
        currency=currency,
        status=str(po.get("status") or ""),
        arrival_date=mapping.timestamp(po.get("arrival_date")),
        created=mapping.timestamp(po.get("created")),
        balance_transaction=mapping.ident(po.get("balance_transaction")),
        automatic=bool(po.get("automatic", True)),
        failure_code=po.get("failure_code"),
        method=str(po.get("method") or "standard"),
        description=po.get("description"),
    )


def _source_reference(source: Any) -> str | None:
    """The id our records know a movement's source by: a charge by its PaymentIntent
    (the reference of our attempts at Stripe), anything else by its own id."""
    obj = mapping.expanded(source)
    if obj is not None and obj.get("object") == "charge":
        return mapping.ident(obj.get("payment_intent")) or str(obj["id"])
    return mapping.ident(source)


def _balance_transaction(txn: Obj, *, payout: str | None) -> BalanceTransaction:
    currency = str(txn["currency"])
    amount = from_stripe(int(txn["amount"]), currency)
    fee = fee_from_stripe(int(txn.get("fee") or 0), currency)
    details = tuple(
        FeeDetail(
            amount=fee_from_stripe(int(d.get("amount") or 0), str(d.get("currency") or currency)),
            currency=str(d.get("currency") or currency),
            type=str(d.get("type") or "stripe_fee"),
            description=d.get("description"),
        )
        for d in txn.get("fee_details") or ()
        if isinstance(d, Mapping)
    )
    kind = str(txn.get("type") or "")
    return BalanceTransaction(
        id=str(txn["id"]),
        type=kind,
        reporting_category=str(txn.get("reporting_category") or kind),
        amount=amount,
        fee=fee,
        net=amount - fee,
        currency=currency,
        status=str(txn.get("status") or ""),
        source=mapping.ident(txn.get("source")),
        source_reference=_source_reference(txn.get("source")),
        created=mapping.timestamp(txn.get("created")),
        available_on=mapping.timestamp(txn.get("available_on")),
        fee_details=details,
        payout=payout,
        description=txn.get("description"),
    )
