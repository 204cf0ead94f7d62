"""``payments users``: staff users of the dashboard."""

from __future__ import annotations

import sys
from typing import Any

import click

from payments.app.cli._common import _with_container


@click.group()
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
