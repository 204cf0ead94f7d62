"""``payments reports`` and ``payments reconcile``: report runs, rollups, payout reconciliation."""

from __future__ import annotations

import sys
from typing import Any

import click

from payments.app.cli._common import _with_container


@click.group()
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


@click.command("reconcile")
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
