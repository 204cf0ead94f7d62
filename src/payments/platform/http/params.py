"""Query parameters shared by the routes: Stripe's ``created`` filters, ``expand[]``, a
list's ``location``, and the refusal of any query parameter a route does not declare.

Query strings use Stripe's bracket notation (``created[gte]=...``); the /v1 gate
rewrites indexed arrays (``expand[0]=...``, as Stripe's SDKs send them) to ``expand[]``.
"""

# no ``from __future__ import annotations``: expandable() builds a route signature at run time

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from payments.kernel.errors import InvalidRequest
from payments.kernel.pagination import Created

Timestamp = Annotated[int | None, Query(ge=0, le=2**33)]
_LAST_MICROSECOND = timedelta(seconds=1) - timedelta(microseconds=1)


def _at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _created(
    created: Annotated[
        int | None,
        Query(ge=0, le=2**33, description="Created in this second (unix time)."),
    ] = None,
    gte: Annotated[int | None, Query(alias="created[gte]", ge=0, le=2**33)] = None,
    gt: Annotated[int | None, Query(alias="created[gt]", ge=0, le=2**33)] = None,
    lte: Annotated[int | None, Query(alias="created[lte]", ge=0, le=2**33)] = None,
    lt: Annotated[int | None, Query(alias="created[lt]", ge=0, le=2**33)] = None,
) -> Created:
    """Unix seconds, compared as the objects show them (``created`` is whole seconds):
    ``created[lte]=T`` includes an object created at T.5, ``created[gt]=T`` excludes it."""
    starts = [_at(v) for v in (created, gte) if v is not None]
    starts += [_at(gt + 1)] if gt is not None else []
    ends = [_at(v) + _LAST_MICROSECOND for v in (created, lte) if v is not None]
    ends += [_at(lt) - timedelta(microseconds=1)] if lt is not None else []
    return Created(gte=max(starts) if starts else None, lte=min(ends) if ends else None)


CreatedRange = Annotated[Created, Depends(_created)]

LocationFilter = Annotated[
    str | None,
    Query(
        max_length=64,
        description=(
            "Only this shop's objects. A key restricted to a shop may name only its own "
            "(another shop is answered 404)."
        ),
    ),
]


def expandable(
    *fields: str, lists: bool = False
) -> Callable[..., Coroutine[Any, Any, tuple[str, ...]]]:
    """A dependency reading ``expand[]`` (Stripe's names, ``data.`` prefixed on lists)
    and refusing a field that cannot be expanded; it returns the fields, unprefixed."""
    allowed = tuple(f"data.{f}" for f in fields) if lists else fields
    description = "Expand these fields into objects: " + ", ".join(f"`{f}`" for f in allowed)

    values_type = Annotated[
        list[Annotated[str, Query(max_length=64)]] | None,
        Query(alias="expand[]", max_length=10, description=description),
    ]

    async def expand(values: values_type = None) -> tuple[str, ...]:
        chosen: list[str] = []
        for i, value in enumerate(values or []):
            if value not in allowed:
                raise InvalidRequest(
                    f"This property cannot be expanded ({value}); expandable here: "
                    + ", ".join(allowed)
                    + ".",
                    param=f"expand[{i}]",
                )
            name = value.removeprefix("data.") if lists else value
            if name not in chosen:
                chosen.append(name)
        return tuple(chosen)

    return expand


_QUERY_NAMES: dict[int, frozenset[str]] = {}


def _query_names(route: APIRoute) -> frozenset[str]:
    names = _QUERY_NAMES.get(id(route))
    if names is None:
        found: set[str] = set()
        pending: list[Dependant] = [route.dependant]
        while pending:
            dependant = pending.pop()
            found |= {p.alias for p in dependant.query_params}
            pending += dependant.dependencies
        names = _QUERY_NAMES[id(route)] = frozenset(found)
    return names


async def refuse_unknown_query(request: Request) -> None:
    """Stripe's rule: a parameter the endpoint does not know is a 400 naming it, never
    silently ignored (a misspelt filter would otherwise list everything)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.url.query:
        return
    if not request.url.path.startswith("/v1/"):
        return  # pages (the 3-D Secure page carries its own query) and health checks
    known = _query_names(route)
    for name in request.query_params:
        if name not in known:
            raise InvalidRequest(
                f"Received unknown parameter: {name}", code="parameter_unknown", param=name
            )
