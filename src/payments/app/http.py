"""The FastAPI application factory: ``create_app(settings)``.

The lifespan builds the container (composition root), applies migrations and
seeds sample shops on the embedded default, and starts the embedded worker.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from starlette.middleware.cors import CORSMiddleware

from payments import __version__
from payments.apikeys.service import count_active_keys, create_api_key
from payments.app.bootstrap import Container, build_container
from payments.app.capabilities import ROUTERS, run_forever
from payments.app.middleware import ApiGateMiddleware, RequestLogMiddleware
from payments.app.security import SecurityMiddleware, cors_options, cors_origins
from payments.fraud.service.rules import seed_default_rules
from payments.kernel.access import Role
from payments.kernel.clock import Clock
from payments.kernel.context import SYSTEM
from payments.locations.service import seed_sample_locations
from payments.metrics.recorder import MetricsMiddleware
from payments.platform.config import Settings
from payments.platform.db import migrate
from payments.platform.http.docs_ui import install_docs_ui
from payments.platform.http.errors import install_error_handlers
from payments.platform.http.openapi import finish_openapi, operation_id
from payments.platform.http.params import refuse_unknown_query
from payments.platform.http.version import API_VERSION
from payments.platform.logs import get_logger
from payments.platform.tracing import build_tracer_provider, span_details
from payments.staff.service import count_staff_users, create_staff_user, generate_password

log = get_logger("payments.app")

FIRST_USER_EMAIL = "admin@example.com"

DESCRIPTION = f"""\
The payments service of MyComputer's repair shops: PaymentIntents (cards, wallets, SEPA
Direct Debit, bank transfers) with 3-D Secure and manual capture, refunds with approval,
disputes, customers (with tax ids) and saved payment methods, invoices and credit notes
with EU VAT and EN 16931 e-invoices (PDF/A-3 Factur-X, CII, UBL) issued by the shops'
legal entities, webhooks, and a double-entry ledger.

Stripe's conventions throughout: resources, field names, statuses and the error shape
`{{"error": {{"type", "code", "message", "param"}}}}`. Bodies may be JSON or Stripe's
form encoding (bracket notation), so Stripe's own SDKs work with this base URL; see
`docs/how-to/use-stripe-sdks.md` for what differs.

- **Authentication**: `Authorization: Bearer sk_...` (in /docs, the *Authorize* button takes it). Keys have a
  role (admin, finance, clerk, readonly) and may be restricted to one shop.
- **Idempotency**: an `Idempotency-Key` header on POST and DELETE replays the first
  response for 24 hours.
- **Versions**: one API version, {API_VERSION}; a `Stripe-Version` header is accepted and
  echoed.
- **Lists**: newest first, `limit`, `starting_after`, `ending_before`; filters such as
  `location`, `customer`, `status`, `created[gte]`; an unknown parameter is a 400.
"""


async def prepare_embedded(container: Container) -> None:
    """On the embedded default: migrate, seed sample shops and the default fraud rules,
    print a first admin key and a first dashboard admin (e-mail and password)."""

    settings = container.settings
    await migrate.upgrade_async(settings.database_url)
    if settings.seed_samples:
        await seed_sample_locations(uow_factory=container.uow_factory, clock=container.clock)
        await seed_default_rules(uow_factory=container.uow_factory, clock=container.clock)
    if await count_active_keys(uow_factory=container.uow_factory) == 0:
        created = await create_api_key(
            role=Role.admin,
            name="first admin key",
            location_id=None,
            uow_factory=container.uow_factory,
            clock=container.clock,
            ctx=SYSTEM,
        )
        print(  # noqa: T201 - shown once, on the console only, never logged
            "\nNo API keys existed, so a first admin key was created. It is shown only once:\n\n"
            f"    {created.secret}\n",
            flush=True,
        )
    if await count_staff_users(uow_factory=container.uow_factory) == 0:
        password = generate_password()
        user = await create_staff_user(
            email=FIRST_USER_EMAIL,
            role=Role.admin,
            location_id=None,
            password=password,
            uow_factory=container.uow_factory,
            clock=container.clock,
            ctx=SYSTEM,
        )
        print(  # noqa: T201 - shown once, on the console only, never logged
            "No dashboard users existed, so a first admin user was created. Sign in at "
            f"/dashboard with this e-mail and password (shown only once):\n\n"
            f"    {user.email}\n    {password}\n",
            flush=True,
        )


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    container: Container | None = None,
    embedded: bool | None = None,
) -> FastAPI:
    """Build the app. ``embedded`` (default: SQLite) migrates and seeds at start-up."""
    holder: dict[str, Container] = {}
    if container is not None:
        holder["c"] = container
    tracer_provider = (
        container.tracer_provider
        if container is not None
        else build_tracer_provider(settings.tracing, settings.tracing_sample_ratio)
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = container is None
        c = container or build_container(settings, clock=clock, tracer_provider=tracer_provider)
        holder["c"] = c
        app.state.container = c
        if embedded if embedded is not None else settings.is_sqlite:
            await prepare_embedded(c)
        await c.prepare()
        stop = asyncio.Event()
        worker_task = None
        if settings.run_embedded_worker:
            worker_task = asyncio.create_task(run_forever(c, stop))
        try:
            yield
        finally:
            stop.set()
            if worker_task is not None:
                await worker_task
            if owned:
                await c.close()

    app = FastAPI(
        title="MyComputer Payments API",
        version=__version__,
        summary=f"Payments, refunds, disputes and the ledger of MyComputer's shops (API {API_VERSION}).",
        description=DESCRIPTION,
        lifespan=lifespan,
        strict_content_type=False,
        dependencies=[Depends(refuse_unknown_query)],
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=operation_id,
    )
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    install_docs_ui(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finish_openapi(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    summary=app.summary,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(ApiGateMiddleware, container_getter=lambda: holder["c"])
    app.add_middleware(SecurityMiddleware, settings=settings)
    origins = cors_origins(settings)
    if origins:  # off unless configured; outside the gate, so preflights need no key
        app.add_middleware(CORSMiddleware, **cors_options(origins))  # type: ignore[arg-type]
    app.add_middleware(RequestLogMiddleware)
    app.add_middleware(MetricsMiddleware)  # times everything, by route template
    if tracer_provider is not None:  # outermost: the request's span is every other's parent
        app.add_middleware(
            OpenTelemetryMiddleware,
            tracer_provider=tracer_provider,
            default_span_details=span_details,
            exclude_spans=["receive", "send"],
        )
    if container is not None:
        app.state.container = container
    return app
