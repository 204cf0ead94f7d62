"""Key rotation over the stored values: re-wrap every value's data key with the current
key-encryption key (``payments keys rotate``), and count values per key.

Runs while the service serves: each batch is its own short transaction, and a row is
only updated if it still holds the value read (a request that changed it meanwhile wrote
a value of its own, which stays readable). Values stored before encryption are encrypted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from payments.platform.crypto.vault import Vault, is_ciphertext
from payments.platform.db.encrypted import encrypted_columns

BATCH = 500


@dataclass
class RekeyReport:
    rewrapped: int = 0
    encrypted: int = 0
    current: int = 0
    per_column: dict[str, int] = field(default_factory=dict)


def _raw(table: sa.Table, column: sa.Column[Any]) -> tuple[Any, Any, Any]:
    """The table seen without its encrypted types: (lightweight table, pk, column)."""
    pk = next(iter(table.primary_key.columns))
    t = sa.table(table.name, sa.column(pk.name), sa.column(column.name, sa.Text()))
    return t, t.c[pk.name], t.c[column.name]


async def rewrap_all(engine: AsyncEngine, vault: Vault, metadata: sa.MetaData) -> RekeyReport:
    report = RekeyReport()
    for table, column in encrypted_columns(metadata):
        t, pk, col = _raw(table, column)
        last: Any = None
        changed = 0
        while True:
            async with engine.begin() as conn:
                query = sa.select(pk, col).where(col.is_not(None))
                if last is not None:
                    query = query.where(pk > last)
                rows = (await conn.execute(query.order_by(pk).limit(BATCH))).all()
                for key, raw in rows:
                    if is_ciphertext(raw):
                        new = vault.rewrap(raw)
                        if new is None:
                            report.current += 1
                            continue
                        report.rewrapped += 1
                    else:  # a plain value (written before encryption): encrypt it
                        new = column.type.process_bind_param(  # type: ignore[attr-defined]
                            column.type.process_result_value(raw, engine.dialect),  # type: ignore[attr-defined]
                            engine.dialect,
                        )
                        report.encrypted += 1
                    changed += 1
                    await conn.execute(
                        sa.update(t).where(pk == key, col == raw).values({col.name: new})
                    )
            if not rows:
                break
            last = rows[-1][0]
        report.per_column[f"{table.name}.{column.name}"] = changed
    return report


async def key_usage(engine: AsyncEngine, metadata: sa.MetaData) -> Counter[str]:
    """How many stored values each key-encryption key wraps (``plain`` = not encrypted)."""
    usage: Counter[str] = Counter()
    async with engine.connect() as conn:
        for table, column in encrypted_columns(metadata):
            _t, _pk, col = _raw(table, column)
            for (raw,) in await conn.execute(sa.select(col).where(col.is_not(None))):
                if is_ciphertext(raw):
                    usage[raw.split("$", 2)[1]] += 1
                else:
                    usage["plain"] += 1
    return usage
