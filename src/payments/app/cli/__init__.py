"""The ``payments`` command: serve, worker, migrate, apikeys, ledger, ..."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from payments.platform.config import ConfigurationError, Settings, load_settings

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigurationError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


def _where(settings: Settings) -> str:
    """The database, as a person recognises it (a file path, or host/database)."""
    from payments.platform.db.engine import sqlite_path

    path = sqlite_path(settings.database_url)
    if path is not None:
        return str(path)
    return settings.database_url.split("@", 1)[-1]


def _require_schema(settings: Settings) -> None:
    """Stop with one line when the database is missing or not migrated (never create an
    empty one, never a traceback)."""
    from payments.platform.db.migrate import schema_problem

    problem = asyncio.run(schema_problem(settings.database_url))
    if problem is not None:
        hint = "`payments migrate` (or `payments serve`, which migrates the embedded default)"
        click.echo(f"error: {problem} ({_where(settings)}); run {hint} first", err=True)
        sys.exit(1)


def _with_container(fn: Callable[[Any], Awaitable[T]]) -> T:
    from payments.app.bootstrap import build_container

    settings = _settings()
    _require_schema(settings)

    async def run() -> T:
        container = build_container(settings)
        try:
            return await fn(container)
        finally:
            await container.close()

    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        return runner.run(run())


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop when installed (it comes with uvicorn[standard], as in the API server)."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        return None
    return uvloop.new_event_loop


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mycomputer-payments")
def main() -> None:
    """MyComputer payments service."""


@main.command()
@click.option("--host", default=None, help="Bind address (default PAYMENTS_HOST).")
@click.option("--port", default=None, type=int, help="Port (default PAYMENTS_PORT).")
@click.option("--workers", default=None, type=int, help="Server processes (PAYMENTS_WORKERS).")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Run the HTTP API (and, on the embedded default, the worker) under uvicorn."""
    import uvicorn

    from payments.platform.logs import configure_logging

    settings = _settings()
    configure_logging(settings.log_level, settings.log_format)
    n = workers or settings.workers
    if n > 1 and settings.is_sqlite:
        click.echo(
            "configuration error: PAYMENTS_WORKERS: more than one server process needs PostgreSQL",
            err=True,
        )
        sys.exit(2)
    if n > 1:
        from payments.platform.db import migrate

        migrate.upgrade(settings.database_url)
    elif not settings.is_sqlite:
        _require_schema(settings)
    _require_keys(settings)
    if settings.is_sqlite:
        click.echo(
            f"Data directory: {Path(_where(settings)).parent} (database {_where(settings)}; "
            "set PAYMENTS_DATA_DIR or PAYMENTS_DATABASE_URL to change it)"
        )
    # uvicorn builds the app (payments.asgi) from the environment, in this process or in
    # its workers: tell it the address it is served at (its 3-D Secure page URL uses it)
    if host:
        os.environ["PAYMENTS_HOST"] = host
    if port:
        os.environ["PAYMENTS_PORT"] = str(port)
    uvicorn.run(
        "payments.asgi:app",
        factory=False,
        host=host or settings.host,
        port=port or settings.port,
        workers=n,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds or None,
    )


@main.command()
def worker() -> None:
    """Run background jobs (recovery, settlement polling, webhook delivery, clean-up)."""
    import signal

    from payments.app.capabilities import run_forever
    from payments.platform.logs import configure_logging

    settings = _settings()
    configure_logging(settings.log_level, settings.log_format)
    _require_schema(settings)
    _require_keys(settings)

    async def run(container: Any) -> None:
        await container.prepare()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_forever(container, stop)

    _with_container(run)


