"""``payments ledger`` and ``payments audit``: verify the books and the audit trail."""

from __future__ import annotations

import sys

import click

from payments.app.cli._common import _with_container


@click.group()
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


@ledger.command("balances")
def ledger_balances() -> None:
    """Print the balance of every account per currency."""
    from payments.ledger.service import account_balances

    rows = _with_container(lambda c: account_balances(uow_factory=c.uow_factory))
    for row in rows:
        click.echo(f"{row['code']}  {row['account']:<28} {row['currency']}  {row['balance']:>14}")


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


@click.group()
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
