"""FastAPI dependencies: the container, the request context, list parameters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request

from payments.kernel.access import Principal
from payments.kernel.context import RequestContext
from payments.kernel.errors import AuthenticationFailed
from payments.kernel.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageRequest
from payments.platform.runtime import Runtime


async def get_container(request: Request) -> Any:
    """The composition root's container, typed by each route with the protocol of what it
    needs (:class:`~payments.platform.runtime.Runtime` or a capability's extension).

    ``async`` although it awaits nothing (as are the others): FastAPI runs a plain
    ``def`` dependency in its thread pool, a thread hand-off per request."""
    return request.app.state.container


async def get_context(request: Request) -> RequestContext:
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:  # the gate authenticates every /v1 request; this is a safety net
        raise AuthenticationFailed("No API key provided.", code="api_key_missing")
    return RequestContext(
        principal=principal,
        request_id=getattr(request.state, "request_id", None),
        idempotency_key=getattr(request.state, "idempotency_key", None),
        ip=request.client.host if request.client else None,
    )


async def get_page(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    starting_after: Annotated[str | None, Query(max_length=64)] = None,
    ending_before: Annotated[str | None, Query(max_length=64)] = None,
) -> PageRequest:
    return PageRequest(limit=limit, starting_after=starting_after, ending_before=ending_before)


ContainerDep = Annotated[Runtime, Depends(get_container)]
ContextDep = Annotated[RequestContext, Depends(get_context)]
PageDep = Annotated[PageRequest, Depends(get_page)]


def services(container: Runtime) -> dict[str, Any]:
    """The collaborators most use cases take, as keyword arguments."""
    return {"uow_factory": container.uow_factory, "clock": container.clock}
