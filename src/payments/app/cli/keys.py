"""``payments keys``: the encryption keys of personal data at rest."""

from __future__ import annotations

from typing import Any

import click

from payments.app.cli._common import _require_keys, _require_schema, _settings, _with_container


@click.group()
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
