"""``payments privacy``: GDPR erasure."""

from __future__ import annotations

import sys

import click

from payments.app.cli._common import _with_container


@click.group()
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
