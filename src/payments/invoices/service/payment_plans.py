"""Several payers: ``POST /v1/invoices/{id}/payment_plan`` splits what an open invoice
owes into shares (:mod:`payments.invoices.domain.payment_plan`), and every payment
applied to the invoice is applied to its shares (:func:`apply_to_shares`, called by
:mod:`payments.invoices.service.payments` in the payment's own transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from payments.invoices.domain.model import Invoice
from payments.invoices.domain.payment_plan import (
    InvoiceShare,
    ShareInput,
    ShareStatus,
    allocate_to_shares,
    split,
)
from payments.invoices.domain.status import InvoiceOperation, invoice_transition
from payments.invoices.repository import InvoiceShareRepository
from payments.invoices.service.common import customer_of, visible_invoice
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.ids import id_for
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory


async def create_payment_plan(
    invoice_id: str,
    shares: Sequence[ShareInput],
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> tuple[Invoice, list[InvoiceShare]]:
    """Split what the (open) invoice owes now between payers; one plan per invoice."""
    ctx.require(Permission.write_payments)
    async with uow_factory() as uow:
        invoice = await visible_invoice(uow, invoice_id, ctx, for_update=True)
        invoice_transition(invoice.status, InvoiceOperation.PAY)  # open or uncollectible
        if invoice.amount_remaining <= 0:
            raise InvalidRequest("This invoice owes nothing.", code="invoice_unexpected_state")
        repo = uow.repo(InvoiceShareRepository)
        if await repo.of_invoice(invoice.id):
            raise InvalidRequest(
                "This invoice has a payment plan already.",
                code="payment_plan_exists",
                param="shares",
            )
        amounts = split(invoice.amount_remaining, shares)
        now = clock.now()
        made: list[InvoiceShare] = []
        for i, (share, amount) in enumerate(zip(shares, amounts, strict=True)):
            payer = invoice.customer_id
            if share.customer is not None:
                payer = (
                    await customer_of(uow, ctx, share.customer, param=f"shares[{i}][customer]")
                ).id
            made.append(
                InvoiceShare(
                    id=id_for("invoice_share"),
                    invoice_id=invoice.id,
                    position=i,
                    customer_id=payer,
                    currency=invoice.currency,
                    amount=amount,
                    amount_paid=0,
                    status=ShareStatus.OPEN,
                    created=now,
                    percent=share.percent,
                    due_date=share.due_date or invoice.due_date,
                    payment_method_hint=share.payment_method_hint,
                )
            )
        await repo.add_all(made)
        await uow.commit()
    return invoice, made


async def retrieve_payment_plan(
    invoice_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> tuple[Invoice, list[InvoiceShare]]:
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        invoice = await visible_invoice(uow, invoice_id, ctx)
        shares = await uow.repo(InvoiceShareRepository).of_invoice(invoice.id)
    if not shares:
        raise NotFound(f"The invoice {invoice_id} has no payment plan.", code="resource_missing")
    return invoice, shares


async def open_share(uow: UnitOfWork, invoice: Invoice, share_id: str) -> InvoiceShare:
    """A share of ``invoice`` that still owes something (404 / 400 naming ``share``)."""
    for share in await uow.repo(InvoiceShareRepository).of_invoice(invoice.id):
        if share.id == share_id:
            if share.status is not ShareStatus.OPEN:
                raise InvalidRequest(
                    f"The share {share_id} is paid.", code="invoice_share_paid", param="share"
                )
            return share
    raise NotFound.of("invoice_share", share_id, param="share")


def check_share_amount(share: InvoiceShare, amount: int) -> None:
    """Paying more than a share still owes is refused (nothing is written)."""
    if amount > share.amount_remaining:
        raise InvalidRequest(
            f"The share {share.id} owes {share.amount_remaining}; a payment of {amount} "
            "would pay more than that.",
            code="amount_too_large",
            param="amount",
        )


async def apply_to_shares(
    uow: UnitOfWork, invoice: Invoice, amount: int, *, share_id: str | None, now: datetime
) -> None:
    """``amount`` (applied to the locked ``invoice``) is applied to its shares: the share
    named first, then the open ones in order."""
    repo = uow.repo(InvoiceShareRepository)
    shares = await repo.of_invoice(invoice.id)
    if not shares or amount <= 0:
        return
    taken = allocate_to_shares(shares, amount, first=share_id)
    for share in shares:
        part = taken.get(share.id, 0)
        if not part:
            continue
        share.amount_paid += part
        if share.amount_remaining == 0:
            share.status = ShareStatus.PAID
            share.paid_at = now
        await repo.save(share)
