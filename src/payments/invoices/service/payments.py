"""Paying an invoice: out of band, or through a PaymentIntent off-session.

An invoice takes any number of payments, each an :class:`InvoicePayment`
(``GET /v1/invoices/{id}/payments``): ``amount_paid`` grows and ``amount_remaining``
shrinks with each, the invoice stays ``open`` while anything remains and is ``paid`` at
zero; what a payment brings beyond what is owed goes to the customer's credit balance
(``customer_credit``), never lost.

``pay`` with ``paid_out_of_band=true`` records that money arrived outside the gateway
(``method``: cash at the counter, a card terminal, a bank transfer, other; ``amount``,
default what remains; a ``note``): one transaction, posted ``invoice_paid_out_of_band``
with the invoice payment as source. Other capabilities (bank statements) apply money
inside their own unit of work with :func:`record_offline_payment`.

Otherwise the invoice is charged through the PaymentIntents machinery, so every rule of
payments holds (attempt recorded before the call, idempotency key from it, no
transaction open across it, recovery of unknown outcomes):

0. the payment method (the one given, else the invoice's ``default_payment_method``,
   else the customer's newest saved method) is resolved, a gateway test id tokenized,
   with no transaction open;
1. one transaction locks the invoice, refuses it unless it is open (or uncollectible)
   with no payment in flight, and creates (or reuses) its PaymentIntent for what it
   still owes, with ``invoice`` set;

Lock order: a settling payment holds its intent and charge, then takes the invoice;
so invoicing never waits for an intent's lock while it holds an invoice's (it reads the
intent instead, and the confirm locks it alone).
2. the intent is confirmed off-session (:func:`payments.intents.service.flow.confirm_payment_intent`).

Whichever path brings the gateway's answer (this request, the recovery job, a gateway
event), :class:`InvoicePaymentsListener` applies it in the intent's own transaction:
the payment is allocated (``invoice_payment``: revenue_clearing -> accounts_receivable,
anything beyond what is owed -> customer_credit) and the invoice is paid; a failed
attempt records ``invoice.payment_failed``. Whatever the path, money applied to an
advance-payment invoice makes the VAT of what was received payable
(``advance_vat_due``, :mod:`payments.invoices.service.advances`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from payments.events.service import record_event
from payments.gateways.protocol import PaymentGateway
from payments.intents.domain.commands import (
    AcceptedMethodType,
    ConfirmPaymentIntent,
    CreatePaymentIntent,
)
from payments.intents.domain.model import PaymentIntent
from payments.intents.domain.payment_intent import PaymentIntentStatus as PIS
from payments.intents.render import payment_intent_object
from payments.intents.repository import PaymentIntentRepository, PaymentMethodRepository
from payments.intents.service import flow
from payments.intents.service.invoice_payments import PayableInvoice
from payments.intents.service.payment_intents import new_payment_intent, resolve_payment_method
from payments.intents.service.payment_methods import known_payment_method
from payments.invoices.domain.commands import PayInvoice
from payments.invoices.domain.invoice_payment import (
    InvoicePayment,
    InvoicePaymentStatus,
    InvoicePaymentType,
    OfflineMethod,
    allocate,
    offline_method,
)
from payments.invoices.domain.model import Invoice, InvoiceLine
from payments.invoices.domain.payment_plan import InvoiceShare
from payments.invoices.domain.status import InvoiceOperation, InvoiceStatus, invoice_transition
from payments.invoices.render import invoice_object, invoice_payment_object
from payments.invoices.repository import InvoicePaymentRepository, InvoiceRepository
from payments.invoices.service import installments
from payments.invoices.service.advances import vat_on_receipt
from payments.invoices.service.common import lines_of, visible_invoice
from payments.invoices.service.payment_plans import (
    apply_to_shares,
    check_share_amount,
    open_share,
)
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import SYSTEM, RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.ids import id_for, looks_like
from payments.kernel.money import Money
from payments.kernel.pagination import Page, PageRequest
from payments.ledger.domain import postings
from payments.ledger.domain.journal import Source
from payments.ledger.repository import LedgerRepository
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory

_REUSABLE = (PIS.REQUIRES_PAYMENT_METHOD, PIS.REQUIRES_CONFIRMATION)
#: The PaymentIntent's metadata key naming the payment plan share it pays.
SHARE_METADATA_KEY = "invoice_share"
_IN_FLIGHT = (PIS.PROCESSING, PIS.REQUIRES_ACTION, PIS.REQUIRES_CAPTURE)


def _payable(invoice: Invoice) -> None:
    invoice_transition(invoice.status, InvoiceOperation.PAY)
    if invoice.amount_remaining <= 0:
        raise InvalidRequest(
            "This invoice owes nothing.", code="invoice_unexpected_state", param="id"
        )


async def pay_invoice(
    cmd: PayInvoice,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
    max_amount: int,
) -> tuple[Invoice, list[InvoiceLine]]:
    ctx.require(Permission.write_payments)
    if cmd.paid_out_of_band:
        if cmd.payment_method:
            raise InvalidRequest(
                "Give either payment_method or paid_out_of_band=true, not both.",
                param="payment_method",
            )
        return await _paid_out_of_band(cmd, uow_factory=uow_factory, clock=clock, ctx=ctx)
    await charge_invoice(
        cmd, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx, max_amount=max_amount
    )
    async with uow_factory() as uow:
        invoice = await visible_invoice(uow, cmd.id, ctx)
        return invoice, await lines_of(uow, invoice.id)


async def charge_invoice(
    cmd: PayInvoice,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
    max_amount: int,
) -> None:
    """Pay ``cmd.id`` through the gateway (off-session, the invoice's PaymentIntent):
    :func:`pay_invoice` without reading the invoice back (the renewal worker reads it in
    its own next transaction). Declines raise ``CardError``."""
    ctx.require(Permission.write_payments)
    for name in ("amount", "method", "note", "reference"):  # share: either way
        if getattr(cmd, name) is not None:
            raise InvalidRequest(
                f"{name} describes a payment made outside the service: it is accepted "
                "only with paid_out_of_band=true.",
                param=name,
            )
    async with uow_factory() as uow:  # checked before the gateway tokenizes anything
        invoice = await visible_invoice(uow, cmd.id, ctx, for_update=True)
        _payable(invoice)
        if cmd.share is not None:
            await open_share(uow, invoice, cmd.share)
        method = cmd.payment_method or invoice.default_payment_method
        if method is None:
            newest = await uow.repo(PaymentMethodRepository).newest_of_customer(invoice.customer_id)
            method = newest.id if newest is not None else None
        if method is None:
            raise InvalidRequest(
                "The customer has no saved payment method: give payment_method, or "
                "paid_out_of_band=true for a payment made outside the service.",
                code="parameter_missing",
                param="payment_method",
            )
        # one of our own methods needs no gateway: checked, and phase 1 done, in this
        # same transaction; anything else is tokenized first, with no transaction open
        known = (
            await known_payment_method(uow, method, ctx, param="payment_method")
            if looks_like("pm", method)
            else None
        )
        own = known is not None
        if known is not None:
            pm_id = known.id
            pi = await _begin_payment(
                uow, invoice, cmd, clock=clock, ctx=ctx, max_amount=max_amount
            )
            await uow.commit()
    if not own:
        pm_id = (
            await resolve_payment_method(
                method, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx
            )
        ).id
        async with uow_factory() as uow:  # phase 1: the invoice's intent
            invoice = await visible_invoice(uow, cmd.id, ctx, for_update=True)
            _payable(invoice)
            pi = await _begin_payment(
                uow, invoice, cmd, clock=clock, ctx=ctx, max_amount=max_amount
            )
            await uow.commit()
    await flow.confirm_payment_intent(
        pi.id,
        ConfirmPaymentIntent(payment_method=pm_id, off_session=True),
        uow_factory=uow_factory,
        gateway=gateway,
        clock=clock,
        ctx=ctx,
    )


async def _begin_payment(
    uow: UnitOfWork,
    invoice: Invoice,
    cmd: PayInvoice,
    *,
    clock: Clock,
    ctx: RequestContext,
    max_amount: int,
) -> PaymentIntent:
    """Phase 1 of paying: the invoice's intent (the invoice locked by the caller)."""
    share = await open_share(uow, invoice, cmd.share) if cmd.share is not None else None
    pi = await intent_for(uow, invoice, share, clock=clock, ctx=ctx, max_amount=max_amount)
    invoice.payment_intent_id = pi.id
    invoice.attempt_count += 1
    await uow.repo(InvoiceRepository).save(invoice)
    return pi


async def intent_for_reader(
    invoice_id: str,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
    max_amount: int,
) -> PaymentIntent:
    """The invoice's PaymentIntent for a card read at a shop's reader (``card_present``):
    its waiting one if that accepts card_present and is for what it owes, else a new one
    (phase 1 of paying an invoice at the counter; the reader collects it)."""
    ctx.require(Permission.write_payments)
    async with uow_factory() as uow:
        invoice = await visible_invoice(uow, invoice_id, ctx, for_update=True, param="invoice")
        _payable(invoice)
        pi = await intent_for(
            uow,
            invoice,
            None,
            clock=clock,
            ctx=ctx,
            max_amount=max_amount,
            types=("card_present",),
        )
        invoice.payment_intent_id = pi.id
        invoice.attempt_count += 1
        await uow.repo(InvoiceRepository).save(invoice)
        await uow.commit()
    return pi


async def intent_for(
    uow: UnitOfWork,
    invoice: Invoice,
    share: InvoiceShare | None,
    *,
    clock: Clock,
    ctx: RequestContext,
    max_amount: int,
    types: tuple[AcceptedMethodType, ...] = (),
    at_most: int | None = None,
    marks: dict[str, str] | None = None,
) -> PaymentIntent:
    """The invoice's waiting PaymentIntent for what it (or the share) owes (accepting
    ``types``, if given), or a new one, inside the caller's unit of work (the invoice
    locked; the caller sets ``invoice.payment_intent_id`` and commits).

    A share's intent carries :data:`SHARE_METADATA_KEY` and the share's payer as its
    customer (the listener applies its payment to that share first). ``at_most`` caps
    the amount (a payment link's limit); ``marks`` are added to a new intent's metadata
    (a payment link names itself). Refused while a payment of the invoice is in flight.
    """
    amount = invoice.amount_remaining if share is None else share.amount_remaining
    if at_most is not None:
        amount = min(amount, at_most)
    metadata = {"invoice": invoice.id, "invoice_number": invoice.number or "", **(marks or {})}
    if share is not None:
        metadata[SHARE_METADATA_KEY] = share.id
    if invoice.payment_intent_id is not None:
        # read, not locked: the settlement of a payment locks the intent, then the invoice
        # (InvoicePaymentsListener); taking them here in the other order could deadlock.
        # The confirm that follows locks the intent and refuses a second attempt.
        current = await uow.repo(PaymentIntentRepository).get(invoice.payment_intent_id)
        if current is not None and current.status in _IN_FLIGHT:
            raise InvalidRequest(
                f"A payment of this invoice is in progress ({current.id}, {current.status}).",
                code="invoice_payment_in_progress",
            )
        if (
            current is not None
            and current.status in _REUSABLE
            and current.amount == amount
            and current.metadata.get(SHARE_METADATA_KEY) == metadata.get(SHARE_METADATA_KEY)
            and set(types) <= set(current.payment_method_types)
        ):
            return current
    pi = await new_payment_intent(
        uow,
        CreatePaymentIntent(
            amount=amount,
            currency=invoice.currency,
            location=invoice.location_id,
            customer=invoice.customer_id if share is None else share.customer_id,
            description=f"Invoice {invoice.number}",
            metadata=metadata,
            payment_method_types=types,
        ),
        None,
        ctx=ctx,
        clock=clock,
        max_amount=max_amount,
    )
    pi.invoice_id = invoice.id
    await uow.repo(PaymentIntentRepository).add(pi)
    await record_event(
        uow,
        "payment_intent.created",
        payment_intent_object(pi),
        ctx=ctx,
        clock=clock,
        location_id=pi.location_id,
    )
    return pi


async def _paid_out_of_band(
    cmd: PayInvoice, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> tuple[Invoice, list[InvoiceLine]]:
    method = offline_method(cmd.method or OfflineMethod.OTHER.value)
    async with uow_factory() as uow:
        current = await visible_invoice(uow, cmd.id, ctx, for_update=True)
        _payable(current)
        if current.payment_intent_id is not None:
            # the charge ``pay`` started is still running: wait for its outcome
            pi = await uow.repo(PaymentIntentRepository).get(current.payment_intent_id)
            if pi is not None and pi.status in _IN_FLIGHT:
                raise InvalidRequest(
                    f"A payment of this invoice is in progress ({pi.id}, {pi.status}).",
                    code="invoice_payment_in_progress",
                )
        amount = current.amount_remaining if cmd.amount is None else cmd.amount
        if cmd.share is not None:
            share = await open_share(uow, current, cmd.share)
            amount = share.amount_remaining if cmd.amount is None else cmd.amount
            check_share_amount(share, amount)
        await _record_offline(
            uow,
            current,
            amount=Money(amount, current.currency),
            method=method,
            reference=cmd.reference,
            note=cmd.note,
            clock=clock,
            ctx=ctx,
            share_id=cmd.share,
        )
        invoice = await visible_invoice(uow, cmd.id, ctx)
        lines = await lines_of(uow, invoice.id)
        await uow.commit()
    return invoice, lines


async def attach_payment(
    invoice_id: str,
    payment_intent_id: str,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> tuple[Invoice, list[InvoiceLine]]:
    """Stripe's ``attach_payment``: a PaymentIntent taken before the invoice existed (a
    deposit: a pre-authorization at drop-off) pays it. One already succeeded is applied
    now; one still held (``requires_capture``) or not yet paid is applied when it succeeds
    (capture it at the final amount). Anything beyond what the invoice owes goes to the
    customer's credit balance."""
    ctx.require(Permission.write_payments)
    async with uow_factory() as uow:
        # lock order as a settling payment: the intent, then the invoice
        pi = await uow.repo(PaymentIntentRepository).get(payment_intent_id, for_update=True)
        if pi is None or not ctx.principal.sees_location(pi.location_id):
            raise NotFound.of("payment_intent", payment_intent_id, param="payment_intent")
        invoice = await visible_invoice(uow, invoice_id, ctx, for_update=True)
        _payable(invoice)
        if pi.invoice_id is not None:
            raise InvalidRequest(
                f"The PaymentIntent {pi.id} already pays the invoice {pi.invoice_id}.",
                code="payment_intent_unexpected_state",
                param="payment_intent",
            )
        if pi.location_id != invoice.location_id or pi.currency != invoice.currency:
            raise InvalidRequest(
                f"The PaymentIntent {pi.id} ({pi.currency}, shop {pi.location_id}) cannot pay "
                f"an invoice in {invoice.currency} of the shop {invoice.location_id}.",
                param="payment_intent",
            )
        if pi.status in (PIS.CANCELED,) or (pi.status == PIS.SUCCEEDED and pi.amount_received == 0):
            raise InvalidRequest(
                f"The PaymentIntent {pi.id} is {pi.status}: it pays nothing.",
                code="payment_intent_unexpected_state",
                param="payment_intent",
            )
        pi.invoice_id = invoice.id
        await uow.repo(PaymentIntentRepository).save(pi)
        if pi.status == PIS.SUCCEEDED:
            await InvoicePaymentsListener().payment_succeeded(uow, pi, clock=clock, ctx=ctx)
        await uow.commit()
    async with uow_factory() as uow:
        invoice = await visible_invoice(uow, invoice_id, ctx)
        return invoice, await lines_of(uow, invoice.id)


class _At:
    """The clock of a caller that passes its own ``now``."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


async def record_offline_payment(
    uow: UnitOfWork,
    *,
    invoice_id: str,
    amount: Money,
    method: str,
    reference: str | None,
    note: str | None,
    now: datetime,
) -> InvoicePayment:
    """Apply money that arrived outside the gateway (a bank transfer matched from a
    statement, cash) to an invoice, inside the caller's unit of work.

    Locks the invoice; refuses (:class:`InvalidRequest`) an invoice that owes nothing (a
    draft, paid or void one; an uncollectible one may still be paid, as Stripe allows), a
    non-positive amount, another currency or an unknown ``method``. What the invoice
    still owes is paid, anything beyond goes to the customer's credit balance; posts
    ``invoice.paid_out_of_band`` (bank -> accounts_receivable [+ customer_credit]) with
    the invoice payment as source, records ``invoice_payment.paid`` and
    ``invoice.updated`` or ``invoice.paid``, and returns the invoice payment. The caller
    commits.
    """
    checked = offline_method(method)
    invoice = await uow.repo(InvoiceRepository).get(invoice_id, for_update=True)
    if invoice is None:
        raise NotFound.of("invoice", invoice_id, param="invoice")
    _payable(invoice)
    return await _record_offline(
        uow,
        invoice,
        amount=amount,
        method=checked,
        reference=reference,
        note=note,
        clock=_At(now),
        ctx=SYSTEM,
    )


async def _record_offline(
    uow: UnitOfWork,
    invoice: Invoice,
    *,
    amount: Money,
    method: OfflineMethod,
    reference: str | None,
    note: str | None,
    clock: Clock,
    ctx: RequestContext,
    share_id: str | None = None,
) -> InvoicePayment:
    """The invoice is locked and owes something."""
    if amount.currency != invoice.currency:
        raise InvalidRequest(
            f"The invoice is in {invoice.currency}; a payment in {amount.currency} cannot "
            "be applied to it.",
            code="currency_mismatch",
            param="currency",
        )
    if amount.amount <= 0:
        raise InvalidRequest("The amount must be a positive integer.", param="amount")
    split = allocate(amount.amount, remaining=invoice.amount_remaining)
    now = clock.now()
    payment = InvoicePayment(
        id=id_for("invoice_payment"),
        invoice_id=invoice.id,
        location_id=invoice.location_id,
        customer_id=invoice.customer_id,
        currency=invoice.currency,
        status=InvoicePaymentStatus.PAID,
        payment_type=InvoicePaymentType.OUT_OF_BAND,
        amount_requested=amount.amount,
        amount_paid=split.applied,
        amount_credited=split.excess,
        method=method,
        note=note,
        reference=reference,
        recorded_by=ctx.principal.api_key_id,
        share_id=share_id,
        created=now,
        paid_at=now,
        livemode=invoice.livemode,
    )
    await uow.repo(LedgerRepository).post(
        postings.invoice_paid_out_of_band(
            Money(split.applied, invoice.currency),
            source=Source("invoice_payment", payment.id),
            receivable_dimension=invoice.id,
            excess=Money(split.excess, invoice.currency),
            customer_dimension=invoice.customer_id,
            description=f"{method.value} for invoice {invoice.number}",
        ),
        when=now,
        location_id=invoice.location_id,
    )
    await uow.repo(InvoicePaymentRepository).add(payment)
    updated = replace(invoice, paid_out_of_band=True)
    await _apply(uow, updated, payment, clock=clock, ctx=ctx)
    return payment


async def _apply(
    uow: UnitOfWork,
    invoice: Invoice,
    payment: InvoicePayment,
    *,
    clock: Clock,
    ctx: RequestContext,
) -> None:
    """The invoice (locked) takes ``payment``'s applied amount; events recorded."""
    await record_event(
        uow,
        "invoice_payment.paid",
        invoice_payment_object(payment),
        ctx=ctx,
        clock=clock,
        location_id=invoice.location_id,
    )
    if not payment.amount_paid:
        await uow.repo(InvoiceRepository).save(invoice)
        return  # nothing was owed any more: the money is the customer's credit
    paid_before = invoice.amount_paid
    invoice.amount_paid += payment.amount_paid
    invoice.amount_remaining -= payment.amount_paid
    await vat_on_receipt(uow, invoice, paid_before=paid_before, payment_id=payment.id, clock=clock)
    await apply_to_shares(
        uow, invoice, payment.amount_paid, share_id=payment.share_id, now=clock.now()
    )
    event = "invoice.updated"
    if invoice.amount_remaining == 0:
        invoice.status = invoice_transition(invoice.status, InvoiceOperation.PAY)
        invoice.paid_at = payment.paid_at
        event = "invoice.paid"
    await uow.repo(InvoiceRepository).save(invoice)
    await record_event(
        uow,
        event,
        invoice_object(invoice, await lines_of(uow, invoice.id)),
        ctx=ctx,
        clock=clock,
        location_id=invoice.location_id,
    )


async def list_invoice_payments(
    invoice_id: str, page: PageRequest, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Page[InvoicePayment]:
    """``GET /v1/invoices/{id}/payments``: the invoice's payments, newest first."""
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        await visible_invoice(uow, invoice_id, ctx)
        return await uow.repo(InvoicePaymentRepository).of_invoice(invoice_id, page)


class InvoicePaymentsListener:
    """Registered with payments (:func:`payments.intents.service.invoice_payments.
    register_invoice_payments`): a PaymentIntent is created to pay an invoice; an
    invoice's PaymentIntent succeeded or failed."""

    async def payable(
        self, uow: UnitOfWork, invoice_id: str, *, ctx: RequestContext
    ) -> PayableInvoice:
        invoice = await visible_invoice(uow, invoice_id, ctx, param="invoice")
        try:
            _payable(invoice)
        except InvalidRequest as refused:
            raise InvalidRequest(refused.message, code=refused.code, param="invoice") from None
        return PayableInvoice(
            id=invoice.id,
            location_id=invoice.location_id,
            currency=invoice.currency,
            customer_id=invoice.customer_id,
            amount_remaining=invoice.amount_remaining,
        )

    async def payment_succeeded(
        self, uow: UnitOfWork, pi: PaymentIntent, *, clock: Clock, ctx: RequestContext
    ) -> None:
        invoice = await uow.repo(InvoiceRepository).get(pi.invoice_id or "", for_update=True)
        if invoice is None:
            return
        owed = invoice.status in (InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE)
        split = allocate(pi.amount_received, remaining=invoice.amount_remaining if owed else 0)
        now = clock.now()
        if split.applied or split.excess:
            await uow.repo(LedgerRepository).post(
                postings.invoice_payment(
                    Money(split.applied, pi.currency),
                    source=Source("payment_intent", pi.id),
                    receivable_dimension=invoice.id,
                    excess=Money(split.excess, pi.currency),
                    customer_dimension=invoice.customer_id,
                    description=f"{pi.id} allocated to invoice {invoice.number}",
                ),
                when=now,
                location_id=invoice.location_id,
            )
        payment = InvoicePayment(
            id=id_for("invoice_payment"),
            invoice_id=invoice.id,
            location_id=invoice.location_id,
            customer_id=invoice.customer_id,
            currency=pi.currency,
            status=InvoicePaymentStatus.PAID,
            payment_type=InvoicePaymentType.PAYMENT_INTENT,
            amount_requested=pi.amount_received,
            amount_paid=split.applied,
            amount_credited=split.excess,
            payment_intent_id=pi.id,
            share_id=pi.metadata.get(SHARE_METADATA_KEY),
            created=now,
            paid_at=now,
            livemode=invoice.livemode,
        )
        await uow.repo(InvoicePaymentRepository).add(payment)
        await _apply(uow, invoice, payment, clock=clock, ctx=ctx)
        if installments.is_installment(pi):
            await installments.installment_succeeded(uow, pi, clock=clock, ctx=ctx)

    async def payment_failed(
        self, uow: UnitOfWork, pi: PaymentIntent, *, clock: Clock, ctx: RequestContext
    ) -> None:
        invoice = await uow.repo(InvoiceRepository).get(pi.invoice_id or "")
        if invoice is None:
            return
        if installments.is_installment(pi):
            await installments.installment_failed(uow, pi, clock=clock, ctx=ctx)
        await record_event(
            uow,
            "invoice.payment_failed",
            invoice_object(invoice, await lines_of(uow, invoice.id)),
            ctx=ctx,
            clock=clock,
            location_id=invoice.location_id,
        )
