"""Least-privilege database roles on PostgreSQL (``deploy/postgres-roles.sql``).

Two roles: the *owner* owns the schema and runs ``payments migrate``; the *app* role,
which the API and the workers connect as, may read and write the tables but only append
to the audit trail: without UPDATE, DELETE or TRUNCATE on ``audit_log`` even a
compromised process cannot rewrite history (``payments audit verify`` would also notice,
by the hash chain; the privileges make it impossible rather than detectable).

``payments migrate`` with ``PAYMENTS_DATABASE_APP_ROLE`` set grants the app role what it
needs after every upgrade (new tables included) and then checks the result;
``payments check-config`` checks the role the service connects as.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

#: Tables the app role may read and append to, never change.
APPEND_ONLY = ("audit_log",)
#: Tables the app role may only read (the schema version is the owner's business).
READ_ONLY = ("alembic_version",)
_FORBIDDEN = ("UPDATE", "DELETE", "TRUNCATE")


def _quote(conn: AsyncConnection, role: str) -> str:
    return str(conn.dialect.identifier_preparer.quote(role))


async def grant_app_role(conn: AsyncConnection, role: str) -> None:
    """Give ``role`` what the service needs, and nothing on the audit trail but INSERT
    and SELECT. Idempotent; run after every migration (in the owner's connection)."""
    q = _quote(conn, role)
    schema = _quote(conn, await conn.scalar(sa.text("SELECT current_schema()")))
    for statement in (
        f"GRANT USAGE ON SCHEMA {schema} TO {q}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {q}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {q}",
        *(f"REVOKE UPDATE, DELETE, TRUNCATE ON {t} FROM {q}" for t in APPEND_ONLY),
        *(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {t} FROM {q}" for t in READ_ONLY),
    ):
        await conn.execute(sa.text(statement))


async def privilege_problems(conn: AsyncConnection, role: str | None = None) -> list[str]:
    """What ``role`` (default: the connection's own) could do that it must not: be a
    superuser, own the tables (an owner may do anything to them), or change the audit
    trail. Empty when the role is as ``deploy/postgres-roles.sql`` makes it."""
    role = role or str(await conn.scalar(sa.text("SELECT current_user")))
    problems: list[str] = []
    superuser = await conn.scalar(
        sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = :r"), {"r": role}
    )
    if superuser is None:
        return [f"the role {role!r} does not exist"]
    if superuser:
        problems.append(f"the role {role!r} is a superuser")
    owned = await conn.scalar(
        sa.text(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tableowner = :r"
        ),
        {"r": role},
    )
    if owned:
        problems.append(f"the role {role!r} owns {owned} tables (run migrations as another role)")
    for table in APPEND_ONLY:
        for privilege in _FORBIDDEN:
            allowed = await conn.scalar(
                sa.text("SELECT has_table_privilege(:r, :t, :p)"),
                {"r": role, "t": table, "p": privilege},
            )
            if allowed:
                problems.append(f"the role {role!r} may {privilege} {table}")
    return problems
