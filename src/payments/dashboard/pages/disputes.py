"""Disputes: the list; a dispute's page with its evidence (text, and files uploaded to
the file storage), saved and then submitted through the disputes use case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from payments.dashboard.forms import page_of
from payments.dashboard.web import (
    PREFIX,
    DashboardRoute,
    FormDep,
    StaffDep,
    confirm,
    gettext,
    query,
    redirect,
    render,
)
from payments.disputes.domain import FILE_EVIDENCE, DisputeStatus, ListDisputes, UpdateDispute
from payments.disputes.service.disputes import list_disputes, retrieve_dispute, update_dispute
from payments.files.domain import MAX_SIZE, FilePurpose
from payments.files.service import create_file, file_content
from payments.kernel.access import Permission
from payments.kernel.errors import InvalidRequest

router = APIRouter(prefix=f"{PREFIX}/disputes", include_in_schema=False, route_class=DashboardRoute)


@router.get("")
async def disputes(
    request: Request,
    staff: StaffDep,
    status: Annotated[str, Query(max_length=40)] = "",
    starting_after: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    c = request.app.state.container
    result = await list_disputes(
        ListDisputes(status=status or None),
        page_of(starting_after, None),
        uow_factory=c.uow_factory,
        ctx=staff.ctx,
    )
    older = (
        query({"status": status, "starting_after": result.data[-1].id}) if result.has_more else ""
    )
    return render(
        request,
        "disputes.html",
        staff=staff,
        title=gettext(request, "Disputes"),
        disputes=result.data,
        chosen=status,
        statuses=[s.value for s in DisputeStatus],
        older=older,
        now=c.clock.now(),
    )


TEXT_FIELDS = ("product_description", "customer_name", "service_date", "uncategorized_text")


@router.get("/{dispute_id}")
async def dispute(request: Request, dispute_id: str, staff: StaffDep) -> Response:
    c = request.app.state.container
    found = await retrieve_dispute(dispute_id, uow_factory=c.uow_factory, ctx=staff.ctx)
    done = request.query_params.get("done", "")
    messages = {
        "saved": "The evidence was saved (not submitted yet).",
        "submitted": "The evidence was submitted.",
    }
    return render(
        request,
        "dispute.html",
        staff=staff,
        title=gettext(request, "Dispute") + " " + found.id,
        d=found,
        editable=found.status.value in ("needs_response", "warning_needs_response"),
        text_fields=TEXT_FIELDS,
        file_fields=FILE_EVIDENCE,
        notice=gettext(request, messages[done]) if done in messages else "",
    )


@router.post("/{dispute_id}/evidence")
async def evidence(request: Request, dispute_id: str, posted: FormDep) -> Response:
    posted.staff.require(Permission.write_payments)
    c = request.app.state.container
    found = await retrieve_dispute(dispute_id, uow_factory=c.uow_factory, ctx=posted.staff.ctx)
    changes = {name: posted.get(name)[:5000] for name in TEXT_FIELDS if name in posted.form}
    upload = posted.form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        slot = posted.get("file_field")
        if slot not in FILE_EVIDENCE:
            raise InvalidRequest(
                gettext(request, "Choose what the file shows."), param="file_field"
            )
        content = await upload.read(MAX_SIZE + 1)
        stored = await create_file(
            purpose=FilePurpose.dispute_evidence,
            filename=upload.filename,
            content=content,
            location_id=found.location_id,
            storage=c.file_storage,
            uow_factory=c.uow_factory,
            clock=c.clock,
            ctx=posted.staff.ctx,
        )
        changes[slot] = stored.id
    await update_dispute(
        dispute_id,
        UpdateDispute(evidence=changes),
        uow_factory=c.uow_factory,
        gateway=c.gateway,
        clock=c.clock,
        ctx=posted.staff.ctx,
    )
    return redirect(f"{PREFIX}/disputes/{dispute_id}?done=saved")


@router.post("/{dispute_id}/submit")
async def submit(request: Request, dispute_id: str, posted: FormDep) -> Response:
    posted.staff.require(Permission.write_payments)
    c = request.app.state.container
    await retrieve_dispute(dispute_id, uow_factory=c.uow_factory, ctx=posted.staff.ctx)
    if not posted.confirmed:
        return confirm(
            request,
            posted,
            title=gettext(request, "Submit the evidence?"),
            question=gettext(
                request,
                "The card network reviews what you sent; nothing can be added afterwards.",
            ),
            button=gettext(request, "Submit"),
            cancel_url=f"{PREFIX}/disputes/{dispute_id}",
        )
    await update_dispute(
        dispute_id,
        UpdateDispute(submit=True),
        uow_factory=c.uow_factory,
        gateway=c.gateway,
        clock=c.clock,
        ctx=posted.staff.ctx,
    )
    return redirect(f"{PREFIX}/disputes/{dispute_id}?done=submitted")


files_router = APIRouter(
    prefix=f"{PREFIX}/files", include_in_schema=False, route_class=DashboardRoute
)


@files_router.get("/{file_id}")
async def download(request: Request, file_id: str, staff: StaffDep) -> Response:
    c = request.app.state.container
    found, content = await file_content(
        file_id, storage=c.file_storage, uow_factory=c.uow_factory, ctx=staff.ctx
    )
    return Response(
        content,
        media_type=found.type,
        headers={
            "Content-Disposition": f'attachment; filename="{found.filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
