from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from payments.apikeys.tables import api_keys
from payments.kernel.access import ApiKey, Role
from payments.platform.db.uow import Repository


def _to_key(row: Any) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        redacted=row.redacted,
        created=row.created,
        location_id=row.location_id,
        revoked_at=row.revoked_at,
        expires_at=row.expires_at,
        rolled_to=row.rolled_to,
    )


class ApiKeyRepository(Repository):
    async def add(self, key: ApiKey, *, secret_hash: str) -> None:
        await self._conn.execute(
            api_keys.insert().values(
                id=key.id,
                name=key.name,
                role=key.role.value,
                location_id=key.location_id,
                secret_hash=secret_hash,
                redacted=key.redacted,
                created=key.created,
                revoked_at=None,
            )
        )

    async def by_secret_hash(self, secret_hash: str) -> ApiKey | None:
        row = (
            await self._conn.execute(
                sa.select(api_keys).where(api_keys.c.secret_hash == secret_hash)
            )
        ).first()
        return _to_key(row) if row else None

    async def get(self, key_id: str) -> ApiKey | None:
        row = (await self._conn.execute(sa.select(api_keys).where(api_keys.c.id == key_id))).first()
        return _to_key(row) if row else None

    async def all(self) -> list[ApiKey]:
        rows = (await self._conn.execute(sa.select(api_keys).order_by(api_keys.c.id))).all()
        return [_to_key(r) for r in rows]

    async def count_active(self) -> int:
        query = sa.select(sa.func.count(api_keys.c.id)).where(api_keys.c.revoked_at.is_(None))
        return int((await self._conn.execute(query)).scalar_one())

    async def roll(self, key_id: str, *, successor: str, expires_at: datetime) -> bool:
        """Mark a key rolled (once: a key already rolled or revoked is not changed)."""
        result = await self._conn.execute(
            api_keys.update()
            .where(
                api_keys.c.id == key_id,
                api_keys.c.revoked_at.is_(None),
                api_keys.c.rolled_to.is_(None),
            )
            .values(rolled_to=successor, expires_at=expires_at)
        )
        return bool(result.rowcount)

    async def revoke(self, key_id: str, when: datetime) -> bool:
        result = await self._conn.execute(
            api_keys.update()
            .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=when)
        )
        return bool(result.rowcount)
