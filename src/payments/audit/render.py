"""The JSON of an audit record."""

from __future__ import annotations

from typing import Any

from payments.audit.domain import AuditRecord
from payments.kernel.clock import to_unix


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
