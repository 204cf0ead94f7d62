"""``payments check-config``: is this configuration fit to run in production?

Loading the settings already refuses what is wrong in any environment (a malformed key,
a live key outside production, a missing broker URL: one line naming the variable). This
goes further, for ``PAYMENTS_ENVIRONMENT=production``: what would work but must not run
that way (SQLite, the simulator, a test key, plain HTTP, a superuser database role), and
what deserves a second look (a plain-text connection to another host). With ``connect``
it also reaches the database (and Redis, when configured) as the service would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from payments.platform.config import (
    Environment,
    EventPublisherName,
    GatewayName,
    KeyManagerName,
    Settings,
)

Level = Literal["error", "warning"]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", ""}


@dataclass(frozen=True)
class Finding:
    level: Level
    setting: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: PAYMENTS_{self.setting.upper()}: {self.message}"


def _remote(url: str) -> bool:
    return (urlsplit(url).hostname or "") not in LOCAL_HOSTS


def static_findings(s: Settings) -> list[Finding]:
    """What the settings alone tell (no connection made)."""
    out: list[Finding] = []

    def error(setting: str, message: str) -> None:
        out.append(Finding("error", setting, message))

    def warning(setting: str, message: str) -> None:
        out.append(Finding("warning", setting, message))

    production = s.environment == Environment.production
    if not production:
        warning(
            "environment",
            f"is {s.environment.value}: the production checks below are advisory",
        )
    if s.is_sqlite:
        error("database_url", "SQLite serves one machine; production needs PostgreSQL")
    else:
        query = parse_qs(urlsplit(s.database_url).query)
        tls = {"ssl", "sslmode"} & query.keys()
        if _remote(s.database_url) and not tls:
            warning("database_url", "connects to another host without ssl=require (TLS)")
    if s.gateway == GatewayName.simulator:
        error("gateway", "the simulator takes no real money; production needs stripe")
    elif not s.livemode:
        error("stripe_secret_key", "is a test key: production takes live payments")
    public = s.public_url or ""
    if not public.startswith("https://"):
        error(
            "public_url",
            "must be the https:// address customers reach (pay links, 3-D Secure returns)",
        )
    for origin in filter(None, (o.strip() for o in s.cors_allow_origins.split(","))):
        if not origin.startswith("https://"):
            error("cors_allow_origins", f"{origin} is not an https:// origin")
    if s.redis_url is None:
        warning("redis_url", "unset: rate limits and caches are per process, not shared")
    elif _remote(s.redis_url) and not s.redis_url.startswith("rediss://"):
        warning("redis_url", "connects to another host without TLS (use rediss://)")
    if s.event_publisher == EventPublisherName.rabbitmq:
        url = s.rabbitmq_url.get_secret_value()
        if _remote(url) and not url.startswith("amqps://"):
            warning("rabbitmq_url", "connects to another host without TLS (use amqps://)")
        if "guest:guest@" in url:
            error("rabbitmq_url", "uses RabbitMQ's default guest account")
    if s.key_manager == KeyManagerName.local:
        warning(
            "key_manager",
            f"local: the key file {s.resolved_key_file} serves one machine and must be backed "
            "up apart from the database; several machines need kms",
        )
    if s.metrics_public:
        warning("metrics_public", "/metrics answers anyone who reaches it")
    if s.webhook_allowed_hosts:
        warning("webhook_allow_http_hosts", "plain-HTTP webhook targets are allowed")
    if s.log_level == "DEBUG":
        warning("log_level", "DEBUG logs more than production needs")
    if s.rate_limit_per_second == 0:
        warning("rate_limit_per_second", "0: API keys are not rate limited")
    if s.request_timeout_seconds == 0:
        warning("request_timeout_seconds", "0: requests have no time limit")
    if s.hsts_max_age_seconds == 0:
        warning("hsts_max_age_seconds", "0: browsers are not told to insist on HTTPS")
    if not production:  # advisory only: nothing is an error outside production
        out = [Finding("warning", f.setting, f.message) for f in out]
    return out


async def connection_findings(s: Settings) -> list[Finding]:
    """Reach what the service will reach: the database (migrated? a least-privilege
    role?) and Redis."""
    from sqlalchemy.exc import SQLAlchemyError

    from payments.platform.db.engine import create_engine
    from payments.platform.db.migrate import schema_problem
    from payments.platform.db.privileges import privilege_problems

    out: list[Finding] = []
    problem = await schema_problem(s.database_url)
    if problem is not None:
        out.append(Finding("error", "database_url", problem))
        return out
    if not s.is_sqlite:
        engine = create_engine(s.database_url, pool_size=1)
        try:
            async with engine.connect() as conn:
                level: Level = "error" if s.environment == Environment.production else "warning"
                out.extend(
                    Finding(level, "database_url", f"{p} (see deploy/postgres-roles.sql)")
                    for p in await privilege_problems(conn)
                )
        except (OSError, SQLAlchemyError) as exc:
            out.append(Finding("error", "database_url", f"cannot connect ({type(exc).__name__})"))
        finally:
            await engine.dispose()
    out.extend(await _key_findings(s))
    if s.redis_url is not None:
        import redis.asyncio as redis
        from redis.exceptions import RedisError

        client = redis.from_url(s.redis_url, socket_connect_timeout=3)
        try:
            await client.ping()
        except (OSError, RedisError) as exc:
            out.append(Finding("error", "redis_url", f"cannot connect ({type(exc).__name__})"))
        finally:
            await client.aclose()
    return out


async def _key_findings(s: Settings) -> list[Finding]:
    """Does the configured key open the database's encrypted data? Read-only: a database
    with nothing encrypted yet is reported, not given a canary, and no key file is made."""
    import sqlalchemy as sa
    from sqlalchemy.exc import SQLAlchemyError

    from payments.platform.crypto.keys import EncryptionKeyError
    from payments.platform.crypto.local import LocalKeyFile
    from payments.platform.crypto.setup import build_vault
    from payments.platform.db.encrypted import attach_vault, check_encryption_key, encryption_canary
    from payments.platform.db.engine import create_engine

    setting = "key_file" if s.key_manager == KeyManagerName.local else "kms_key_id"
    vault = build_vault(s)
    engine = create_engine(s.database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            canary = await conn.scalar(sa.select(sa.func.count()).select_from(encryption_canary))
        manager = vault.manager
        if not canary:
            if isinstance(manager, LocalKeyFile) and not manager.exists():
                return [
                    Finding(
                        "warning",
                        setting,
                        f"{manager.path} does not exist yet: the first start creates it; "
                        "back it up apart from the database",
                    )
                ]
            manager.check()
            return []
        attach_vault(engine, vault)
        await check_encryption_key(engine, vault)  # the canary exists: nothing is written
    except EncryptionKeyError as exc:
        return [Finding("error", setting, str(exc).removeprefix(f"PAYMENTS_{setting.upper()}: "))]
    except (OSError, SQLAlchemyError) as exc:
        return [Finding("error", setting, f"cannot check the key ({type(exc).__name__})")]
    finally:
        await engine.dispose()
    return []
