from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from payments.kernel.access import Role
from payments.platform.db.uow import Repository
from payments.staff.domain import StaffSession, StaffUser
from payments.staff.tables import staff_sessions, staff_sign_in_attempts, staff_users


def _user(row: Any) -> StaffUser:
    return StaffUser(
        id=row.id,
        email=row.email,
        role=Role(row.role),
        location_id=row.location_id,
        password_hash=row.password_hash,
        created=row.created,
        totp_secret=row.totp_secret,
        totp_pending_secret=row.totp_pending_secret,
        totp_last_step=row.totp_last_step,
        failed_count=row.failed_count,
        locked_until=row.locked_until,
        disabled_at=row.disabled_at,
    )


def _user_values(user: StaffUser) -> dict[str, Any]:
    values = asdict(user)
    values["role"] = user.role.value
    values["email_bidx"] = user.email  # BlindIndex: hashed on the way in
    return values


def _session(row: Any) -> StaffSession:
    return StaffSession(
        id=row.id,
        user_id=row.user_id,
        csrf_token=row.csrf_token,
        created=row.created,
        last_seen=row.last_seen,
        second_factor_pending=row.second_factor_pending,
        ip=row.ip,
        ended_at=row.ended_at,
    )


class StaffUserRepository(Repository):
    async def add(self, user: StaffUser) -> None:
        await self._conn.execute(staff_users.insert().values(**_user_values(user)))

    async def save(self, user: StaffUser) -> None:
        values = _user_values(user)
        del values["id"]
        await self._conn.execute(
            staff_users.update().where(staff_users.c.id == user.id).values(**values)
        )

    async def get(self, user_id: str, *, for_update: bool = False) -> StaffUser | None:
        query = sa.select(staff_users).where(staff_users.c.id == user_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return _user(row) if row else None

    async def by_email(self, email: str, *, for_update: bool = False) -> StaffUser | None:
        query = sa.select(staff_users).where(staff_users.c.email_bidx == email)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return _user(row) if row else None

    async def count(self) -> int:
        query = sa.select(sa.func.count(staff_users.c.id))
        return int((await self._conn.execute(query)).scalar_one())

    async def all(self) -> list[StaffUser]:
        rows = (await self._conn.execute(sa.select(staff_users).order_by(staff_users.c.id))).all()
        return [_user(r) for r in rows]


class StaffSessionRepository(Repository):
    async def add(self, session: StaffSession) -> None:
        values = asdict(session)
        del values["flash"]
        await self._conn.execute(staff_sessions.insert().values(**values))

    async def get(self, session_id: str) -> StaffSession | None:
        row = (
            await self._conn.execute(
                sa.select(staff_sessions).where(staff_sessions.c.id == session_id)
            )
        ).first()
        return _session(row) if row else None

    async def touch(self, session_id: str, when: datetime) -> None:
        await self._conn.execute(
            staff_sessions.update().where(staff_sessions.c.id == session_id).values(last_seen=when)
        )

    async def promote(self, session_id: str, when: datetime) -> None:
        """The second factor was given: the session becomes a full one."""
        await self._conn.execute(
            staff_sessions.update()
            .where(staff_sessions.c.id == session_id)
            .values(second_factor_pending=False, last_seen=when)
        )

    async def purge_before(self, when: datetime) -> int:
        """Delete sessions seen last (or ended) before ``when``: long expired."""
        t = staff_sessions
        result = await self._conn.execute(t.delete().where(t.c.last_seen < when))
        return int(result.rowcount or 0)

    async def end(self, session_id: str, when: datetime) -> None:
        await self._conn.execute(
            staff_sessions.update()
            .where(staff_sessions.c.id == session_id, staff_sessions.c.ended_at.is_(None))
            .values(ended_at=when)
        )


class SignInAttemptRepository(Repository):
    async def add(self, *, email: str, ip: str, succeeded: bool, when: datetime) -> None:
        await self._conn.execute(
            staff_sign_in_attempts.insert().values(
                email=email[:254], ip=ip[:64], succeeded=succeeded, created=when
            )
        )

    async def purge_before(self, when: datetime) -> int:
        t = staff_sign_in_attempts
        result = await self._conn.execute(t.delete().where(t.c.created < when))
        return int(result.rowcount or 0)

    async def failures_from(self, ip: str, since: datetime) -> int:
        t = staff_sign_in_attempts
        query = sa.select(sa.func.count()).where(
            t.c.ip == ip, t.c.created >= since, t.c.succeeded.is_(False)
        )
        return int((await self._conn.execute(query)).scalar_one())