@main.command()
@click.option("--check", is_flag=True, help="Fail if the models and migrations have drifted.")
def migrate(check: bool) -> None:
    """Apply database migrations (alembic upgrade head)."""
    from payments.platform.db import migrate as m

    settings = _settings()
    m.upgrade(settings.database_url)
    click.echo(f"migrations applied ({_where(settings)})")
    if settings.database_app_role and not settings.is_sqlite:
        problems = asyncio.run(_grant_app_role(settings.database_url, settings.database_app_role))
        if problems:
            for problem in problems:
                click.echo(f"error: {problem}", err=True)
            sys.exit(1)
        click.echo(
            f"privileges granted to {settings.database_app_role} "
            "(the audit log is append-only for it)"
        )
    if check:
        drift = m.check(settings.database_url)
        if drift:
            click.echo(f"models and migrations differ: {drift}", err=True)
            sys.exit(1)
        click.echo("no drift between models and migrations")


@main.command()
def healthcheck() -> None:
    """Exit 0 when the API on this host answers /readyz (the container's HEALTHCHECK)."""
    import httpx

    settings = _settings()
    url = f"{settings.own_base_url}/readyz"
    try:
        response = httpx.get(url, timeout=3.0)
    except httpx.HTTPError as exc:
        click.echo(f"unhealthy: {url}: {type(exc).__name__}", err=True)
        sys.exit(1)
    if response.status_code != 200:
        click.echo(f"unhealthy: {url} answered {response.status_code}", err=True)
        sys.exit(1)
    click.echo("healthy")


@main.command("check-config")
@click.option("--offline", is_flag=True, help="Check the settings only; connect to nothing.")
def check_config(offline: bool) -> None:
    """Check that this configuration is fit for production (exit 1 on an error)."""
    from payments.app.config_check import connection_findings, static_findings

    settings = _settings()  # an invalid setting stops here, with one line naming it
    findings = static_findings(settings)
    if not offline:
        findings += asyncio.run(connection_findings(settings))
    for finding in findings:
        click.echo(str(finding))
    errors = sum(f.level == "error" for f in findings)
    warnings = len(findings) - errors
    if errors:
        click.echo(f"{errors} error(s), {warnings} warning(s): not fit for production", err=True)
        sys.exit(1)
    click.echo(f"configuration OK ({settings.environment.value}, {warnings} warning(s))")


async def _grant_app_role(database_url: str, role: str) -> list[str]:
    from payments.platform.db.engine import create_engine
    from payments.platform.db.privileges import grant_app_role, privilege_problems

    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await grant_app_role(conn, role)
        async with engine.connect() as conn:
            return await privilege_problems(conn, role)
    finally:
        await engine.dispose()


def _require_keys(settings: Settings) -> None:
    """Stop with one line when the encryption key is missing, unusable, or does not open
    the database's data (never start and write data nobody can read later)."""
    from payments.platform.crypto.keys import EncryptionKeyError
    from payments.platform.crypto.setup import build_vault
    from payments.platform.db.encrypted import attach_vault, check_encryption_key
    from payments.platform.db.engine import create_engine
    from payments.platform.db.migrate import schema_problem

    if asyncio.run(schema_problem(settings.database_url)) is not None:
        return  # an empty database: the first start makes the key and its canary

    async def run() -> None:
        engine = create_engine(settings.database_url, pool_size=1)
        try:
            vault = build_vault(settings)
            attach_vault(engine, vault)
            await check_encryption_key(engine, vault)
        finally:
            await engine.dispose()

    try:
        asyncio.run(run())
    except EncryptionKeyError as exc:
        click.echo(f"configuration error: {exc}", err=True)
        sys.exit(2)


@main.group()
def keys() -> None:
    """Encryption keys of personal data at rest: rotate, status, check."""


