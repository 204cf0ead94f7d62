from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from payments.platform.http.deps import ContainerDep
from payments.platform.http.errors import error_response
from payments.platform.http.responses import json_response

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process is up")
async def healthz() -> Response:
    return json_response({"status": "ok"})


@router.get("/readyz", summary="Readiness: the database answers")
async def readyz(c: ContainerDep) -> Response:
    try:
        await c.uow_factory.ping()
    except Exception:
        return error_response(503, "api_error", "database_unavailable", "Database unreachable.")
    return json_response({"status": "ready", "database": c.uow_factory.dialect})
