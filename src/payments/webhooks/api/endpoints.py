from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from payments.platform.http.deps import ContainerDep, ContextDep, PageDep, services
from payments.platform.http.responses import json_response, list_response
from payments.platform.runtime import Runtime
from payments.webhooks.render import deleted_webhook_endpoint_object, webhook_endpoint_object
from payments.webhooks.schemas import (
    DeletedWebhookEndpointOut,
    RotateSecret,
    WebhookEndpointCreate,
    WebhookEndpointList,
    WebhookEndpointOut,
    WebhookEndpointUpdate,
)
from payments.webhooks.service import endpoints as uc

router = APIRouter(prefix="/v1/webhook_endpoints", tags=["webhook_endpoints"])

ENDPOINT: dict[int | str, dict[str, Any]] = {200: {"model": WebhookEndpointOut}}


def _with_hosts(c: Runtime) -> dict[str, Any]:
    return services(c) | {"allowed_hosts": c.settings.webhook_allowed_hosts}


def _with_secret(created: uc.EndpointWithSecret) -> Response:
    return json_response(webhook_endpoint_object(created.endpoint) | {"secret": created.secret})


@router.post("", responses=ENDPOINT, summary="Register a webhook endpoint (secret shown once)")
async def create_endpoint(
    body: WebhookEndpointCreate, c: ContainerDep, ctx: ContextDep
) -> Response:
    created = await uc.create_webhook_endpoint(
        body.model_dump(exclude_unset=True), ctx=ctx, **_with_hosts(c)
    )
    return _with_secret(created)


@router.get(
    "",
    responses={200: {"model": WebhookEndpointList}},
    summary="List webhook endpoints (newest first)",
)
async def list_endpoints(c: ContainerDep, ctx: ContextDep, page: PageDep) -> Response:
    result = await uc.list_webhook_endpoints(page, uow_factory=c.uow_factory, ctx=ctx)
    return list_response("/v1/webhook_endpoints", result, webhook_endpoint_object)


@router.get("/{endpoint_id}", responses=ENDPOINT, summary="Retrieve a webhook endpoint")
async def retrieve_endpoint(endpoint_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    endpoint = await uc.retrieve_webhook_endpoint(endpoint_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(webhook_endpoint_object(endpoint))


@router.post("/{endpoint_id}", responses=ENDPOINT, summary="Update a webhook endpoint")
async def update_endpoint(
    endpoint_id: str, body: WebhookEndpointUpdate, c: ContainerDep, ctx: ContextDep
) -> Response:
    endpoint = await uc.update_webhook_endpoint(
        endpoint_id, body.model_dump(exclude_unset=True), ctx=ctx, **_with_hosts(c)
    )
    return json_response(webhook_endpoint_object(endpoint))


@router.delete(
    "/{endpoint_id}",
    responses={200: {"model": DeletedWebhookEndpointOut}},
    summary="Delete a webhook endpoint",
)
async def delete_endpoint(endpoint_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    endpoint = await uc.delete_webhook_endpoint(endpoint_id, ctx=ctx, **services(c))
    return json_response(deleted_webhook_endpoint_object(endpoint))


@router.post(
    "/{endpoint_id}/rotate_secret",
    responses=ENDPOINT,
    summary="Roll the signing secret; the old one keeps signing for a grace period",
)
async def rotate_secret(
    endpoint_id: str, c: ContainerDep, ctx: ContextDep, body: RotateSecret | None = None
) -> Response:
    body = body or RotateSecret()
    rotated = await uc.rotate_secret(
        endpoint_id, expires_in=timedelta(seconds=body.expires_in_seconds), ctx=ctx, **services(c)
    )
    return _with_secret(rotated)