@keys.command("rotate")
def keys_rotate() -> None:
    """Make a new key-encryption key current (local key file: a new version; KMS: the key
    PAYMENTS_KMS_KEY_ID names now) and re-wrap every stored value's data key with it.
    The service keeps running; values wrapped by an older key stay readable."""
    from payments.app.tables import metadata
    from payments.platform.crypto.local import LocalKeyFile
    from payments.platform.db.rekey import rewrap_all

    async def run(c: Any) -> Any:
        await c.prepare()  # the key opens this database's data
        manager = c.vault.manager
        if isinstance(manager, LocalKeyFile):
            click.echo(f"new key-encryption key {manager.rotate()} in {manager.path}")
        c.vault.forget_data_key()
        return await rewrap_all(c.engine, c.vault, metadata)

    report = _with_container(run)
    click.echo(
        f"re-wrapped {report.rewrapped} values, encrypted {report.encrypted} plain values, "
        f"{report.current} already current"
    )


@keys.command("status")
def keys_status() -> None:
    """How many stored values each key-encryption key wraps."""
    from payments.app.tables import metadata
    from payments.platform.db.rekey import key_usage

    async def run(c: Any) -> Any:
        return c.vault.manager.current_kek_id(), await key_usage(c.engine, metadata)

    current, usage = _with_container(run)
    click.echo(f"current key-encryption key: {current}")
    for kek, count in sorted(usage.items()):
        click.echo(f"{kek:<20} {count:>10} values{' (current)' if kek == current else ''}")


@keys.command("check")
def keys_check() -> None:
    """Check the encryption key is usable and opens the database's data (exit 2 if not)."""
    settings = _settings()
    _require_schema(settings)
    _require_keys(settings)
    click.echo("the encryption key opens the database's data")


@keys.command("create-index-key")
@click.option("--kms-key-id", required=True, help="The KMS key that wraps it.")
@click.option("--region", default=None, help="The KMS key's region.")
def keys_create_index_key(kms_key_id: str, region: str | None) -> None:
    """Print a new blind-index key wrapped by KMS, for PAYMENTS_KMS_BLIND_INDEX_KEY."""
    from payments.platform.crypto.kms import KmsKeyManager
    from payments.platform.crypto.setup import kms_client

    manager = KmsKeyManager(
        client=kms_client(region=region, endpoint_url=None),
        key_id=kms_key_id,
        blind_index_blob=None,
    )
    click.echo(manager.create_index_key_blob())


@main.group()
def privacy() -> None:
    """GDPR: erase a customer, finish erasures whose retention ended."""


@privacy.command("purge")
def privacy_purge() -> None:
    """Pseudonymise the billing details on invoices whose legal retention has ended (the
    worker's finish_due_erasures job, run now)."""
    from payments.audit.service import CLI
    from payments.privacy.service import finish_due_erasures

    done = _with_container(
        lambda c: finish_due_erasures(uow_factory=c.uow_factory, clock=c.clock, ctx=CLI)
    )
    click.echo(f"{done} erasures completed")


@privacy.command("erase")
@click.argument("customer_id")
def privacy_erase(customer_id: str) -> None:
    """Erase (pseudonymise) a customer's personal data, as POST /v1/customers/{id}/erase."""
    from payments.audit.service import CLI
    from payments.kernel.errors import PaymentsError
    from payments.privacy.service import erase_customer

    try:
        erasure = _with_container(
            lambda c: erase_customer(
                customer_id,
                uow_factory=c.uow_factory,
                clock=c.clock,
                ctx=CLI,
                retention_years=c.settings.retention_years_for,
                source="cli",
            )
        )
    except PaymentsError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    until = f", invoices kept until {erasure.retained_until}" if erasure.retained_until else ""
    click.echo(f"{erasure.id} {erasure.status.value}{until}")


@main.group()
def apikeys() -> None:
    """Create, list and revoke API keys."""


