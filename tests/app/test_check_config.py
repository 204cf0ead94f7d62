"""``payments check-config`` and the least-privilege database role: what a production
configuration must have, checked before it serves a payment."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest

from payments.app.config_check import static_findings
from payments.platform.config import Settings
from payments.platform.db import migrate
from support.cli import run
from support.databases import POSTGRES_ADMIN_URL, postgres_available, postgres_database

LIVE_KEY = "sk_live_" + "a" * 24
GOOD: dict[str, Any] = {
    "environment": "production",
    "database_url": "postgresql://payments_app@db.internal:5432/payments?ssl=require",
    "gateway": "stripe",
    "stripe_secret_key": LIVE_KEY,
    "stripe_webhook_secret": "whsec_" + "b" * 24,
    "public_url": "https://pay.mycomputer.example",
    "redis_url": "rediss://cache.internal:6379/0",
}
GOOD_ENV = {f"PAYMENTS_{k.upper()}": v for k, v in GOOD.items()}


def findings(*, with_key_file: bool = False, **changes: Any) -> list[str]:
    """What check-config says of GOOD with ``changes`` (without the key file's reminder,
    which every configuration with the local key file gets, unless asked for)."""
    settings = Settings(_env_file=None, **(GOOD | changes))  # type: ignore[call-arg]
    said = [str(f) for f in static_findings(settings)]
    return said if with_key_file else [f for f in said if "PAYMENTS_KEY_MANAGER" not in f]


def test_a_sound_production_configuration_only_asks_to_keep_the_key_file_safe() -> None:
    (key_file,) = findings(with_key_file=True)
    assert key_file.startswith("warning: PAYMENTS_KEY_MANAGER: local: the key file ")
    assert key_file.endswith("must be backed up apart from the database; several machines need kms")


def test_what_would_run_but_must_not_in_production_is_an_error() -> None:
    assert findings(
        database_url="sqlite:////tmp/x.sqlite3", gateway="simulator", public_url=None
    ) == [
        "error: PAYMENTS_DATABASE_URL: SQLite serves one machine; production needs PostgreSQL",
        "error: PAYMENTS_GATEWAY: the simulator takes no real money; production needs stripe",
        "error: PAYMENTS_PUBLIC_URL: must be the https:// address customers reach (pay links, "
        "3-D Secure returns)",
    ]
    assert findings(stripe_secret_key="sk_test_" + "a" * 24) == [
        "error: PAYMENTS_STRIPE_SECRET_KEY: is a test key: production takes live payments"
    ]
    assert findings(public_url="http://pay.mycomputer.example", cors_allow_origins="http://a.b")[
        :2
    ] == [
        "error: PAYMENTS_PUBLIC_URL: must be the https:// address customers reach (pay links, "
        "3-D Secure returns)",
        "error: PAYMENTS_CORS_ALLOW_ORIGINS: http://a.b is not an https:// origin",
    ]


def test_plain_text_connections_to_other_hosts_are_warned_about() -> None:
    assert findings(
        database_url="postgresql://payments_app@db.internal:5432/payments",
        redis_url="redis://cache.internal:6379/0",
        event_publisher="rabbitmq",
        rabbitmq_url="amqp://payments:secret@mq.internal:5672/",
        metrics_public=True,
    ) == [
        "warning: PAYMENTS_DATABASE_URL: connects to another host without ssl=require (TLS)",
        "warning: PAYMENTS_REDIS_URL: connects to another host without TLS (use rediss://)",
        "warning: PAYMENTS_RABBITMQ_URL: connects to another host without TLS (use amqps://)",
        "warning: PAYMENTS_METRICS_PUBLIC: /metrics answers anyone who reaches it",
    ]


def test_outside_production_everything_is_advisory() -> None:
    reported = findings(environment="development", gateway="simulator", stripe_secret_key=None)
    assert reported[0].startswith("warning: PAYMENTS_ENVIRONMENT: is development")
    assert all(line.startswith("warning:") for line in reported)


def test_the_command_exits_1_on_errors_and_names_each(database_url: str) -> None:
    env = GOOD_ENV | {"PAYMENTS_PUBLIC_URL": "http://pay.example"}
    result = run(database_url, "check-config", "--offline", env=env)
    assert result.returncode == 1
    assert "error: PAYMENTS_PUBLIC_URL: must be the https:// address" in result.stdout
    assert "1 error(s), 1 warning(s): not fit for production" in result.stderr
    ok = run(database_url, "check-config", "--offline", env=GOOD_ENV)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "configuration OK (production, 1 warning(s))" in ok.stdout


def test_an_invalid_setting_stops_it_with_one_line(database_url: str) -> None:
    result = run(
        database_url, "check-config", env=GOOD_ENV | {"PAYMENTS_STRIPE_WEBHOOK_SECRET": "nope"}
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "configuration error: PAYMENTS_STRIPE_WEBHOOK_SECRET: must start with whsec_"
    )


pg = pytest.mark.skipif(not postgres_available(), reason="PostgreSQL is not reachable")


async def _admin(sql: str, database: str | None = None) -> None:
    dsn = POSTGRES_ADMIN_URL if database is None else POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    conn = await asyncpg.connect(dsn if database is None else f"{dsn}/{database}")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
def app_role() -> Iterator[str]:
    role = f"payments_app_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f"CREATE ROLE {role} LOGIN"))
    try:
        yield role
    finally:
        asyncio.run(_admin(f"DROP ROLE IF EXISTS {role}"))  # after its database is gone


@pg
def test_migrate_grants_the_app_role_an_append_only_audit_log(app_role: str) -> None:
    with postgres_database("payments_roles") as owner_url:
        migrate.upgrade(owner_url)
        granted = run(owner_url, "migrate", env={"PAYMENTS_DATABASE_APP_ROLE": app_role})
        assert granted.returncode == 0, granted.stderr
        assert f"privileges granted to {app_role}" in granted.stdout
        database = owner_url.rsplit("/", 1)[1]
        app_dsn = f"postgresql://{app_role}@127.0.0.1:5432/{database}"

        async def as_app() -> None:
            conn = await asyncpg.connect(app_dsn)
            try:
                await conn.execute(
                    "INSERT INTO audit_log (id, seq, actor_type, actor_id, actor_name, action,"
                    " object_type, object_id, changes, prev_hash, hash, created) VALUES"
                    " ('aud_1', 1, 'cli', 'cli', 'test', 'x.y', 'x', 'x_1', '{}', '', 'h', now())"
                )
                for statement in (
                    "UPDATE audit_log SET action = 'rewritten'",
                    "DELETE FROM audit_log",
                    "TRUNCATE audit_log",
                    "UPDATE alembic_version SET version_num = 'x'",
                ):
                    with pytest.raises(asyncpg.InsufficientPrivilegeError):
                        await conn.execute(statement)
                assert await conn.fetchval("SELECT action FROM audit_log") == "x.y"
                await conn.execute("DELETE FROM customers")  # the rest stays writable
            finally:
                await conn.close()

        asyncio.run(as_app())
        local_redis = {
            "PAYMENTS_REDIS_URL": "redis://127.0.0.1:6379/0",
            "PAYMENTS_KEY_FILE": f"/tmp/payments-check-{uuid.uuid4().hex}/encryption.key",
        }
        fit = run(
            app_dsn, "check-config", env=GOOD_ENV | local_redis | {"PAYMENTS_DATABASE_URL": app_dsn}
        )
        assert fit.returncode == 0, fit.stdout + fit.stderr
        assert "configuration OK (production, 2 warning(s))" in fit.stdout
        assert "encryption.key does not exist yet: the first start creates it" in fit.stdout
        as_owner = run(
            owner_url,
            "check-config",
            env=GOOD_ENV | local_redis | {"PAYMENTS_DATABASE_URL": owner_url},
        )
        assert as_owner.returncode == 1
        assert "error: PAYMENTS_DATABASE_URL: the role 'postgres' is a superuser" in (
            as_owner.stdout
        )
