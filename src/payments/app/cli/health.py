"""``payments healthcheck`` and ``check-config``: is this instance up, is its configuration fit."""

from __future__ import annotations

import asyncio
import sys

import click

from payments.app.cli._common import _settings


@click.command()
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


@click.command("check-config")
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