@apikeys.command("create")
@click.option("--role", required=True, type=click.Choice(["admin", "finance", "clerk", "readonly"]))
@click.option("--name", default=None, help="A label for the key (who or what uses it).")
@click.option("--location", "location_id", default=None, help="Restrict the key to one shop.")
def apikeys_create(role: str, name: str | None, location_id: str | None) -> None:
    """Create a key; its secret is printed once, alone on the last line."""
    from payments.apikeys.service import create_api_key
    from payments.kernel.access import Role
    from payments.kernel.errors import PaymentsError

    async def run(c: Any) -> Any:
        return await create_api_key(
            role=Role(role),
            name=name or f"{role} key",
            location_id=location_id,
            uow_factory=c.uow_factory,
            clock=c.clock,
        )

    try:
        created = _with_container(run)
    except PaymentsError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    scope = f" restricted to {location_id}" if location_id else ""
    click.echo(f"Created {created.key.role} key {created.key.id} ({created.key.name}){scope}.")
    click.echo("The secret is shown only this once:")
    click.echo(created.secret)


@apikeys.command("list")
def apikeys_list() -> None:
    """List keys (never their secrets)."""
    from payments.apikeys.service import list_api_keys

    keys = _with_container(lambda c: list_api_keys(uow_factory=c.uow_factory))
    for k in keys:
        status = f"revoked {k.revoked_at:%Y-%m-%d %H:%M}Z" if k.revoked_at else "active"
        if k.expires_at and not k.revoked_at:
            status = f"expires {k.expires_at:%Y-%m-%d %H:%M}Z"
        loc = k.location_id or "-"
        click.echo(f"{k.id}  {k.role:<8}  {k.redacted:<20} {loc:<32} {status:<24} {k.name}")


@apikeys.command("roll")
@click.argument("key_id")
@click.option(
    "--overlap",
    default="24h",
    show_default=True,
    help="How long the old key keeps working: 0, 1h, 24h, 3d or 7d at most.",
)
def apikeys_roll(key_id: str, overlap: str) -> None:
    """Rotate a key: a new secret (printed once, on the last line), the old one still
    working for the overlap so its users can switch without an outage."""
    from datetime import timedelta

    from payments.apikeys.service import roll_api_key
    from payments.kernel.errors import PaymentsError

    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
    value, unit = (overlap[:-1], overlap[-1]) if overlap[-1:] in units else (overlap, "s")
    if not value.isdigit():
        click.echo(f"error: --overlap {overlap!r}: expected a number with s, m, h or d", err=True)
        sys.exit(2)
    try:
        new, old = _with_container(
            lambda c: roll_api_key(
                key_id,
                overlap=timedelta(**{units[unit]: int(value)}),
                uow_factory=c.uow_factory,
                clock=c.clock,
            )
        )
    except PaymentsError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    click.echo(
        f"Rolled {old.id} ({old.name}): it stops working at {old.expires_at:%Y-%m-%d %H:%M}Z."
    )
    click.echo(f"Its successor is {new.key.id}; the secret is shown only this once:")
    click.echo(new.secret)


@apikeys.command("revoke")
@click.argument("key_id")
def apikeys_revoke(key_id: str) -> None:
    """Revoke a key; requests with it fail with 401 from then on."""
    from payments.apikeys.service import revoke_api_key
    from payments.kernel.errors import PaymentsError

    try:
        key = _with_container(
            lambda c: revoke_api_key(key_id, uow_factory=c.uow_factory, clock=c.clock)
        )
    except PaymentsError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    click.echo(f"Revoked {key.id} ({key.name}).")


@main.group()
def users() -> None:
    """Create and list staff users (people who sign in to the dashboard)."""


@users.command("create")
@click.option("--email", required=True, help="The e-mail address the person signs in with.")
@click.option("--role", required=True, type=click.Choice(["admin", "finance", "clerk", "readonly"]))
@click.option("--location", "location_id", default=None, help="Restrict the user to one shop.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (else one is generated and printed).",
)
def users_create(email: str, role: str, location_id: str | None, password_stdin: bool) -> None:
    """Create a staff user; a generated password is printed once, alone on the last line."""
    from payments.kernel.access import Role
    from payments.kernel.errors import PaymentsError
    from payments.staff.service import create_staff_user, generate_password

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else generate_password()

    async def run(c: Any) -> Any:
        return await create_staff_user(
            email=email,
            role=Role(role),
            location_id=location_id,
            password=password,
            uow_factory=c.uow_factory,
            clock=c.clock,
        )

    try:
        user = _with_container(run)
    except PaymentsError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    scope = f" restricted to {location_id}" if location_id else ""
    click.echo(f"Created {user.role} user {user.id} ({user.email}){scope}.")
    if not password_stdin:
        click.echo("The password is shown only this once:")
        click.echo(password)


