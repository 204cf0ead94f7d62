"""The API shape (Stripe style) of refunds, disputes and audit records, for HTTP
responses and event payloads alike (see :mod:`payments.services.objects`)."""

from __future__ import annotations

from typing import Any

from payments.clock import to_unix
from payments.domain.audit import AuditRecord
from payments.domain.disputes import Dispute, evidence_object
from payments.domain.refunds import Refund


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


def audit_record_object(a: AuditRecord) -> dict[str, Any]:
    return {
        "id": a.id,
        "object": "audit_record",
        "seq": a.seq,
        "action": a.action,
        "actor": {"type": a.actor_type, "id": a.actor_id, "name": a.actor_name},
        "target": {"object": a.object_type, "id": a.object_id},
        "location": a.location_id,
        "ip": a.ip,
        "request_id": a.request_id,
        "changes": a.changes,
        "created": to_unix(a.created),
        "prev_hash": a.prev_hash,
        "hash": a.hash,
    }
