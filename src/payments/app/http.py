"""The FastAPI application factory: ``create_app(settings)``.

The lifespan builds the container (composition root), applies migrations and
seeds sample shops on the embedded default, and starts the embedded worker.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from payments import __version__
from payments.apikeys.service import count_active_keys, create_api_key
from payments.app.bootstrap import Container, build_container
from payments.app.capabilities import ROUTERS, run_forever
from payments.app.middleware import ApiGateMiddleware, RequestLogMiddleware
from payments.kernel.access import Role
from payments.kernel.clock import Clock
from payments.kernel.context import SYSTEM
from payments.locations.service import seed_sample_locations
from payments.platform.config import Settings
from payments.platform.db import migrate
from payments.platform.http.errors import install_error_handlers
from payments.platform.logs import get_logger

log = get_logger("payments.app")


async def prepare_embedded(container: Container) -> None:
    """On the embedded default: migrate, seed sample shops, print a first admin key."""

    settings = container.settings
    await migrate.upgrade_async(settings.database_url)
    if settings.seed_samples:
        await seed_sample_locations(uow_factory=container.uow_factory, clock=container.clock)
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

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = container is None
        c = container or build_container(settings, clock=clock)
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
        description=(
            "Payments, refunds, invoices and the ledger for MyComputer's shops. "
            "Stripe-style resources and errors; JSON bodies; `Authorization: Bearer sk_...`."
        ),
        lifespan=lifespan,
        strict_content_type=False,
    )
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(ApiGateMiddleware, container_getter=lambda: holder["c"])
    app.add_middleware(RequestLogMiddleware)
    if container is not None:
        app.state.container = container
    return app