@users.command("list")
def users_list() -> None:
    """List staff users (never their passwords)."""
    from payments.staff.service import list_staff_users

    found = _with_container(lambda c: list_staff_users(uow_factory=c.uow_factory))
    for u in found:
        totp = "totp" if u.totp_secret else "-"
        click.echo(f"{u.id}  {u.role:<8}  {u.location_id or '-':<32} {totp:<5} {u.email}")


@main.group()
def ledger() -> None:
    """Inspect and verify the double-entry ledger."""


@ledger.command("verify")
@click.option(
    "--batch-size",
    default=None,
    type=click.IntRange(min=1),
    help="Journal transactions read per query (default 1000); memory holds one batch.",
)
@click.option(
    "--progress-every",
    default=100_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="When stderr is not a terminal, print progress after about this many transactions.",
)
def ledger_verify(batch_size: int | None, progress_every: int) -> None:
    """Check every invariant of the ledger; exit 1 and name each problem found.

    The journal is read in batches; progress goes to stderr (one updating line on a
    terminal, otherwise a line every --progress-every transactions)."""
    from payments.app.capabilities import verify_ledger
    from payments.ledger.service import VERIFY_BATCH_SIZE

    report = _VerifyProgress(progress_every, tty=sys.stderr.isatty())
    problems = _with_container(
        lambda c: verify_ledger(
            uow_factory=c.uow_factory,
            batch_size=batch_size or VERIFY_BATCH_SIZE,
            progress=report,
        )
    )
    report.done()
    if problems:
        for problem in problems:
            click.echo(f"FAIL {problem}", err=True)
        click.echo(f"ledger verify: {len(problems)} problem(s)", err=True)
        sys.exit(1)
    click.echo(
        "ledger verify: OK (transactions balance, balances match entries, "
        "every succeeded charge posted exactly once, refunds and disputes as their status says, "
        "every invoice's receivable equal to what it still owes)"
    )


