"""Stripe-shaped JSON of invoices and credit notes (responses and event payloads)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from payments.invoices.domain.installments import Installment
from payments.invoices.domain.invoice_payment import InvoicePayment, InvoicePaymentType
from payments.invoices.domain.lines import format_quantity
from payments.invoices.domain.model import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from payments.invoices.domain.payment_plan import InvoiceShare
from payments.invoices.domain.status import InvoiceStatus
from payments.kernel.clock import to_unix


def _ts(when: datetime | None) -> int | None:
    return to_unix(when) if when is not None else None


def _day(when: date | None) -> str | None:
    return when.isoformat() if when is not None else None


def _due_unix(day: date | None) -> int | None:
    """Stripe's ``due_date`` is a timestamp: here the end of the due day, UTC."""
    if day is None:
        return None
    return to_unix(datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC))


def invoice_line_object(line: InvoiceLine) -> dict[str, Any]:
    return {
        "id": line.id,
        "object": "line_item",
        "invoice": line.invoice_id,
        "description": line.description,
        "quantity": line.quantity,
        "unit": line.unit,
        "unit_amount": line.unit_amount,
        "amount": line.amount,
        "discount_amount": line.discount_amount,
        "amount_excluding_tax": line.net_amount,
        "tax_category": line.tax_category,
        "tax_behavior": line.tax_behavior,
        "kind": line.kind,
        "sku": line.sku,
        "exemption_reason": line.exemption_reason,
        "tax_rate": line.tax_rate,
        "vat_category_code": line.category_code,
        "metadata": line.metadata,
        "proration": line.proration,
    }


def _lines_list(url: str, data: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "object": "list",
        "url": url,
        "has_more": False,
        "total_count": len(data),
        "data": data,
    }


def invoice_object(invoice: Invoice, lines: Sequence[InvoiceLine]) -> dict[str, Any]:
    finalized = invoice.status is not InvoiceStatus.DRAFT
    return {
        "id": invoice.id,
        "object": "invoice",
        "number": invoice.number,
        "status": invoice.status,
        "customer": invoice.customer_id,
        "location": invoice.location_id,
        "legal_entity": invoice.legal_entity_id,
        "currency": invoice.currency,
        "collection_method": invoice.collection_method,
        "days_until_due": invoice.days_until_due,
        "due_date": _due_unix(invoice.due_date),
        "description": invoice.description,
        "footer": invoice.footer,
        "default_payment_method": invoice.default_payment_method,
        "lines": _lines_list(
            f"/v1/invoices/{invoice.id}/lines", [invoice_line_object(x) for x in lines]
        ),
        "subtotal": invoice.subtotal,
        "subtotal_excluding_tax": invoice.subtotal_excluding_tax,
        "tax": invoice.tax,
        "total": invoice.total,
        "total_excluding_tax": invoice.total_excluding_tax,
        "amount_due": invoice.amount_due,
        "amount_paid": invoice.amount_paid,
        "amount_remaining": invoice.amount_remaining,
        "pre_payment_credit_notes_amount": invoice.pre_payment_credit_notes_amount,
        "post_payment_credit_notes_amount": invoice.post_payment_credit_notes_amount,
        "invoice_type": invoice.invoice_type,
        "advance_invoice": invoice.advance_invoice_id,
        "prepaid_amount": invoice.prepaid_amount,
        "applied_to": invoice.applied_to,
        "tax_breakdown": invoice.tax_breakdown,
        "tax_notes": invoice.tax_notes,
        "language": invoice.language,
        "seller": invoice.seller,
        "customer_name": invoice.customer_name,
        "customer_email": invoice.customer_email,
        "customer_address": invoice.customer_address,
        "customer_tax_ids": invoice.customer_tax_ids,
        "customer_tax_exempt": invoice.customer_tax_exempt,
        "issue_date": _day(invoice.issue_date),
        "tax_point": _day(invoice.tax_point),
        "payment_reference": invoice.payment_reference,
        "paid": invoice.status is InvoiceStatus.PAID,
        "paid_out_of_band": invoice.paid_out_of_band,
        "payment_intent": invoice.payment_intent_id,
        "attempt_count": invoice.attempt_count,
        "attempted": invoice.attempt_count > 0,
        "effective_at": _ts(invoice.finalized_at),
        "status_transitions": {
            "finalized_at": _ts(invoice.finalized_at),
            "paid_at": _ts(invoice.paid_at),
            "voided_at": _ts(invoice.voided_at),
            "marked_uncollectible_at": _ts(invoice.marked_uncollectible_at),
        },
        "sent_at": _ts(invoice.sent_at),
        "invoice_pdf": f"/v1/invoices/{invoice.id}/pdf" if finalized else None,
        "metadata": invoice.metadata,
        "created": to_unix(invoice.created),
        "livemode": invoice.livemode,
        "subscription": invoice.subscription_id,
        "billing_reason": invoice.billing_reason or "manual",
        "period_start": _ts(invoice.period_start or invoice.created),
        "period_end": _ts(invoice.period_end or invoice.created),
    }


def credit_note_line_object(line: CreditNoteLine) -> dict[str, Any]:
    return {
        "id": line.id,
        "object": "credit_note_line_item",
        "type": line.type,
        "invoice_line_item": line.invoice_line_item,
        "description": line.description,
        "quantity": line.quantity,
        "unit": line.unit,
        "unit_amount": line.unit_amount,
        "amount": line.amount,
        "discount_amount": line.discount_amount,
        "amount_excluding_tax": line.net_amount,
        "tax_category": line.tax_category,
        "tax_behavior": line.tax_behavior,
        "tax_rate": line.tax_rate,
        "vat_category_code": line.category_code,
    }


