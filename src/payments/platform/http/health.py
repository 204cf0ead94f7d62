from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.responses import Response

from payments.platform.http.deps import ContainerDep
from payments.platform.http.errors import error_response
from payments.platform.http.openapi import ErrorResponse, Responses
from payments.platform.http.responses import json_response

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "ready"]
    database: str | None = None


HEALTH: Responses = {200: {"model": Health}}
UNAVAILABLE: Responses = {
    503: {"model": ErrorResponse, "description": "The database does not answer."}
}


@router.get("/healthz", responses=HEALTH, summary="Liveness: the process is up")
async def healthz() -> Response:
    return json_response({"status": "ok"})


@router.get(
    "/readyz",
    responses=HEALTH | UNAVAILABLE,
    summary="Readiness: the database answers",
)
async def readyz(c: ContainerDep) -> Response:
    try:
        await c.uow_factory.ping()
    except Exception:
        return error_response(503, "api_error", "database_unavailable", "Database unreachable.")
    return json_response({"status": "ready", "database": c.uow_factory.dialect})
