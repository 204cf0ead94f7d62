"""Events: every state change, with a snapshot of the object, Stripe style.

``EVENT_TYPES`` is the ONE registry of every event type the service emits, with
a one-line description; the webhook reference page is generated from it, and an
event of an unregistered type cannot be constructed. Add new types here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

EVENT_TYPES: dict[str, str] = {
    "customer.created": "A customer was created.",
    "customer.updated": "A customer's details changed.",
    "customer.deleted": "A customer was deleted.",
    "customer.tax_id.created": "A tax id (VAT number) was added to a customer, with its check.",
    "customer.tax_id.deleted": "A customer's tax id was deleted (its check stays on record).",
    "location.created": "A shop (location) was created.",
    "location.updated": "A shop's (location's) details changed.",
    "legal_entity.created": "A legal entity (the seller on invoices) was created.",
    "legal_entity.updated": "A legal entity's details changed (invoices finalized later show them).",
    "webhook_endpoint.created": "A webhook endpoint was registered.",
    "webhook_endpoint.updated": "A webhook endpoint's URL, events, description, metadata or status changed.",
    "webhook_endpoint.deleted": "A webhook endpoint was deleted.",
    "webhook_endpoint.disabled": "A webhook endpoint was disabled after its deliveries failed for 5 days.",
    "payment_method.attached": "A payment method was attached to a customer.",
    "payment_method.detached": "A payment method was detached from its customer.",
    "setup_intent.created": "A SetupIntent was created to save a customer's payment method.",
    "setup_intent.requires_action": "A SetupIntent waits for the customer to authenticate "
    "(3-D Secure): send them to next_action.redirect_to_url.",
    "setup_intent.succeeded": "A payment method was set up for later payments and attached "
    "to the customer.",
    "setup_intent.setup_failed": "Setting up a payment method failed (declined, failed "
    "authentication, or the gateway could not be reached): see last_setup_error.",
    "setup_intent.canceled": "A SetupIntent was canceled.",
    "payment_intent.created": "A PaymentIntent was created.",
    "payment_intent.processing": "A payment is processing (attempt in flight or settling).",
    "payment_intent.requires_action": "The customer must act (e.g. 3-D Secure).",
    "payment_intent.amount_capturable_updated": "Funds are authorized and can be captured.",
    "payment_intent.succeeded": "The payment succeeded; the money is ours.",
    "payment_intent.payment_failed": "An attempt failed (see last_payment_error): after a decline a new payment method is needed; after a call the gateway never got or refused, the intent can be confirmed again.",
    "payment_intent.canceled": "The PaymentIntent was canceled; any hold is released.",
    "charge.pending": "A charge is pending (asynchronous payment method).",
    "charge.succeeded": "A charge succeeded (captured or authorized).",
    "charge.failed": "A charge failed (declined, failed authentication, bounced debit).",
    "charge.captured": "An authorized charge was captured.",
    "charge.expired": "An uncaptured authorization expired or was released.",
    "charge.refunded": "A refund of the charge was sent to the gateway (full or partial).",
    "refund.created": "A refund was requested (it may await approval).",
    "refund.updated": "A refund changed: approved, rejected, canceled or settled.",
    "refund.failed": "A refund failed at the gateway (or never reached it); the money is back.",
    "charge.dispute.created": "A customer disputed a charge with their bank.",
    "charge.dispute.updated": "A dispute's evidence or status changed.",
    "charge.dispute.closed": "A dispute was closed: won, lost (or accepted) or warning_closed.",
    "charge.dispute.funds_withdrawn": "The disputed amount and the dispute fee were withdrawn.",
    "charge.dispute.funds_reinstated": "A won dispute's funds were given back.",
    "charge.dispute.deadline_approaching": "A dispute's evidence is due soon (48 h by default).",
    "invoice.created": "A draft invoice was created.",
    "invoice.updated": "A draft invoice's lines or fields changed, or a finalized invoice's "
    "amounts (a partial payment, a credit note).",
    "invoice.finalized": "An invoice was finalized: numbered, its parties frozen, its sale posted.",
    "invoice.paid": "An invoice was paid in full (by a payment, out of band, or credit notes).",
    "invoice.payment_failed": "A payment attempt of an invoice failed.",
    "invoice.voided": "An invoice was voided; its sale is reversed.",
    "invoice.marked_uncollectible": "An invoice was marked uncollectible.",
    "invoice.sent": "An invoice was sent to the customer.",
    "invoice.installment_succeeded": "A scheduled installment of an invoice was charged.",
    "invoice.installment_failed": "A scheduled installment failed; it is retried on a "
    "schedule (next_attempt_at) or, after the last retry, failed.",
    "invoice_payment.paid": "A payment was applied to an invoice (a PaymentIntent, or money "
    "received outside the gateway); any excess went to the customer's credit balance.",
    "review.opened": "A payment was held for review by a fraud rule (authorized, not captured).",
    "review.closed": "A review was closed: its payment approved (captured) or canceled.",
    "radar.early_fraud_warning.created": "The card's issuer reported a charge as possibly "
    "fraudulent (an early fraud warning, usually days before a dispute).",
    "radar.early_fraud_warning.updated": "An early fraud warning is no longer actionable "
    "(its charge was disputed or refunded).",
    "credit_note.created": "A credit note was issued against an invoice.",
    "credit_note.voided": "A credit note was voided; its posting is reversed.",
    "part.created": "A part was added to our catalogue (a price in one currency).",
    "part.updated": "A part's description, price, tax category or status changed.",
    "inventory.part_used": "An invoice with parts (lines with a sku) was finalized: the "
    "Inventory Service takes the parts out of stock (object: a part usage with the invoice, "
    "shop and each sku with its quantity).",
    "bank_transaction.matched": "A transfer from an imported bank statement was applied to "
    "invoices in full (automatically or by a person).",
    "bank_transaction.unmatched": "A transfer from an imported bank statement could not be "
    "matched to one invoice with certainty; it waits in the manual matching queue.",
    "terminal.reader.action_succeeded": (
        "A reader finished its action: the card was read and charged (or refunded), or the "
        "cart shown."
    ),
    "terminal.reader.action_failed": (
        "A reader's action failed: the card was declined, the action canceled or timed out."
    ),
    "invoice.upcoming": "A subscription renews in 7 days: the object previews its next invoice "
    "(no id).",
    "invoice.payment_action_required": "An invoice's off-session payment needs the customer "
    "to authenticate (SCA): it stays open and its subscription is past_due.",
    "product.created": "A product (a service contract, a warranty, a plan) was created.",
    "product.updated": "A product's name, description, tax category or status changed.",
    "price.created": "A price of a product was created.",
    "price.updated": "A price was archived or reactivated, or its names changed.",
    "customer.subscription.created": "A subscription was created.",
    "customer.subscription.updated": "A subscription changed: status, period, items, payment "
    "method, cancellation at period end.",
    "customer.subscription.deleted": "A subscription ended: canceled now, at its period's end, "
    "or after the last dunning retry.",
    "customer.subscription.trial_will_end": "A subscription's trial ends in 3 days.",
    "customer.subscription.paused": "A subscription's collection was paused.",
    "customer.subscription.resumed": "A paused subscription resumed.",
    "payment_link.created": "A link to an invoice's hosted pay page was created (its URL is never in an event).",
    "payment_link.updated": "A payment link was deactivated or reactivated, or its metadata changed.",
    "reconciliation.completed": "A gateway payout was reconciled with our books (object: the "
    "reconciliation, with its totals and any discrepancies); sent when a payout is first "
    "reconciled and whenever a re-run changes its outcome.",
    "reconciliation.discrepancy_found": "A payout's reconciliation found differences with our "
    "books: a movement missing on one side, an amount, fee or currency mismatch, a duplicate "
    "line, or a payout amount that is not the sum of its lines.",
}


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    type: str
    object_id: str
    data: dict[str, Any]
    created: datetime
    location_id: str | None = None
    request_id: str | None = None
    idempotency_key: str | None = None
    livemode: bool = False

    def __post_init__(self) -> None:
        if self.type not in EVENT_TYPES:
            raise ValueError(f"unregistered event type {self.type!r}")
