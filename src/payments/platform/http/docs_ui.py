"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), with their assets served from the package.

No CDN: the pages reference only ``/static/docs/...`` and ``/openapi.json``, so the
interactive documentation works offline and inside a locked-down network. The vendored
files, their versions and licences are listed in ``static/README.md``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"
PREFIX = "/static/docs"

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="MyComputer Payments API",
        swagger_js_url=f"{PREFIX}/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{PREFIX}/swagger-ui/swagger-ui.css",
        swagger_favicon_url=f"{PREFIX}/swagger-ui/favicon-32x32.png",
        swagger_ui_parameters={"persistAuthorization": True, "validatorUrl": None},
    )


@router.get("/redoc")
async def redoc() -> HTMLResponse:
    return get_redoc_html(
        openapi_url="/openapi.json",
        title="MyComputer Payments API",
        redoc_js_url=f"{PREFIX}/redoc/redoc.standalone.js",
        redoc_favicon_url=f"{PREFIX}/swagger-ui/favicon-32x32.png",
        with_google_fonts=False,
    )


def install_docs_ui(app: FastAPI) -> None:
    app.mount(PREFIX, StaticFiles(directory=STATIC), name="docs-static")
    app.include_router(router)
