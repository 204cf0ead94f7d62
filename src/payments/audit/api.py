"""The audit trail, read-only (finance and admin: ``read_audit``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.audit.domain import ListAuditRecords
from payments.audit.render import audit_record_object
from payments.audit.schemas import AuditRecordList
from payments.audit.service import list_audit_records
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep
from payments.platform.http.params import CreatedRange, LocationFilter
from payments.platform.http.responses import list_response

router = APIRouter(prefix="/v1/audit_log", tags=["audit_log"])


@router.get(
    "", responses={200: {"model": AuditRecordList}}, summary="List audit records (newest first)"
)
async def list_all(
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    created: CreatedRange,
    location: LocationFilter = None,
    object_id: Annotated[
        str | None, Query(alias="object", max_length=64, description="Object id")
    ] = None,
    actor: Annotated[str | None, Query(max_length=40, description="API key id")] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    query = ListAuditRecords(
        object_id=object_id, actor=actor, action=action, created=created, location=location
    )
    result = await list_audit_records(query, page, uow_factory=c.uow_factory, ctx=ctx)
    return list_response("/v1/audit_log", result, audit_record_object)
