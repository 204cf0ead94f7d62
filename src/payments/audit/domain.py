"""The audit trail: append-only records chained by SHA-256, so edits and deletions show.

Each :class:`AuditRecord` says who (API key id and name, or ``system`` /
``cli``) did what (:data:`ACTIONS`) to which object, when, from which IP and
in which request, with the changed fields before and after.

Hash chain. Records are numbered ``seq`` = 1, 2, 3, ... and each carries the
``hash`` of the one before as ``prev_hash`` (record 1: :data:`GENESIS_HASH`).
Its own ``hash`` is the hex SHA-256 of :func:`canonical_json` of its content:
every field except ``hash`` itself -- including ``seq`` and ``prev_hash`` --
as a JSON object with sorted keys, no whitespace, UTF-8, ``created`` as ISO
8601 UTC with microseconds (``2026-01-15T09:00:00.000000Z``). So:

* editing a record's content breaks its own hash;
* recomputing that hash breaks the next record's ``prev_hash``;
* deleting a record leaves a gap in ``seq`` (or, for the newest, a chain head
  that no longer matches; the head is kept by the storage layer).

:func:`check_chain` walks records in ``seq`` order and names the first broken
one. Pure: no I/O, no clock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from payments.kernel.pagination import Created

GENESIS_HASH: Final = "0" * 64

#: Every action the trail records, with what it means. ``record_audit`` refuses others.
ACTIONS: Final[Mapping[str, str]] = {
    "api_key.created": "An API key was created.",
    "api_key.revoked": "An API key was revoked.",
    "api_key.rolled": "An API key was rolled: a successor created, the key itself expiring.",
    "location.synced": (
        "A shop was created or changed by a sync from the Locations Service "
        "(`payments locations sync`)."
    ),
    "location.deactivated": (
        "A shop closed at, or gone from, the Locations Service was deactivated by a sync "
        "(kept, with its payments; it takes no new ones)."
    ),
    "customer.data_exported": "Everything held about a customer was exported (GDPR access).",
    "customer.erased": "A customer's personal data was pseudonymised (GDPR erasure).",
    "customer.erasure_completed": (
        "The billing details kept on a customer's invoices were pseudonymised after "
        "their retention ended."
    ),
    "payment_intent.capture_requested": "A capture of an authorized payment was requested.",
    "payment_intent.increment_authorization_requested": (
        "An authorization was asked to hold a larger amount (incremental authorization)."
    ),
    "payment_intent.cancel_requested": "A payment was canceled (any authorization released).",
    "refund.requested": "A refund was requested.",
    "refund.approved": "A refund awaiting approval was approved.",
    "refund.rejected": "A refund awaiting approval was rejected.",
    "refund.sent": "A refund was sent to the gateway.",
    "refund.succeeded": "The gateway completed a refund.",
    "refund.failed": "A refund failed (at the gateway, or it never reached it).",
    "refund.canceled": "A refund was canceled.",
    "dispute.evidence_updated": "Evidence of a dispute was added or changed (not submitted).",
    "dispute.evidence_submitted": "Evidence of a dispute was submitted to the gateway.",
    "dispute.closed": "A dispute was closed: accepted by us, or won or lost at the gateway.",
    "webhook_endpoint.disabled": "A webhook endpoint was disabled after failing deliveries.",
    "webhook_endpoint.secret_rotated": "A webhook endpoint's signing secret was rotated.",
    "payment_link.created": "A link that lets anyone holding it pay an invoice was created.",
    "payment_link.deactivated": "A payment link was deactivated.",
    "payment_link.reactivated": "A deactivated payment link was turned back on.",
    "fraud_rule.created": "A fraud rule was created.",
    "fraud_rule.updated": "A fraud rule was changed, enabled or disabled.",
    "fraud_rule.deleted": "A fraud rule was deleted.",
    "staff_user.created": "A staff user (a person signing in to the dashboard) was created.",
    "staff_user.signed_in": "A staff user signed in to the dashboard.",
    "staff_user.sign_in_failed": "A sign-in to the dashboard failed (wrong password or code).",
    "staff_user.locked_out": "A staff user was locked out after repeated failed sign-ins.",
    "staff_user.signed_out": "A staff user signed out of the dashboard.",
    "staff_user.second_factor_enabled": "A staff user enrolled a TOTP second factor.",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditRecord:
    id: str
    seq: int
    created: datetime
    actor_type: str  # api_key | staff_user | system | cli
    actor_id: str
    actor_name: str
    action: str
    object_type: str
    object_id: str
    location_id: str | None
    ip: str | None
    request_id: str | None
    changes: dict[str, Any]  # {"before": {...}, "after": {...}} of the changed fields
    prev_hash: str
    hash: str

    def content(self) -> dict[str, Any]:
        return content_of(asdict(self))


def content_of(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The hashed content: every field but ``hash``, with ``created`` as ISO 8601 UTC."""
    out = {k: v for k, v in fields.items() if k != "hash"}
    created = out["created"]
    if isinstance(created, datetime):
        if created.tzinfo is None:
            raise ValueError("audit timestamps must be timezone-aware")
        out["created"] = created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return out


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8; refuses anything that is not plain JSON."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def compute_hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(dict(content))).hexdigest()


