"""How a refund of a payment that paid an invoice gets its credit note.

A refund of an invoiced payment must be documented by a credit note (GoBD: a
finalized invoice is never changed; corrections are credit notes), and the credit
note's posting moves the refunded amount out of ``sales`` and ``vat_payable`` before
the refund moves it out of ``revenue_clearing``. Invoicing sits above refunds, so it
registers an :class:`InvoiceRefunds` here (:func:`register_invoice_refunds`, called by
the composition root) instead of this capability importing it.

Lock order: the invoice, then the charge (invoicing's own credit notes lock the
invoice first too), so the two paths cannot deadlock.
"""

from __future__ import annotations

from typing import Protocol

from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.platform.db.uow import UnitOfWork


class InvoiceRefunds(Protocol):
    async def lock_invoice(self, uow: UnitOfWork, invoice_id: str) -> None:
        """Take the invoice's row lock (before the charge's)."""

    async def refund_requested(
        self,
        uow: UnitOfWork,
        *,
        invoice_id: str,
        refund_id: str,
        amount: int,
        currency: str,
        reason: str | None,
        clock: Clock,
        ctx: RequestContext,
    ) -> None:
        """Issue the credit note of refund ``refund_id`` (or refuse it: it would credit
        more than the invoice's total)."""


_registered: list[InvoiceRefunds] = []


def register_invoice_refunds(listener: InvoiceRefunds) -> None:
    _registered[:] = [listener]


def invoice_refunds() -> InvoiceRefunds:
    if not _registered:
        raise LookupError("no invoice refunds listener is registered (payments.app.capabilities)")
    return _registered[0]
