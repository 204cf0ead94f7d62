"""``payments serve``, ``worker``, ``migrate``: run the service and prepare its database."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import click

from payments.app.cli._common import (
    _require_keys,
    _require_schema,
    _settings,
    _where,
    _with_container,
)


@click.command()
@click.option("--host", default=None, help="Bind address (default PAYMENTS_HOST).")
@click.option("--port", default=None, type=int, help="Port (default PAYMENTS_PORT).")
@click.option("--workers", default=None, type=int, help="Server processes (PAYMENTS_WORKERS).")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Run the HTTP API (and, on the embedded default, the worker) under uvicorn."""
    import uvicorn

    from payments.platform.logs import configure_logging

    settings = _settings()
    configure_logging(settings.log_level, settings.log_format)
    n = workers or settings.workers
    if n > 1 and settings.is_sqlite:
        click.echo(
            "configuration error: PAYMENTS_WORKERS: more than one server process needs PostgreSQL",
            err=True,
        )
        sys.exit(2)
    if n > 1:
        from payments.platform.db import migrate

        migrate.upgrade(settings.database_url)
    elif not settings.is_sqlite:
        _require_schema(settings)
    _require_keys(settings)
    if settings.is_sqlite:
        click.echo(
            f"Data directory: {Path(_where(settings)).parent} (database {_where(settings)}; "
            "set PAYMENTS_DATA_DIR or PAYMENTS_DATABASE_URL to change it)"
        )
    # uvicorn builds the app (payments.asgi) from the environment, in this process or in
    # its workers: tell it the address it is served at (its 3-D Secure page URL uses it)
    if host:
        os.environ["PAYMENTS_HOST"] = host
    if port:
        os.environ["PAYMENTS_PORT"] = str(port)
    uvicorn.run(
        "payments.asgi:app",
        factory=False,
        host=host or settings.host,
        port=port or settings.port,
        workers=n,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds or None,
    )


@click.command()
def worker() -> None:
    """Run background jobs (recovery, settlement polling, webhook delivery, clean-up)."""
    import signal

    from payments.app.capabilities import run_forever
    from payments.platform.logs import configure_logging

    settings = _settings()
    configure_logging(settings.log_level, settings.log_format)
    _require_schema(settings)
    _require_keys(settings)

    async def run(container: Any) -> None:
        await container.prepare()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_forever(container, stop)

    _with_container(run)


@click.command()
@click.option("--check", is_flag=True, help="Fail if the models and migrations have drifted.")
def migrate(check: bool) -> None:
    """Apply database migrations (alembic upgrade head)."""
    from payments.platform.db import migrate as m

    settings = _settings()
    m.upgrade(settings.database_url)
    click.echo(f"migrations applied ({_where(settings)})")
    if settings.database_app_role and not settings.is_sqlite:
        problems = asyncio.run(_grant_app_role(settings.database_url, settings.database_app_role))
        if problems:
            for problem in problems:
                click.echo(f"error: {problem}", err=True)
            sys.exit(1)
        click.echo(
            f"privileges granted to {settings.database_app_role} "
            "(the audit log is append-only for it)"
        )
    if check:
        drift = m.check(settings.database_url)
        if drift:
            click.echo(f"models and migrations differ: {drift}", err=True)
            sys.exit(1)
        click.echo("no drift between models and migrations")


async def _grant_app_role(database_url: str, role: str) -> list[str]:
    from payments.platform.db.engine import create_engine
    from payments.platform.db.privileges import grant_app_role, privilege_problems

    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await grant_app_role(conn, role)
        async with engine.connect() as conn:
            return await privilege_problems(conn, role)
    finally:
        await engine.dispose()