def credit_note_object(note: CreditNote, lines: Sequence[CreditNoteLine]) -> dict[str, Any]:
    return {
        "id": note.id,
        "object": "credit_note",
        "number": note.number,
        "status": note.status,
        "invoice": note.invoice_id,
        "customer": note.customer_id,
        "location": note.location_id,
        "legal_entity": note.legal_entity_id,
        "currency": note.currency,
        "reason": note.reason,
        "memo": note.memo,
        "type": "pre_payment" if note.post_payment_amount == 0 else "post_payment",
        "amount": note.amount,
        "subtotal": note.subtotal,
        "subtotal_excluding_tax": note.subtotal_excluding_tax,
        "tax": note.tax,
        "total": note.total,
        "total_excluding_tax": note.total_excluding_tax,
        "pre_payment_amount": note.pre_payment_amount,
        "post_payment_amount": note.post_payment_amount,
        "refund_amount": note.refund_amount,
        "credit_amount": note.credit_amount,
        "out_of_band_amount": note.out_of_band_amount,
        "tax_breakdown": note.tax_breakdown,
        "tax_notes": note.tax_notes,
        "refunds": note.refunds,
        "lines": _lines_list(
            f"/v1/credit_notes/{note.id}/lines", [credit_note_line_object(x) for x in lines]
        ),
        "issue_date": _day(note.issue_date),
        "effective_at": to_unix(note.effective_at),
        "voided_at": _ts(note.voided_at),
        "pdf": f"/v1/credit_notes/{note.id}/pdf",
        "metadata": note.metadata,
        "created": to_unix(note.created),
        "livemode": note.livemode,
    }


def part_usage_object(invoice: Invoice, lines: Sequence[InvoiceLine]) -> dict[str, Any] | None:
    """What the Inventory Service takes out of stock for a finalized invoice: its lines
    with a ``sku`` (summed per sku); None when it has none."""
    used: dict[str, Decimal] = {}
    for line in lines:
        if line.sku:
            used[line.sku] = used.get(line.sku, Decimal(0)) + Decimal(line.quantity)
    if not used:
        return None
    return {
        "id": invoice.id,
        "object": "part_usage",
        "invoice": invoice.id,
        "number": invoice.number,
        "location": invoice.location_id,
        "parts": [{"sku": sku, "quantity": format_quantity(q)} for sku, q in used.items()],
        "created": to_unix(invoice.finalized_at) if invoice.finalized_at else None,
    }


def invoice_payment_object(payment: InvoicePayment) -> dict[str, Any]:
    """Stripe's ``invoice_payment``; ``payment`` is a PaymentIntent, or (our addition
    beside Stripe's types) ``out_of_band`` with how the money arrived.
    ``amount_credited`` is what went to the customer's credit balance."""
    details: dict[str, Any]
    if payment.payment_type is InvoicePaymentType.PAYMENT_INTENT:
        details = {"type": "payment_intent", "payment_intent": payment.payment_intent_id}
    else:
        details = {
            "type": "out_of_band",
            "method": payment.method.value if payment.method is not None else None,
            "note": payment.note,
            "reference": payment.reference,
        }
    return {
        "id": payment.id,
        "object": "invoice_payment",
        "invoice": payment.invoice_id,
        "amount_requested": payment.amount_requested,
        "amount_paid": payment.amount_paid,
        "amount_credited": payment.amount_credited,
        "currency": payment.currency,
        "status": payment.status.value,
        "is_default": False,
        "payment": details,
        "status_transitions": {"paid_at": _ts(payment.paid_at), "canceled_at": None},
        "created": to_unix(payment.created),
        "livemode": payment.livemode,
    }


def invoice_share_object(share: InvoiceShare) -> dict[str, Any]:
    return {
        "id": share.id,
        "object": "invoice_share",
        "invoice": share.invoice_id,
        "customer": share.customer_id,
        "currency": share.currency,
        "amount": share.amount,
        "amount_paid": share.amount_paid,
        "amount_remaining": share.amount_remaining,
        "percent": share.percent,
        "due_date": _due_unix(share.due_date),
        "payment_method_hint": share.payment_method_hint,
        "status": share.status.value,
        "paid_at": _ts(share.paid_at),
        "created": to_unix(share.created),
    }


def payment_plan_object(invoice: Invoice, shares: Sequence[InvoiceShare]) -> dict[str, Any]:
    return {
        "object": "invoice_payment_plan",
        "invoice": invoice.id,
        "currency": invoice.currency,
        "amount": sum(s.amount for s in shares),
        "amount_remaining": sum(s.amount_remaining for s in shares),
        "shares": [invoice_share_object(s) for s in shares],
    }


def installment_object(inst: Installment) -> dict[str, Any]:
    return {
        "id": inst.id,
        "object": "invoice_installment",
        "invoice": inst.invoice_id,
        "position": inst.position,
        "amount": inst.amount,
        "currency": inst.currency,
        "charge_at": to_unix(inst.charge_at),
        "status": inst.status.value,
        "payment_method": inst.payment_method_id,
        "payment_intent": inst.payment_intent_id,
        "attempt_count": inst.attempt_count,
        "next_attempt_at": _ts(inst.next_attempt_at),
        "last_error": inst.last_error,
        "paid_at": _ts(inst.paid_at),
        "created": to_unix(inst.created),
    }


def installment_plan_object(
    invoice: Invoice, installments: Sequence[Installment]
) -> dict[str, Any]:
    return {
        "object": "invoice_installment_plan",
        "invoice": invoice.id,
        "currency": invoice.currency,
        "amount": sum(i.amount for i in installments),
        "installments": [installment_object(i) for i in installments],
    }
