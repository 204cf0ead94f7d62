"""One typed settings object, read from ``PAYMENTS_*`` environment variables and ``.env``.

Every setting is documented by its ``description``; ``docs/reference/configuration.md``
is generated from this class (``python -m payments.docs``), so the two cannot drift.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class GatewayName(StrEnum):
    simulator = "simulator"
    stripe = "stripe"


DEFAULT_DATA_DIR = Path(".data")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PAYMENTS_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    environment: Environment = Field(
        Environment.development, description="development, test or production."
    )
    database_url: str = Field(
        f"sqlite+aiosqlite:///{DEFAULT_DATA_DIR}/payments.sqlite3",
        description=(
            "SQLAlchemy async URL. SQLite (`sqlite+aiosqlite:///path`) is the embedded "
            "default; PostgreSQL is `postgresql+asyncpg://user@host:5432/db`."
        ),
    )
    gateway: GatewayName = Field(
        GatewayName.simulator, description="Payment gateway: `simulator` or `stripe`."
    )
    simulator_database_url: str | None = Field(
        None,
        description=(
            "Where the gateway simulator keeps its own state (outside our transactions). "
            "Defaults to a file beside the SQLite database, or the same PostgreSQL database."
        ),
    )
    redis_url: str | None = Field(
        None,
        description="Redis URL (`redis://127.0.0.1:6379/0`); enables shared rate limiting.",
    )
    host: str = Field("127.0.0.1", description="Address `payments serve` binds to.")
    port: Annotated[int, Field(ge=1, le=65535)] = Field(
        8000, description="Port `payments serve` listens on."
    )
    workers: Annotated[int, Field(ge=1, le=64)] = Field(
        1, description="Number of API server processes for `payments serve`."
    )
    embedded_worker: bool | None = Field(
        None,
        description=(
            "Run the background worker inside the API process. Default: on for SQLite, "
            "off for PostgreSQL (run `payments worker` separately)."
        ),
    )
    log_level: str = Field("INFO", description="Log level: DEBUG, INFO, WARNING, ERROR.")
    log_format: str = Field("json", description="`json` (one object per line) or `console`.")
    max_body_bytes: Annotated[int, Field(ge=1024)] = Field(
        1_048_576, description="Largest accepted request body in bytes (413 above it)."
    )
    max_amount: Annotated[int, Field(ge=1)] = Field(
        99_999_999, description="Largest amount in minor units accepted for one payment."
    )
    idempotency_ttl_hours: Annotated[int, Field(ge=1, le=720)] = Field(
        24, description="How long an idempotency key replays its first response."
    )
    idempotency_lock_seconds: Annotated[int, Field(ge=1)] = Field(
        300,
        description=(
            "After this long an in-progress idempotency key is considered abandoned "
            "(its process died) and may be taken over by a retry."
        ),
    )
    rate_limit_per_second: Annotated[int, Field(ge=0)] = Field(
        100, description="Requests per second per API key (0 disables); shared via Redis."
    )
    seed_sample_data: bool | None = Field(
        None,
        description="Seed sample shops on start. Default: on for SQLite, off for PostgreSQL.",
    )
    api_key_cache_seconds: Annotated[float, Field(ge=0)] = Field(
        2.0,
        description="How long a verified API key is cached in-process (revocation delay).",
    )

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value[len("sqlite:///") :]
        if not (value.startswith("sqlite+aiosqlite://") or value.startswith("postgresql+")):
            raise ValueError("must be a sqlite+aiosqlite:// or postgresql+asyncpg:// URL")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return value

    @field_validator("log_format")
    @classmethod
    def _format(cls, value: str) -> str:
        if value not in {"json", "console"}:
            raise ValueError("must be json or console")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def run_embedded_worker(self) -> bool:
        return self.is_sqlite if self.embedded_worker is None else self.embedded_worker

    @property
    def seed_samples(self) -> bool:
        return self.is_sqlite if self.seed_sample_data is None else self.seed_sample_data

    @property
    def livemode(self) -> bool:
        return False

    @property
    def resolved_simulator_database_url(self) -> str:
        if self.simulator_database_url:
            return self.simulator_database_url
        if self.is_sqlite:
            path = self.database_url.split(":///", 1)[1]
            stem = path.removesuffix(".sqlite3")
            return f"sqlite+aiosqlite:///{stem}.simulator.sqlite3"
        return self.database_url


class ConfigurationError(Exception):
    """Bad configuration, rendered as one line naming the variable."""


def load_settings(**overrides: object) -> Settings:
    """Read settings; raise :class:`ConfigurationError` with one clear line on bad input."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else "?"
        message = err["msg"].removeprefix("Value error, ")
        raise ConfigurationError(
            f"configuration error: PAYMENTS_{field.upper()}: {message}"
        ) from None