def seal(*, seq: int, prev_hash: str, **fields: Any) -> AuditRecord:
    """The record that follows ``prev_hash`` as number ``seq``, with its hash computed."""
    if fields.get("action") not in ACTIONS:
        raise ValueError(f"unregistered audit action {fields.get('action')!r}")
    draft = {**fields, "seq": seq, "prev_hash": prev_hash}
    return AuditRecord(**draft, hash=compute_hash(content_of(draft)))


def diff(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """The changed fields: ``{"before": {...}, "after": {...}}`` (a side may be empty)."""
    before, after = before or {}, after or {}
    missing = object()
    keys = [k for k in {**before, **after} if before.get(k, missing) != after.get(k, missing)]
    return {
        "before": {k: before[k] for k in keys if k in before},
        "after": {k: after[k] for k in keys if k in after},
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class ListAuditRecords:
    """Filters of ``GET /v1/audit_log``: None or "" is no filter."""

    object_id: str | None = None
    actor: str | None = None  # an API key id (or system / cli)
    action: str | None = None
    created: Created = field(default_factory=Created)
    location: str | None = None  # a shop; a location-restricted key may only name its own


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first broken link: the record (or position) and what is wrong."""

    seq: int
    record_id: str | None
    problem: str

    def __str__(self) -> str:
        what = f"audit record {self.record_id} (#{self.seq})" if self.record_id else f"#{self.seq}"
        return f"{what}: {self.problem}"


@dataclass(slots=True)
class ChainState:
    """Where a walk of the chain has got to; feed batches to :func:`check_chain`."""

    seq: int = 0
    hash: str = GENESIS_HASH
    count: int = 0


def check_chain(records: Iterable[AuditRecord], state: ChainState) -> ChainBreak | None:
    """Check ``records`` (ascending ``seq``) continuing from ``state``; the first break or None."""
    for record in records:
        expected = state.seq + 1
        if record.seq != expected:
            missing = (
                f"#{expected}" if record.seq == expected + 1 else f"#{expected}..#{record.seq - 1}"
            )
            return ChainBreak(
                record.seq, record.id, f"follows #{state.seq}: {missing} is missing (deleted)"
            )
        if record.prev_hash != state.hash:
            return ChainBreak(
                record.seq,
                record.id,
                f"its prev_hash does not match record #{state.seq}'s hash "
                "(an earlier record was edited or replaced)",
            )
        if compute_hash(record.content()) != record.hash:
            return ChainBreak(
                record.seq, record.id, "its hash does not match its content (it was edited)"
            )
        state.seq, state.hash, state.count = record.seq, record.hash, state.count + 1
    return None


def check_head(state: ChainState, head_seq: int | None, head_hash: str | None) -> ChainBreak | None:
    """After the last record: the stored chain head must point at it."""
    if head_seq is None:
        if state.seq == 0:
            return None
        return ChainBreak(state.seq, None, "records exist but the chain head is missing")
    if head_seq != state.seq or head_hash != state.hash:
        if head_seq > state.seq:
            return ChainBreak(
                state.seq + 1,
                None,
                f"the chain head is at #{head_seq}: records #{state.seq + 1}..#{head_seq} "
                "are missing (deleted)",
            )
        return ChainBreak(head_seq, None, "the chain head does not match the last record")
    return None
