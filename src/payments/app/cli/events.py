"""``payments events``: the event outbox and its broker."""

from __future__ import annotations

import sys
from typing import Any

import click

from payments.app.cli._common import _settings, _with_container


@click.group()
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
