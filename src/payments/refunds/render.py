"""The Stripe-style JSON of a refund, for responses and event payloads alike."""

from __future__ import annotations

from typing import Any

from payments.kernel.clock import to_unix
from payments.refunds.domain.refund import Refund


def _when(value: Any) -> int | None:
    return to_unix(value) if value is not None else None


def refund_object(r: Refund) -> dict[str, Any]:
    approval = None
    if r.approval_reason is not None:
        approval = {
            "required_because": r.approval_reason,
            "status": r.decision or "pending",
            "decided_by": {"id": r.decided_by, "name": r.decided_by_name} if r.decided_by else None,
            "decided_at": _when(r.decided_at),
            "rejection_reason": r.rejection_reason,
        }
    return {
        "id": r.id,
        "object": "refund",
        "amount": r.amount,
        "currency": r.currency,
        "charge": r.charge_id,
        "payment_intent": r.payment_intent_id,
        "status": r.status,
        "reason": r.reason,
        "note": r.note,
        "failure_reason": r.failure_reason,
        "location": r.location_id,
        "requested_by": {"id": r.requested_by, "name": r.requested_by_name},
        "approval": approval,
        "metadata": r.metadata,
        "created": to_unix(r.created),
        "livemode": r.livemode,
    }
