"""The Stripe-style JSON of a dispute, for responses and event payloads alike."""

from __future__ import annotations

from typing import Any

from payments.disputes.domain import Dispute, evidence_object
from payments.kernel.clock import to_unix


def _when(value: Any) -> int | None:
    return to_unix(value) if value is not None else None


def dispute_object(d: Dispute) -> dict[str, Any]:
    return {
        "id": d.id,
        "object": "dispute",
        "amount": d.amount,
        "currency": d.currency,
        "charge": d.charge_id,
        "payment_intent": d.payment_intent_id,
        "reason": d.reason,
        "status": d.status,
        "evidence": evidence_object(d.evidence),
        "evidence_details": {
            "due_by": to_unix(d.due_by),
            "has_evidence": bool(d.evidence),
            "past_due": d.past_due,
            "submission_count": d.submission_count,
        },
        "fee": d.fee,
        "is_charge_refundable": False,
        "location": d.location_id,
        "metadata": d.metadata,
        "created": to_unix(d.created),
        "livemode": d.livemode,
    }
