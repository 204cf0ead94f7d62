"""What every command uses: the settings, the schema and key checks, a container to run in."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from payments.platform.config import ConfigurationError, Settings, load_settings

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigurationError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


def _where(settings: Settings) -> str:
    """The database, as a person recognises it (a file path, or host/database)."""
    from payments.platform.db.engine import sqlite_path

    path = sqlite_path(settings.database_url)
    if path is not None:
        return str(path)
    return settings.database_url.split("@", 1)[-1]


def _require_schema(settings: Settings) -> None:
    """Stop with one line when the database is missing or not migrated (never create an
    empty one, never a traceback)."""
    from payments.platform.db.migrate import schema_problem

    problem = asyncio.run(schema_problem(settings.database_url))
    if problem is not None:
        hint = "`payments migrate` (or `payments serve`, which migrates the embedded default)"
        click.echo(f"error: {problem} ({_where(settings)}); run {hint} first", err=True)
        sys.exit(1)


def _with_container(fn: Callable[[Any], Awaitable[T]]) -> T:
    from payments.app.bootstrap import build_container

    settings = _settings()
    _require_schema(settings)

    async def run() -> T:
        container = build_container(settings)
        try:
            return await fn(container)
        finally:
            await container.close()

    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        return runner.run(run())


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop when installed (it comes with uvicorn[standard], as in the API server)."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        return None
    return uvloop.new_event_loop


def _require_keys(settings: Settings) -> None:
    """Stop with one line when the encryption key is missing, unusable, or does not open
    the database's data (never start and write data nobody can read later)."""
    from payments.platform.crypto.keys import EncryptionKeyError
    from payments.platform.crypto.setup import build_vault
    from payments.platform.db.encrypted import attach_vault, check_encryption_key
    from payments.platform.db.engine import create_engine
    from payments.platform.db.migrate import schema_problem

    if asyncio.run(schema_problem(settings.database_url)) is not None:
        return  # an empty database: the first start makes the key and its canary

    async def run() -> None:
        engine = create_engine(settings.database_url, pool_size=1)
        try:
            vault = build_vault(settings)
            attach_vault(engine, vault)
            await check_encryption_key(engine, vault)
        finally:
            await engine.dispose()

    try:
        asyncio.run(run())
    except EncryptionKeyError as exc:
        click.echo(f"configuration error: {exc}", err=True)
        sys.exit(2)