class _VerifyProgress:
    """Progress of ``ledger verify`` on stderr: on a terminal one line rewritten in place,
    otherwise a line each time another ``every`` transactions are checked."""

    def __init__(self, every: int, *, tty: bool) -> None:
        self.every, self.tty = every, tty
        self._next = every
        self._shown = False

    def __call__(self, checked: int, total: int) -> None:
        line = f"ledger verify: {checked:,} of {total:,} transactions checked"
        if total:
            line += f" ({100 * checked // total}%)"
        if self.tty:
            click.echo(f"\r{line}", err=True, nl=False)
            self._shown = True
        elif checked >= self._next:
            click.echo(line, err=True)
            self._next = (checked // self.every + 1) * self.every

    def done(self) -> None:
        if self._shown:  # end the line rewritten in place
            click.echo("", err=True)


@ledger.command("balances")
def ledger_balances() -> None:
    """Print the balance of every account per currency."""
    from payments.ledger.service import account_balances

    rows = _with_container(lambda c: account_balances(uow_factory=c.uow_factory))
    for row in rows:
        click.echo(f"{row['code']}  {row['account']:<28} {row['currency']}  {row['balance']:>14}")


@main.group()
def events() -> None:
    """The event outbox and the broker it is published to (PAYMENTS_EVENT_PUBLISHER)."""


@events.command("status")
def events_status() -> None:
    """How many events wait for the broker, since when, and who publishes them."""
    from payments.eventbus.service import outbox_status

    settings = _settings()
    status = _with_container(lambda c: outbox_status(uow_factory=c.uow_factory))
    oldest = status.oldest.isoformat() if status.oldest else "-"
    click.echo(f"publisher: {settings.event_publisher.value}")
    click.echo(f"waiting:   {status.backlog} event(s), oldest {oldest}")
    click.echo(f"published through: {status.published_through or '-'}")
    if status.holder:
        click.echo(f"lease:     {status.holder} until {status.locked_until}")


@events.command("publish")
def events_publish() -> None:
    """Publish every waiting event now (what the worker does continually); exit 1 if the
    broker did not take them all."""
    from payments.eventbus.jobs import event_publisher, holder_name
    from payments.eventbus.service import outbox_status, publish_all

    async def run(c: Any) -> tuple[int, int]:
        publisher = event_publisher(c)
        if publisher is None:
            click.echo("error: PAYMENTS_EVENT_PUBLISHER is none: no broker to publish to", err=True)
            sys.exit(2)
        sent = await publish_all(
            uow_factory=c.uow_factory,
            clock=c.clock,
            publisher=publisher,
            holder=holder_name(publisher),
            batch_size=c.settings.event_publish_batch_size,
        )
        return sent, (await outbox_status(uow_factory=c.uow_factory)).backlog

    sent, left = _with_container(run)
    click.echo(f"published {sent} event(s); {left} waiting")
    if left:
        sys.exit(1)


@events.command("skip-backlog")
@click.option("--yes", is_flag=True, help="Do it without asking.")
def events_skip_backlog(yes: bool) -> None:
    """Mark every waiting event as published without sending it, so a newly configured
    broker starts from now."""
    from payments.eventbus.service import skip_backlog

    if not yes:
        click.confirm("Skip every event waiting for the broker (they are not sent)?", abort=True)
    skipped = _with_container(lambda c: skip_backlog(uow_factory=c.uow_factory, clock=c.clock))
    click.echo(f"skipped {skipped} event(s)")


@main.group()
def locations() -> None:
    """Shops, and their synchronisation from the Locations Service."""


@locations.command("sync")
def locations_sync() -> None:
    """Upsert our shops from the Locations Service (PAYMENTS_LOCATIONS_SERVICE_URL), keyed
    by external_id: local overrides are kept, shops gone from it are deactivated. Exit 1
    if the service is down (nothing changed) or a shop could not be taken; 2 if no
    Locations Service is configured."""
    from payments.audit.service import CLI
    from payments.kernel.errors import PaymentsError
    from payments.locations.service.sync import NoLocationsService, sync_locations

    async def run(c: Any) -> Any:
        return await sync_locations(
            directory=c.shop_directory, uow_factory=c.uow_factory, clock=c.clock, ctx=CLI
        )

    try:
        report = _with_container(run)
    except NoLocationsService as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(2)
    except PaymentsError as exc:
        click.echo(f"error: sync failed, nothing changed: {exc.message}", err=True)
        sys.exit(1)
    click.echo(", ".join(f"{n} {what}" for what, n in report.counts().items()))
    for error in report.errors:
        click.echo(f"error: shop {error.external_id}: {error.code}: {error.message}", err=True)
    if report.errors:
        sys.exit(1)


@main.group()
def statements() -> None:
    """Import bank statements (camt.053 / camt.054) and match their transfers to invoices."""


@statements.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def statements_import(file: Path) -> None:
    """Import FILE (camt.053 or camt.054 XML) as `POST /v1/bank_statements` does: its
    credits are matched to open invoices; importing it again changes nothing."""
    from payments.bank_statements.domain.commands import ImportStatement
    from payments.bank_statements.service.imports import import_statement
    from payments.bank_statements.service.queries import statement_counts
    from payments.kernel.context import SYSTEM
    from payments.kernel.errors import PaymentsError

    data = file.read_bytes()

    async def run(c: Any) -> Any:
        statement, new = await import_statement(
            ImportStatement(data=data, filename=file.name),
            uow_factory=c.uow_factory,
            clock=c.clock,
            ctx=SYSTEM,
            max_bytes=c.settings.max_upload_bytes,
        )
        return statement, new, await statement_counts(statement.id, uow_factory=c.uow_factory)

    try:
        statement, new, counts = _with_container(run)
    except PaymentsError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    if not new:
        click.echo(
            f"{statement.id}: already imported ({statement.message} "
            f"{statement.identifier}); nothing changed."
        )
        return
    click.echo(
        f"{statement.id}: {statement.message} {statement.identifier} of "
        f"{statement.account_iban}: {statement.transactions_imported} new transaction(s) of "
        f"{statement.transaction_count}; matched {counts.get('matched', 0)}, unmatched "
        f"{counts.get('unmatched', 0)}, ignored {counts.get('ignored', 0)}."
    )


@main.group()
def audit() -> None:
    """Check the hash-chained audit trail."""


@audit.command("verify")
def audit_verify() -> None:
    """Re-hash every audit record in order; exit 1 naming the first broken one."""
    from payments.audit.service import verify_audit_chain

    count, problem = _with_container(lambda c: verify_audit_chain(uow_factory=c.uow_factory))
    if problem:
        click.echo(f"FAIL {problem}", err=True)
        click.echo(f"audit verify: chain broken after {count} good record(s)", err=True)
        sys.exit(1)
    click.echo(f"audit verify: OK ({count} records, every hash and link intact)")


@main.group()
def fx() -> None:
    """ECB euro reference rates for reports."""


@fx.command("refresh")
@click.option("--url", default=None, help="The ECB XML to read (default: fx_refresh_url).")
def fx_refresh(url: str | None) -> None:
    """Fetch ECB's published reference rates and store them (off unless a URL is set)."""
    from functools import partial

    from payments.fx.ecb import fetch_daily
    from payments.fx.service import refresh_rates
    from payments.kernel.errors import PaymentsError

    async def run(c: Any) -> dict[str, object]:
        fetch = partial(fetch_daily, timeout_seconds=c.settings.fx_refresh_timeout_seconds)
        return await refresh_rates(
            url or c.settings.fx_refresh_url,
            fetch=fetch,
            uow_factory=c.uow_factory,
            clock=c.clock,
        )

    try:
        result = _with_container(run)
    except PaymentsError as exc:
        click.echo(f"fx refresh: {exc.message}", err=True)
        sys.exit(1)
    click.echo(
        f"fx refresh: stored {result['rates']} rate(s) of {result['currencies']} "
        f"currencies, {result['from']} to {result['to']}"
    )


@main.group()
def reports() -> None:
    """Financial reports: report runs written to a file."""


@reports.command("rebuild-rollups")
def reports_rebuild_rollups() -> None:
    """Recompute the summaries' daily rollups from the charges, refunds and disputes."""
    from payments.reports.service.reports import rebuild_rollups

    counts = _with_container(lambda c: rebuild_rollups(uow_factory=c.uow_factory))
    rows = ", ".join(f"{table}: {n} row(s)" for table, n in counts.items())
    click.echo(f"reports rebuild-rollups: OK ({rows})")


@reports.command("run")
@click.argument(
    "report_type",
    type=click.Choice(
        [
            "payments.itemized",
            "refunds.itemized",
            "balance.summary",
            "vat.summary",
            "ledger.journal",
            "accounting.datev",
            "payouts.reconciliation",
        ]
    ),
)
@click.option(
    "--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day (UTC)."
)
@click.option(
    "--to",
    "end",
    required=True,
    type=click.DateTime(["%Y-%m-%d"]),
    help="Last day (UTC, included).",
)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--location", default=None, help="Only this shop.")
@click.option("--currency", default=None, help="Only this currency.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None)
def reports_run(
    report_type: str,
    start: Any,
    end: Any,
    fmt: str,
    location: str | None,
    currency: str | None,
    output: str | None,
) -> None:
    """Run a report now, in this process, with a progress bar; save its file."""
    from datetime import UTC, timedelta

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from payments.kernel.context import SYSTEM
    from payments.kernel.errors import PaymentsError
    from payments.reports.service import runs

    first = int(start.replace(tzinfo=UTC).timestamp())
    last = int((end.replace(tzinfo=UTC) + timedelta(days=1)).timestamp())

    async def go(c: Any) -> tuple[dict[str, Any], str, int]:
        cmd = runs.CreateReportRun(
            report_type=report_type,
            interval_start=first,
            interval_end=last,
            location=location,
            currency=currency,
            format=fmt,
        )
        run = await runs.create_report_run(
            cmd, uow_factory=c.uow_factory, clock=c.clock, ctx=SYSTEM
        )
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=False,
        ) as bar:
            task = bar.add_task(f"{report_type} {run['id']}", total=None)

            def advance(done: int, total: int | None) -> None:
                bar.update(task, completed=done, total=total)

            await runs.execute_report_run(
                uow_factory=c.uow_factory,
                clock=c.clock,
                progress=advance,
                run_id=run["id"],
                datev=runs.datev_options(c.settings),
            )
        run = await runs.retrieve_report_run(run["id"], uow_factory=c.uow_factory, ctx=SYSTEM)
        if run["status"] != "succeeded":
            return run, "", 0
        path = output or run["result"]["filename"]
        size = await runs.save_file(run["result"]["id"], path, uow_factory=c.uow_factory)
        return run, path, size

    try:
        run, path, size = _with_container(go)
    except PaymentsError as exc:
        click.echo(f"reports run: {exc.message}", err=True)
        sys.exit(1)
    if run["status"] != "succeeded":
        click.echo(f"reports run: {run['id']} {run['status']}: {run['error']}", err=True)
        sys.exit(1)
    click.echo(
        f"reports run: {run['id']} succeeded, {run['progress']['rows']} row(s), {size} bytes in {path}"
    )


@main.command("reconcile")
@click.option(
    "--date",
    "day",
    default=None,
    help="The payouts' arrival date (UTC), YYYY-MM-DD; default: yesterday.",
)
def reconcile(day: str | None) -> None:
    """Reconcile the gateway's payouts arriving on DATE with the ledger: each payout's
    charges, refunds, disputes and fees matched line by line. Running a date again
    replaces its result (and never posts a payout twice). Exit 1 on discrepancies."""
    from datetime import UTC, timedelta

    from payments.kernel.context import SYSTEM
    from payments.kernel.errors import PaymentsError
    from payments.kernel.pagination import PageRequest
    from payments.reconciliation.service.queries import list_reconciliations, parse_day
    from payments.reconciliation.service.run import reconcile_date

    async def go(c: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        when = parse_day(day) or (c.clock.now().astimezone(UTC).date() - timedelta(days=1))
        run = await reconcile_date(
            when, uow_factory=c.uow_factory, clock=c.clock, gateway=c.gateway
        )
        found, _ = await list_reconciliations(
            PageRequest(limit=100),
            day=when.isoformat(),
            status=None,
            payout=None,
            uow_factory=c.uow_factory,
            ctx=SYSTEM,
        )
        return run, found

    try:
        run, found = _with_container(go)
    except PaymentsError as exc:
        click.echo(f"reconcile: {exc.message}", err=True)
        sys.exit(1)
    for rec in sorted(found, key=lambda r: r["payout"]["id"]):
        click.echo(
            f"{rec['payout']['id']} {rec['currency']} {rec['amount']}: {rec['status']} "
            f"({rec['charges']['count']} charge(s), {rec['refunds']['count']} refund(s), "
            f"{rec['disputes']['count']} dispute(s), fees {rec['fees']})"
        )
        for d in rec["discrepancies"]:
            click.echo(f"  {d['code']}: {d['message']}")
    click.echo(
        f"reconcile {run['date']}: {run['payouts']} payout(s), "
        f"{run['discrepancies']} discrepancy(ies)"
    )
    if run["discrepancies"]:
        sys.exit(1)
