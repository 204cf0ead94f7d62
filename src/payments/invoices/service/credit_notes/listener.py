"""A refund through ``POST /v1/refunds`` of a payment that paid an invoice gets its credit
note, in the refund's transaction."""

from __future__ import annotations

from payments.invoices.domain.commands import CreateCreditNote
from payments.invoices.domain.credit_note import FROM_REFUND_REASON
from payments.invoices.repository import InvoiceRepository
from payments.invoices.service.credit_notes.issue import CREDITABLE, _issue
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest
from payments.platform.db.uow import UnitOfWork
from payments.refunds.domain.refund import InvalidRefundAmount


class InvoiceRefundsListener:
    """Registered with refunds (:func:`payments.refunds.service.invoice_refunds.
    register_invoice_refunds`): a refund of an invoiced payment gets its credit note."""

    async def lock_invoice(self, uow: UnitOfWork, invoice_id: str) -> None:
        await uow.repo(InvoiceRepository).get(invoice_id, for_update=True)

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
        invoice = await uow.repo(InvoiceRepository).get(invoice_id, for_update=True)
        if invoice is None or invoice.status not in CREDITABLE:
            return  # a void invoice's payment was the customer's credit: nothing to correct
        try:
            await _issue(
                uow,
                invoice,
                build=CreateCreditNote(
                    invoice=invoice_id,
                    amount=amount,
                    refund_amount=amount,
                    memo=f"Refund {refund_id}",
                ),
                reason=FROM_REFUND_REASON.get(reason or ""),
                refund_ids=[(refund_id, amount)],
                policy=None,
                gateway="",
                clock=clock,
                ctx=ctx,
            )
        except InvalidRequest as exc:  # the refund is what was asked: name its amount
            raise InvalidRefundAmount(
                f"This payment paid invoice {invoice.number}, which a credit note must "
                f"correct: {exc.message}",
                code=exc.code,
                param="amount",
            ) from None
