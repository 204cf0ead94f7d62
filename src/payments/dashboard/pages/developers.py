"""Developers: API keys (a new key's secret is shown once; revoke), webhook endpoints
with their delivery log, re-sending one event (replay) and rotating the signing secret.

API keys are company-wide: only an admin (``manage_api_keys``) sees this part; webhook
endpoints need ``manage_webhooks`` (finance, admin), a shop's user sees its shop's."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from payments.apikeys.service import create_api_key, list_api_keys, revoke_api_key, roll_api_key
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
from payments.kernel.access import Permission, Role
from payments.kernel.errors import InvalidRequest
from payments.kernel.pagination import MAX_LIMIT, PageRequest
from payments.webhooks.service.endpoints import (
    list_webhook_endpoints,
    retrieve_webhook_endpoint,
    rotate_secret,
)
from payments.webhooks.service.replay import list_deliveries, redeliver_event

#: The overlaps offered when a key is rolled, as Stripe offers them.
OVERLAPS = {
    "0": timedelta(0),
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "3d": timedelta(days=3),
    "7d": timedelta(days=7),
}


def _overlaps(request: Request) -> list[tuple[str, str]]:
    texts = ("not at all", "1 hour", "24 hours", "3 days", "7 days")
    return [(value, gettext(request, text)) for value, text in zip(OVERLAPS, texts, strict=True)]


router = APIRouter(
    prefix=f"{PREFIX}/developers", include_in_schema=False, route_class=DashboardRoute
)


@router.get("")
async def developers(request: Request, staff: StaffDep) -> Response:
    staff.require(Permission.manage_webhooks)
    c = request.app.state.container
    keys = []
    if staff.can(Permission.manage_api_keys):
        keys = list(reversed(await list_api_keys(uow_factory=c.uow_factory)))
    endpoints = await list_webhook_endpoints(
        PageRequest(limit=MAX_LIMIT), uow_factory=c.uow_factory, ctx=staff.ctx
    )
    return render(
        request,
        "developers.html",
        staff=staff,
        title=gettext(request, "Developers"),
        keys=keys,
        endpoints=endpoints.data,
        roles=[r.value for r in Role],
        overlaps=_overlaps(request),
        notice=gettext(request, "The key was revoked.")
        if request.query_params.get("done") == "revoked"
        else "",
    )


@router.post("/api_keys")
async def create_key(request: Request, posted: FormDep) -> Response:
    posted.staff.require(Permission.manage_api_keys)
    c = request.app.state.container
    role = posted.get("role")
    if role not in {r.value for r in Role}:
        raise InvalidRequest(gettext(request, "Choose a role."), param="role")
    name = posted.get("name")[:200] or f"{role} key"
    created = await create_api_key(
        role=Role(role),
        name=name,
        # a user bound to a shop makes keys of that shop only
        location_id=posted.staff.user.location_id or posted.get("location") or None,
        uow_factory=c.uow_factory,
        clock=c.clock,
        ctx=posted.staff.ctx,
    )
    return render(
        request,
        "api_key_created.html",
        staff=posted.staff,
        title=gettext(request, "API key created"),
        key=created.key,
        secret=created.secret,
    )


@router.post("/api_keys/{key_id}/revoke")
async def revoke_key(request: Request, key_id: str, posted: FormDep) -> Response:
    posted.staff.require(Permission.manage_api_keys)
    c = request.app.state.container
    if not posted.confirmed:
        return confirm(
            request,
            posted,
            title=gettext(request, "Revoke the API key?"),
            question=gettext(
                request, "Every request with this key fails from now on. This cannot be undone."
            ),
            button=gettext(request, "Revoke"),
            cancel_url=f"{PREFIX}/developers",
        )
    await revoke_api_key(key_id, uow_factory=c.uow_factory, clock=c.clock, ctx=posted.staff.ctx)
    return redirect(f"{PREFIX}/developers?done=revoked")


@router.post("/api_keys/{key_id}/roll")
async def roll_key(request: Request, key_id: str, posted: FormDep) -> Response:
    posted.staff.require(Permission.manage_api_keys)
    c = request.app.state.container
    overlap = OVERLAPS.get(posted.get("overlap"))
    if overlap is None:
        raise InvalidRequest(
            gettext(request, "Choose how long the old key works."), param="overlap"
        )
    if not posted.confirmed:
        return confirm(
            request,
            posted,
            title=gettext(request, "Roll the API key?"),
            question=gettext(
                request,
                "A new secret is made for the same name, role and shop; the old one stops "
                "working when the chosen time is over.",
            ),
            button=gettext(request, "Roll"),
            cancel_url=f"{PREFIX}/developers",
        )
    created, rolled = await roll_api_key(
        key_id, overlap=overlap, uow_factory=c.uow_factory, clock=c.clock, ctx=posted.staff.ctx
    )
    return render(
        request,
        "api_key_created.html",
        staff=posted.staff,
        title=gettext(request, "API key created"),
        key=created.key,
        secret=created.secret,
        rolled=rolled,
    )


@router.get("/webhooks/{endpoint_id}")
async def endpoint(
    request: Request,
    endpoint_id: str,
    staff: StaffDep,
    starting_after: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    staff.require(Permission.manage_webhooks)
    c = request.app.state.container
    found = await retrieve_webhook_endpoint(endpoint_id, uow_factory=c.uow_factory, ctx=staff.ctx)
    deliveries = await list_deliveries(
        endpoint_id, page_of(starting_after, None), uow_factory=c.uow_factory, ctx=staff.ctx
    )
    older = query({"starting_after": deliveries.data[-1].id}) if deliveries.has_more else ""
    done = request.query_params.get("done", "")
    messages = {
        "replayed": "The event will be sent again in a moment.",
    }
    return render(
        request,
        "webhook.html",
        staff=staff,
        title=gettext(request, "Webhook endpoint"),
        ep=found,
        deliveries=deliveries.data,
        older=older,
        notice=gettext(request, messages[done]) if done in messages else "",
    )


@router.post("/webhooks/{endpoint_id}/replay")
async def replay(request: Request, endpoint_id: str, posted: FormDep) -> Response:
    posted.staff.require(Permission.manage_webhooks)
    c = request.app.state.container
    event_id = posted.get("event")
    if not event_id:
        raise InvalidRequest(gettext(request, "Choose an event to send again."), param="event")
    await redeliver_event(
        event_id,
        endpoint_id=endpoint_id,
        uow_factory=c.uow_factory,
        clock=c.clock,
        ctx=posted.staff.ctx,
    )
    return redirect(f"{PREFIX}/developers/webhooks/{endpoint_id}?done=replayed")


@router.post("/webhooks/{endpoint_id}/rotate")
async def rotate(request: Request, endpoint_id: str, posted: FormDep) -> Response:
    posted.staff.require(Permission.manage_webhooks)
    c = request.app.state.container
    found = await retrieve_webhook_endpoint(
        endpoint_id, uow_factory=c.uow_factory, ctx=posted.staff.ctx
    )
    if not posted.confirmed:
        return confirm(
            request,
            posted,
            title=gettext(request, "Rotate the signing secret?"),
            question=gettext(
                request,
                "A new secret signs every delivery; the old one keeps signing for 24 hours so "
                "the receiver can be updated.",
            ),
            button=gettext(request, "Rotate"),
            cancel_url=f"{PREFIX}/developers/webhooks/{found.id}",
        )
    rotated = await rotate_secret(
        endpoint_id, uow_factory=c.uow_factory, clock=c.clock, ctx=posted.staff.ctx
    )
    return render(
        request,
        "secret_shown.html",
        staff=posted.staff,
        title=gettext(request, "New signing secret"),
        secret=rotated.secret,
        back=f"{PREFIX}/developers/webhooks/{endpoint_id}",
    )
