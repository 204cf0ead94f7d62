"""Alembic environment: async engine, the service's one MetaData, SQLite batch mode."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from payments.app.tables import metadata
from payments.platform.db.engine import create_engine

config = context.config


def _include_name(name: str | None, type_: str, _parent: object) -> bool:
    # The gateway simulator keeps its own tables (prefix sim_) outside our schema.
    return not (type_ == "table" and name is not None and name.startswith("sim_"))


def _compare_type(
    context: object,
    inspected_column: object,
    metadata_column: object,
    inspected_type: object,
    metadata_type: object,
) -> bool | None:
    """On SQLite an encrypted column keeps the declared type it had before encryption
    (0039_encryption): SQLite stores the ciphertext text whatever it says. Elsewhere,
    Alembic's own comparison (None)."""
    dialect = getattr(context, "dialect", None)
    if (
        getattr(metadata_type, "sqlite_any_text", False)
        and getattr(dialect, "name", "") == "sqlite"
    ):
        return False
    return None


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=_compare_type,
        include_name=_include_name,
    )


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("sqlalchemy.url must be set")
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_async(url))


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
