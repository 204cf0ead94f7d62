"""The audit log: filter by actor, object, action and date; verify the hash chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from payments.audit.domain import ACTIONS, ListAuditRecords
from payments.audit.service import list_audit_records, verify_audit_chain
from payments.dashboard.forms import day_range, page_of
from payments.dashboard.web import PREFIX, DashboardRoute, StaffDep, gettext, query, render
from payments.kernel.access import Permission

router = APIRouter(prefix=f"{PREFIX}/audit", include_in_schema=False, route_class=DashboardRoute)

Text = Annotated[str, Query(max_length=100)]


@router.get("")
async def audit(
    request: Request,
    staff: StaffDep,
    actor: Text = "",
    object_id: Annotated[str, Query(alias="object", max_length=64)] = "",
    action: Text = "",
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
    starting_after: Text = "",
    verify: Annotated[str, Query(max_length=3)] = "",
) -> Response:
    staff.require(Permission.read_audit)
    c = request.app.state.container
    result = await list_audit_records(
        ListAuditRecords(
            object_id=object_id or None,
            actor=actor or None,
            action=action or None,
            created=day_range(date_from, date_to),
        ),
        page_of(starting_after, None),
        uow_factory=c.uow_factory,
        ctx=staff.ctx,
    )
    filters = {
        "actor": actor,
        "object": object_id,
        "action": action,
        "from": date_from,
        "to": date_to,
    }
    older = query(filters | {"starting_after": result.data[-1].id}) if result.has_more else ""
    checked = None
    if verify == "yes":
        count, problem = await verify_audit_chain(uow_factory=c.uow_factory)
        checked = {"count": count, "problem": problem}
    return render(
        request,
        "audit.html",
        staff=staff,
        title=gettext(request, "Audit log"),
        records=result.data,
        filters=filters,
        actions=sorted(ACTIONS),
        older=older,
        checked=checked,
    )
