"""The ``payments`` command: serve, worker, migrate, apikeys, ledger, ...

One module a command group: :mod:`.server` (serve, worker, migrate), :mod:`.health`
(healthcheck, check-config), :mod:`.keys`, :mod:`.privacy`, :mod:`.apikeys`, :mod:`.users`,
:mod:`.ledger` (ledger, audit), :mod:`.events`, :mod:`.external` (locations, statements, fx),
:mod:`.reports` (reports, reconcile); :mod:`._common` has what they share.
"""

from __future__ import annotations

import click

from payments.app.cli.apikeys import apikeys
from payments.app.cli.events import events
from payments.app.cli.external import fx, locations, statements
from payments.app.cli.health import check_config, healthcheck
from payments.app.cli.keys import keys
from payments.app.cli.ledger import audit, ledger
from payments.app.cli.privacy import privacy
from payments.app.cli.reports import reconcile, reports
from payments.app.cli.server import migrate, serve, worker
from payments.app.cli.users import users


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mycomputer-payments")
def main() -> None:
    """MyComputer payments service."""


for _command in (
    serve,
    worker,
    migrate,
    healthcheck,
    check_config,
    keys,
    privacy,
    apikeys,
    users,
    ledger,
    audit,
    events,
    locations,
    statements,
    fx,
    reports,
    reconcile,
):
    main.add_command(_command)
