"""Webhook endpoints: register, retrieve, update, delete, list, rotate the signing secret.

Writes need ``manage_webhooks`` (admin, finance); reads need ``read``. An endpoint
registered with a shop-restricted key belongs to that shop: it receives only that
shop's events, and other shops' keys see it as missing. The signing secret is
returned once, by :func:`create_webhook_endpoint` and :func:`rotate_secret`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from payments.audit.service import record_audit
from payments.events.service import record_event
from payments.kernel.access import Permission
from payments.kernel.clock import Clock, to_unix
from payments.kernel.context import RequestContext
from payments.kernel.errors import NotFound
from payments.kernel.ids import id_for
from payments.kernel.metadata import update_metadata, validate_metadata
from payments.kernel.pagination import Page, PageRequest
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.webhooks.adapters.signing import new_secret
from payments.webhooks.domain.endpoint import (
    EndpointStatus,
    WebhookEndpoint,
    validate_enabled_events,
    validate_endpoint_url,
)
from payments.webhooks.render import webhook_endpoint_object
from payments.webhooks.repository.endpoints import WebhookEndpointRepository

DEFAULT_ROTATION_GRACE = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class EndpointWithSecret:
    endpoint: WebhookEndpoint
    secret: str

    def __repr__(self) -> str:  # never print the secret by accident
        return f"EndpointWithSecret(endpoint={self.endpoint!r}, secret='whsec_[REDACTED]')"


async def visible_endpoint(
    uow: UnitOfWork, endpoint_id: str, ctx: RequestContext, *, for_update: bool = False
) -> WebhookEndpoint:
    endpoint = await uow.repo(WebhookEndpointRepository).get(endpoint_id, for_update=for_update)
    if endpoint is None:
        raise NotFound.of("webhook_endpoint", endpoint_id)
    ctx.check_location("webhook_endpoint", endpoint_id, endpoint.location_id)
    return endpoint


def _clean(fields: dict[str, Any], allowed_hosts: frozenset[str]) -> dict[str, Any]:
    out = dict(fields)
    if out.get("url") is not None:
        out["url"] = validate_endpoint_url(out["url"], allowed_hosts=allowed_hosts)
    if out.get("enabled_events") is not None:
        out["enabled_events"] = validate_enabled_events(out["enabled_events"])
    return out


async def create_webhook_endpoint(
    fields: dict[str, Any],
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
    allowed_hosts: frozenset[str],
) -> EndpointWithSecret:
    ctx.require(Permission.manage_webhooks)
    fields = _clean(fields, allowed_hosts)
    now = clock.now()
    endpoint = WebhookEndpoint(
        id=id_for("webhook_endpoint"),
        url=fields["url"],
        enabled_events=fields["enabled_events"],
        created=now,
        description=fields.get("description"),
        metadata=validate_metadata(fields.get("metadata") or {}),
        location_id=ctx.principal.location_id,
    )
    secret = new_secret()
    async with uow_factory() as uow:
        await uow.repo(WebhookEndpointRepository).add(endpoint)
        await uow.repo(WebhookEndpointRepository).add_secret(endpoint.id, secret, created=now)
        await record_event(
            uow,
            "webhook_endpoint.created",
            webhook_endpoint_object(endpoint),
            ctx=ctx,
            clock=clock,
            location_id=endpoint.location_id,
        )
        await uow.commit()
    return EndpointWithSecret(endpoint, secret)


async def retrieve_webhook_endpoint(
    endpoint_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> WebhookEndpoint:
    async with uow_factory() as uow:
        return await visible_endpoint(uow, endpoint_id, ctx)


async def list_webhook_endpoints(
    page: PageRequest, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Page[WebhookEndpoint]:
    async with uow_factory() as uow:
        return await uow.repo(WebhookEndpointRepository).list_page(
            page, location_id=ctx.principal.location_id
        )


async def update_webhook_endpoint(
    endpoint_id: str,
    fields: dict[str, Any],
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
    allowed_hosts: frozenset[str],
) -> WebhookEndpoint:
    """Change url, enabled_events, description, metadata; ``disabled`` pauses or resumes."""
    ctx.require(Permission.manage_webhooks)
    fields = _clean(fields, allowed_hosts)
    async with uow_factory() as uow:
        current = await visible_endpoint(uow, endpoint_id, ctx, for_update=True)
        changes: dict[str, Any] = {
            k: v
            for k, v in fields.items()
            if k in ("url", "enabled_events", "description")
            and (v is not None or k == "description")
        }
        if "metadata" in fields:
            changes["metadata"] = update_metadata(current.metadata, fields["metadata"])
        if fields.get("disabled") is not None:
            changes["status"] = (
                EndpointStatus.disabled if fields["disabled"] else EndpointStatus.enabled
            )
            if not fields["disabled"]:
                changes["failing_since"] = None  # a resumed endpoint starts with a clean record
        updated = replace(current, **changes)
        before, after = webhook_endpoint_object(current), webhook_endpoint_object(updated)
        previous = {k: before[k] for k in after if before.get(k) != after[k]}
        await uow.repo(WebhookEndpointRepository).save(updated)
        if previous:
            await record_event(
                uow,
                "webhook_endpoint.updated",
                after,
                ctx=ctx,
                clock=clock,
                location_id=updated.location_id,
                previous_attributes=previous,
            )
        await uow.commit()
    return updated


async def delete_webhook_endpoint(
    endpoint_id: str, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> WebhookEndpoint:
    """Delete the endpoint with its secrets and delivery log; nothing more is sent to it."""
    ctx.require(Permission.manage_webhooks)
    async with uow_factory() as uow:
        endpoint = await visible_endpoint(uow, endpoint_id, ctx, for_update=True)
        await uow.repo(WebhookEndpointRepository).delete(endpoint_id)
        await record_event(
            uow,
            "webhook_endpoint.deleted",
            webhook_endpoint_object(endpoint) | {"deleted": True},
            ctx=ctx,
            clock=clock,
            location_id=endpoint.location_id,
        )
        await uow.commit()
    return endpoint


async def rotate_secret(
    endpoint_id: str,
    *,
    expires_in: timedelta = DEFAULT_ROTATION_GRACE,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> EndpointWithSecret:
    """A new signing secret; the current ones keep signing for ``expires_in`` (0 = stop now)."""
    ctx.require(Permission.manage_webhooks)
    now = clock.now()
    secret = new_secret()
    async with uow_factory() as uow:
        endpoint = await visible_endpoint(uow, endpoint_id, ctx, for_update=True)
        await uow.repo(WebhookEndpointRepository).expire_secrets(
            endpoint_id, at=now + expires_in, now=now
        )
        await uow.repo(WebhookEndpointRepository).add_secret(endpoint_id, secret, created=now)
        await record_audit(  # who rotated, and until when the old secret signs; no secret
            uow,
            "webhook_endpoint.secret_rotated",
            object_type="webhook_endpoint",
            object_id=endpoint_id,
            ctx=ctx,
            clock=clock,
            after={
                "previous_secrets_expire_at": to_unix(now + expires_in),
                "expires_in_seconds": int(expires_in.total_seconds()),
            },
            location_id=endpoint.location_id,
        )
        await uow.commit()
    return EndpointWithSecret(endpoint, secret)
