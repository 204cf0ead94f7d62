"""Response shapes of the audit trail (for the OpenAPI document)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel


class AuditActor(BaseModel):
    type: str
    id: str | None
    name: str | None


class AuditTarget(BaseModel):
    object: str
    id: str


class AuditRecordOut(BaseModel):
    """Who did what to which object, when and from where; hash-chained."""

    id: str
    object: Literal["audit_record"] = "audit_record"
    seq: int
    action: str
    actor: AuditActor
    target: AuditTarget
    location: str | None
    ip: str | None
    request_id: str | None
    changes: dict[str, Any] | None
    created: int
    prev_hash: str | None
    hash: str


class AuditRecordList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[AuditRecordOut]
