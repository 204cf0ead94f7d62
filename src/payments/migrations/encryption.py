"""Encrypting existing columns in place, for migrations (0039_encryption and later).

A column is named by ``(table, primary key, column, kind, PostgreSQL type before)``;
``kind`` is ``str``, ``json`` or ``bytes``, the plain value's shape, the same the
encrypted column types of :mod:`payments.platform.db.encrypted` read back. On PostgreSQL
the column becomes ``text`` first (and gets its type back on downgrade); on SQLite the
declared type stays (SQLite stores text whatever the declared type says). Rows are
rewritten in batches by primary key; a value already encrypted is left alone, so a
migration interrupted half-way can run again.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import op

BATCH = 500

Column = tuple[str, str, str, str, Any]


def vault() -> Any:
    from payments.platform.db.encrypted import current_vault

    return current_vault()


def is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _plain_bytes(kind: str, raw: Any) -> bytes:
    """A stored plain value as the bytes the encrypted type encrypts."""
    if kind == "bytes":
        if isinstance(raw, memoryview):
            return raw.tobytes()
        if isinstance(raw, str):  # PostgreSQL: bytea altered to base64 text
            return base64.b64decode(raw)
        return bytes(raw)
    if kind == "json":
        value = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    return str(raw).encode()


def _rewrite(table: str, pk: str, column: str, change: Callable[[Any], Any]) -> None:
    """Apply ``change`` to every non-null value of a column, in batches by primary key."""
    conn = op.get_bind()
    t = sa.table(table, sa.column(pk), sa.column(column, sa.Text()))
    last: Any = None
    while True:
        query = sa.select(t.c[pk], t.c[column]).where(t.c[column].is_not(None))
        if last is not None:
            query = query.where(t.c[pk] > last)
        rows = conn.execute(query.order_by(t.c[pk]).limit(BATCH)).all()
        if not rows:
            return
        for key, raw in rows:
            new = change(raw)
            if new is not None:
                conn.execute(sa.update(t).where(t.c[pk] == key).values({column: new}))
        last = rows[-1][0]


def encrypt_columns(columns: Sequence[Column]) -> None:
    """Make each column text (PostgreSQL) and encrypt its existing values."""
    from payments.platform.crypto.vault import is_ciphertext

    pg = is_postgres()
    keys = vault()
    for table, pk, column, kind, _before in columns:
        if pg:
            using = {
                "bytes": f"encode({column}, 'base64')",
                "json": f"{column}::text",
                "str": column,
            }[kind]
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE TEXT USING {using}")

        def encrypt(raw: Any, kind: str = kind) -> Any:
            if is_ciphertext(raw):
                return None
            return keys.encrypt_bytes(_plain_bytes(kind, raw))

        _rewrite(table, pk, column, encrypt)


def decrypt_columns(columns: Sequence[Column]) -> None:
    """Undo :func:`encrypt_columns`: values in clear, PostgreSQL types as before."""
    from payments.platform.crypto.vault import is_ciphertext

    pg = is_postgres()
    keys = vault()
    for table, pk, column, kind, before in columns:

        def decrypt(raw: Any, kind: str = kind) -> Any:
            if not is_ciphertext(raw):
                return None
            plain = keys.decrypt_bytes(raw)
            if kind == "bytes":
                return base64.b64encode(plain).decode() if pg else plain
            return plain.decode()

        _rewrite(table, pk, column, decrypt)
        if pg:
            target = {"json": "JSONB", "bytes": "BYTEA"}.get(kind)
            if target is None:
                target = "TEXT" if before.length is None else f"VARCHAR({before.length})"
            using = {
                "bytes": f"decode({column}, 'base64')",
                "json": f"{column}::jsonb",
                "str": column,
            }[kind]
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {target} USING {using}")
