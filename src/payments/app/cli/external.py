"""Data taken in from outside: ``payments locations sync`` (the Locations Service), ``statements import`` (bank statements), ``fx refresh`` (ECB rates)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from payments.app.cli._common import _with_container


@click.group()
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


@click.group()
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


@click.group()
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
