"""How a PaymentIntent that pays an invoice tells its invoice.

Invoicing sits above payments, so it registers an :class:`InvoicePayments` here
(:func:`register_invoice_payments`, called by the composition root) instead of this
capability importing it. :func:`payments.intents.service.apply.apply_charge_result`
calls it in the same transaction as the intent's own change, whichever path brought
the gateway's answer (the synchronous reply, recovery, or a gateway event).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from payments.intents.domain.model import PaymentIntent
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.platform.db.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class PayableInvoice:
    """What a PaymentIntent created with ``invoice`` takes from it."""

    id: str
    location_id: str
    currency: str
    customer_id: str
    amount_remaining: int


class InvoicePayments(Protocol):
    async def payable(
        self, uow: UnitOfWork, invoice_id: str, *, ctx: RequestContext
    ) -> PayableInvoice:
        """The invoice ``invoice_id`` as a new payment may pay it: visible to the key (else
        404 naming ``invoice``) and owing something (else 400 naming ``invoice``)."""

    async def payment_succeeded(
        self, uow: UnitOfWork, pi: PaymentIntent, *, clock: Clock, ctx: RequestContext
    ) -> None:
        """``pi`` (with ``invoice_id``) succeeded: allocate ``amount_received`` to its invoice."""

    async def payment_failed(
        self, uow: UnitOfWork, pi: PaymentIntent, *, clock: Clock, ctx: RequestContext
    ) -> None:
        """An attempt of ``pi`` failed; it waits for another payment method."""


_registered: list[InvoicePayments] = []


def register_invoice_payments(listener: InvoicePayments) -> None:
    _registered[:] = [listener]


def invoice_payments() -> InvoicePayments:
    if not _registered:
        raise LookupError("no invoice payments listener is registered (payments.app.capabilities)")
    return _registered[0]
