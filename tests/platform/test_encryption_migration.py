"""0039_encryption on a database with data: a database seeded at 0032 in clear is
encrypted in place (SQLite and PostgreSQL), reads back the same, finds customers by
e-mail, and has no drift between models and migrations."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from payments.app.tables import metadata
from payments.customers.tables import customers
from payments.events.tables import events
from payments.idempotency.tables import idempotency_keys
from payments.platform.crypto.local import LocalKeyFile
from payments.platform.crypto.vault import Vault
from payments.platform.db import encrypted, migrate
from payments.platform.db.engine import create_engine
from payments.platform.db.rekey import key_usage
from payments.platform.db.types import JSONType
from payments.webhooks.tables import webhook_endpoint_secrets
from support.databases import postgres_available, postgres_database, sqlite_database

BACKENDS = ["sqlite", "postgresql"] if postgres_available() else ["sqlite"]
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw"


@pytest.fixture(params=BACKENDS)
def url_at_0032(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgresql":
        with postgres_database("payments_migration") as url:
            migrate.upgrade(url, "0032_advance_invoices")
            yield url
    else:
        with sqlite_database(tmp_path) as url:
            migrate.upgrade(url, "0032_advance_invoices")
            yield url


async def _seed_in_clear(url: str) -> None:
    engine = create_engine(url)
    c = sa.table(
        "customers",
        *(sa.column(n) for n in ("id", "name", "email", "phone", "livemode", "tax_exempt")),
        sa.column("address", JSONType),
        sa.column("preferred_locales", JSONType),
        sa.column("metadata", JSONType),
        sa.column("created", sa.DateTime(timezone=True)),
    )
    ev = sa.table(
        "events",
        *(sa.column(n) for n in ("id", "type", "object_id", "livemode")),
        sa.column("data", JSONType),
        sa.column("created", sa.DateTime(timezone=True)),
    )
    we = sa.table(
        "webhook_endpoints",
        *(sa.column(n) for n in ("id", "url", "status", "livemode")),
        sa.column("enabled_events", JSONType),
        sa.column("metadata", JSONType),
        sa.column("created", sa.DateTime(timezone=True)),
    )
    ws = sa.table(
        "webhook_endpoint_secrets",
        sa.column("endpoint_id"),
        sa.column("secret"),
        sa.column("created", sa.DateTime(timezone=True)),
    )
    ik = sa.table(
        "idempotency_keys",
        *(sa.column(n) for n in ("api_key_id", "key", "method", "path", "request_hash", "status")),
        sa.column("response_body", sa.LargeBinary),
        sa.column("created", sa.DateTime(timezone=True)),
    )
    created = NOW if not url.startswith("sqlite") else NOW.replace(tzinfo=None)
    async with engine.begin() as conn:
        for i, (name, email) in enumerate(
            [
                ("Grace Hopper", "Grace.Hopper@Navy.example"),
                ("Alan Turing", "alan@bletchley.example"),
            ]
        ):
            await conn.execute(
                c.insert().values(
                    id=f"cus_mig{i}",
                    name=name,
                    email=email,
                    phone="+44 20 7946 0000",
                    address={"line1": "Bletchley Park", "country": "GB"},
                    preferred_locales=[],
                    metadata={},
                    livemode=False,
                    tax_exempt="none",
                    created=created,
                )
            )
            await conn.execute(
                ev.insert().values(
                    id=f"evt_mig{i}",
                    type="customer.created",
                    object_id=f"cus_mig{i}",
                    data={"object": {"id": f"cus_mig{i}", "name": name, "email": email}},
                    livemode=False,
                    created=created,
                )
            )
        await conn.execute(
            we.insert().values(
                id="we_mig",
                url="https://erp.example.com/hook",
                status="enabled",
                livemode=False,
                enabled_events=["*"],
                metadata={},
                created=created,
            )
        )
        await conn.execute(ws.insert().values(endpoint_id="we_mig", secret=SECRET, created=created))
        await conn.execute(
            ik.insert().values(
                api_key_id="key_x",
                key="k1",
                method="POST",
                path="/v1/customers",
                request_hash="0" * 64,
                status="done",
                response_body=b'{"name": "Grace Hopper"}',
                created=created,
            )
        )
    await engine.dispose()


def test_the_migration_encrypts_every_existing_row_and_the_data_reads_back(
    url_at_0032: str, tmp_path: Path
) -> None:
    asyncio.run(_seed_in_clear(url_at_0032))
    vault = Vault(LocalKeyFile(tmp_path / "upgrade.key"))
    previous = encrypted._process_vault
    encrypted.use_vault(vault)  # what `payments migrate` builds from the settings
    try:
        migrate.upgrade(url_at_0032)
        assert migrate.check(url_at_0032) is None
        asyncio.run(_check(url_at_0032, vault))
    finally:
        encrypted.use_vault(previous)


async def _check(url: str, vault: Vault) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            raw = sa.table("customers", sa.column("name"), sa.column("email"), sa.column("phone"))
            for row in await conn.execute(sa.select(raw.c.name, raw.c.email, raw.c.phone)):
                assert all(str(v).startswith("pe1$k1$") for v in row)
        encrypted.attach_vault(engine, vault)
        assert set(await key_usage(engine, metadata)) == {"k1"}
        async with engine.connect() as conn:
            found = (
                await conn.execute(
                    sa.select(customers).where(
                        customers.c.email_bidx == "grace.hopper@navy.example"
                    )
                )
            ).one()
            assert (found.id, found.name, found.email) == (
                "cus_mig0",
                "Grace Hopper",
                "Grace.Hopper@Navy.example",
            )
            assert found.address == {"line1": "Bletchley Park", "country": "GB"}
            data = (
                await conn.execute(sa.select(events.c.data).where(events.c.id == "evt_mig1"))
            ).scalar_one()
            assert data["object"]["name"] == "Alan Turing"
            secret = (await conn.execute(sa.select(webhook_endpoint_secrets.c.secret))).scalar_one()
            assert secret == SECRET
            body = (await conn.execute(sa.select(idempotency_keys.c.response_body))).scalar_one()
            assert body == b'{"name": "Grace Hopper"}'
    finally:
        await engine.dispose()
