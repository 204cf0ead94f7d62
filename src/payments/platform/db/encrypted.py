"""Encrypted column types: repositories read and write plain values, the database holds
only ciphertexts (see :mod:`payments.platform.crypto`).

The vault is found on the engine's dialect (``attach_vault(engine, vault)``, done by the
composition root), else the process's vault (``use_vault(vault)``, for engines made
outside the composition root, e.g. Alembic's). A column of these types cannot be
compared in SQL except :class:`BlindIndex` columns, whose bound values are hashed the
same way as stored ones: ``where(customers.c.email_bidx == "Ada@Example.com")``.

On SQLite the declared type of a column that became encrypted is left as it was
(``sqlite_any_text``): SQLite stores text whatever the declared type says, and rebuilding
a table that others reference would break their foreign keys.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine

from payments.platform.crypto.keys import EncryptionKeyError
from payments.platform.crypto.vault import Vault, is_ciphertext
from payments.platform.db.schema import metadata
from payments.platform.db.types import UTCDateTime

_process_vault: Vault | None = None


def use_vault(vault: Vault | None) -> None:
    """The vault of engines that have none of their own (the last one set wins)."""
    global _process_vault
    _process_vault = vault


def attach_vault(engine: AsyncEngine | sa.Engine, vault: Vault) -> None:
    sync = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    sync.dialect.payments_vault = vault  # type: ignore[attr-defined]


def vault_of(dialect: Dialect) -> Vault:
    vault = getattr(dialect, "payments_vault", None) or _process_vault
    if vault is None:
        raise EncryptionKeyError("no encryption key is configured for this database engine")
    return vault


class _Encrypted(sa.TypeDecorator[Any]):
    impl = sa.Text
    cache_ok = True
    sqlite_any_text = True  # see the module docstring (and migrations/env.py)

    def _dump(self, value: Any) -> bytes:
        raise NotImplementedError

    def _load(self, raw: bytes) -> Any:
        raise NotImplementedError

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return vault_of(dialect).encrypt_bytes(self._dump(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not is_ciphertext(value):  # written before encryption (the migration encrypts it)
            return self._load(value if isinstance(value, bytes) else str(value).encode())
        return self._load(vault_of(dialect).decrypt_bytes(value))


class EncryptedString(_Encrypted):
    """A string, stored encrypted."""

    cache_ok = True

    def _dump(self, value: Any) -> bytes:
        return str(value).encode()

    def _load(self, raw: bytes) -> str:
        return raw.decode()


class EncryptedJSON(_Encrypted):
    """A JSON document (dict, list, ...), stored encrypted as one value."""

    cache_ok = True

    def _dump(self, value: Any) -> bytes:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)

    def _load(self, raw: bytes) -> Any:
        return orjson.loads(raw)


class EncryptedBytes(_Encrypted):
    """Bytes, stored encrypted (as text)."""

    cache_ok = True

    def _dump(self, value: Any) -> bytes:
        return bytes(value)

    def _load(self, raw: bytes) -> bytes:
        return raw


class BlindIndex(sa.TypeDecorator[str]):
    """A keyed hash (HMAC-SHA256) of a normalised value: bind the plain value, on insert
    and in comparisons alike; the database sees only the hash."""

    impl = sa.String(64)
    cache_ok = True
    sqlite_any_text = True

    def __init__(self, purpose: str = "email") -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        vault = vault_of(dialect)
        if self.purpose == "email":
            return vault.email_index(value)
        return vault.blind_index(self.purpose, value.strip())


def encrypted_columns(metadata: sa.MetaData) -> list[tuple[sa.Table, sa.Column[Any]]]:
    """Every encrypted column of the schema (what rotation and the dump test walk)."""
    return [
        (table, column)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, _Encrypted)
    ]


# --------------------------------------------------------------------------- the key check

CANARY_TEXT = "payments encryption canary"

# One row: a value encrypted when the database first met its key. A process whose key
# cannot open it refuses to start (instead of writing data nobody can read later).
encryption_canary = sa.Table(
    "encryption_canary",
    metadata,
    sa.Column("id", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("value", EncryptedString(), nullable=False),
    sa.Column("created", UTCDateTime(), nullable=False),
)


async def check_encryption_key(engine: AsyncEngine, vault: Vault) -> None:
    """Raise :class:`EncryptionKeyError` with one clear line unless ``vault``'s keys open
    this database's data; on a database that has none yet, write the canary."""
    from payments.platform.crypto.keys import DecryptionError
    from payments.platform.crypto.local import LocalKeyFile

    manager = vault.manager
    async with engine.connect() as conn:
        raw = (
            await conn.execute(
                sa.select(sa.cast(encryption_canary.c.value, sa.Text)).where(
                    encryption_canary.c.id == 1
                )
            )
        ).scalar_one_or_none()
    if raw is not None and isinstance(manager, LocalKeyFile) and not manager.exists():
        raise EncryptionKeyError(
            f"PAYMENTS_KEY_FILE: {manager.path} does not exist, but the database holds data "
            "encrypted with a key: restore the key file (or point PAYMENTS_KEY_FILE at it)"
        )
    manager.check()
    vault.email_index("canary@example.com")  # the blind-index key is usable
    if raw is None:
        async with engine.begin() as conn:
            exists = (
                await conn.execute(
                    sa.select(encryption_canary.c.id).where(encryption_canary.c.id == 1)
                )
            ).first()
            if exists is None:
                await conn.execute(
                    encryption_canary.insert().values(
                        id=1, value=CANARY_TEXT, created=datetime.now(UTC)
                    )
                )
        return
    try:
        ok = vault.decrypt(raw) == CANARY_TEXT
    except (DecryptionError, EncryptionKeyError):
        ok = False
    if not ok:
        where = (
            f"PAYMENTS_KEY_FILE: {manager.path}"
            if isinstance(manager, LocalKeyFile)
            else "PAYMENTS_KMS_KEY_ID"
        )
        raise EncryptionKeyError(
            f"{where}: this key does not open the data in the database (wrong key?)"
        )


def current_vault() -> Vault:
    """The process's vault, else one built from the settings (migrations run by
    ``payments migrate``, where no container exists)."""
    if _process_vault is not None:
        return _process_vault
    from payments.platform.config import load_settings
    from payments.platform.crypto.setup import build_vault

    return build_vault(load_settings())
