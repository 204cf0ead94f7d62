"""``payments apikeys``: create, list, roll and revoke API keys."""

from __future__ import annotations

import sys
from typing import Any

import click

from payments.app.cli._common import _with_container


@click.group()
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
