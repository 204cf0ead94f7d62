from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.responses import Response

from payments.platform.http.deps import ContainerDep
from payments.platform.http.errors import error_response
from payments.platform.http.openapi import ErrorResponse
from payments.platform.http.responses import json_response

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "ready"]
    database: str | None = None


UNAVAILABLE = {503: {"model": ErrorResponse, "description": "The database does not answer."}}


@router.get("/healthz", responses={200: {"model": Health}}, summary="Liveness: the process is up")
async def healthz() -> Response:
    return json_response({"status": "ok"})


@router.get(
    "/readyz",
    responses={200: {"model": Health}} | UNAVAILABLE,
    summary="Readiness: the database answers",
)
async def readyz(c: ContainerDep) -> Response:
    try:
        await c.uow_factory.ping()
    except Exception:
        return error_response(503, "api_error", "database_unavailable", "Database unreachable.")
    return json_response({"status": "ready", "database": c.uow_factory.dialect})
