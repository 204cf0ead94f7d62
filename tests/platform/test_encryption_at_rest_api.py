"""Personal data and secrets are unreadable in a dump of the database (both backends),
while the API reads them back and finds customers by e-mail."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from payments.app.bootstrap import Container
from payments.app.tables import metadata
from payments.platform.crypto.keys import EncryptionKeyError
from payments.platform.crypto.local import LocalKeyFile
from payments.platform.crypto.vault import Vault
from payments.platform.db.encrypted import check_encryption_key, encrypted_columns
from payments.platform.db.engine import create_engine, sqlite_path
from payments.platform.db.rekey import key_usage, rewrap_all
from support.app import Api
from support.dashboard import sign_in, staff_user
from support.invoices import seller_shop

NAME = "Zelda Quintessa-Marlowe"
EMAIL = "zelda.quintessa@privacy-test.example"
PHONE = "+49 30 5550199"
STREET = "Geheimweg 77"
HOLDER = "Zelda Q. Account-Holder"
STAFF_EMAIL = "yannick.staff@privacy-test.example"
# a payer, their account and their message, in the camt.053 sample the seed imports
PAYER, PAYER_IBAN, PAYER_TEXT = "HOPPER, GRACE", "DE75512108001245126199", "schnelle Reparatur"
STATEMENT = (
    Path(__file__).parents[1] / "fixtures" / "bank_statements" / "camt053_v08_2026-01-20.xml"
)


def dump(database_url: str) -> str:
    """``sqlite3 .dump`` or ``pg_dump`` of our schema (the simulator's ``sim_*`` tables
    stand in for the gateway's own servers, so they are left out)."""
    path = sqlite_path(database_url)
    if path is not None:
        out = subprocess.run(
            ["sqlite3", str(path), ".dump"], capture_output=True, text=True, check=True
        ).stdout
        assert "INSERT INTO customers" in out
        return out
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    out = subprocess.run(
        ["pg_dump", "--data-only", "--exclude-table=sim_*", dsn],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "COPY public.customers" in out
    return out


async def _seed(api: Api) -> dict[str, Any]:
    admin = await api.key("admin")
    shop = await api.location(admin)
    customer = await api.client.post(
        "/v1/customers",
        json={
            "name": NAME,
            "email": EMAIL,
            "phone": PHONE,
            "address": {"line1": STREET, "city": "Berlin", "country": "DE"},
        },
        headers=admin | {"Idempotency-Key": "zelda-1"},
    )
    assert customer.status_code == 200, customer.text
    pm = await api.client.post(
        "/v1/payment_methods",
        json={
            "type": "sepa_debit",
            "sepa_debit": {"iban": "DE89370400440532013000"},
            "billing_details": {"name": HOLDER, "email": EMAIL},
        },
        headers=admin,
    )
    assert pm.status_code == 200, pm.text
    intent = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 4999,
            "location": shop["id"],
            "customer": customer.json()["id"],
            "receipt_email": EMAIL,
            "payment_method": "pm_card_visa",
            "confirm": True,
        },
        headers=admin | {"Idempotency-Key": "zelda-pay-1"},
    )
    assert intent.status_code == 200, intent.text
    endpoint = await api.client.post(
        "/v1/webhook_endpoints",
        json={"url": "https://erp.example.com/hooks", "enabled_events": ["customer.created"]},
        headers=admin,
    )
    assert endpoint.status_code == 200, endpoint.text
    # a staff user (audited with their e-mail) who once mistyped the password
    await staff_user(api.container, "admin", email=STAFF_EMAIL)
    assert (await sign_in(api.client, STAFF_EMAIL.upper())).status_code == 303
    assert (await sign_in(api.client, STAFF_EMAIL, "wrong password")).status_code != 303
    # a bank statement, to the seller's account, with payers' names, IBANs and messages
    await seller_shop(api, admin, "DE")
    imported = await api.client.post(
        "/v1/bank_statements",
        content=STATEMENT.read_bytes(),
        headers=admin | {"Content-Type": "application/xml"},
    )
    assert imported.status_code == 200, imported.text
    return {"admin": admin, "customer": customer.json(), "secret": endpoint.json()["secret"]}


async def test_a_dump_of_a_seeded_database_holds_no_name_email_phone_address_or_secret(
    api: Api, database_url: str
) -> None:
    seeded = await _seed(api)
    text = dump(database_url)
    secret = seeded["secret"]
    assert secret.startswith("whsec_")
    payer = (PAYER, PAYER_IBAN, PAYER_TEXT)
    for known in (
        NAME,
        EMAIL,
        PHONE,
        STREET,
        HOLDER,
        secret,
        secret.removeprefix("whsec_"),
        STAFF_EMAIL,
        *payer,
    ):
        assert known not in text, f"{known!r} is readable in the dump"
    assert "pe1$" in text  # the ciphertexts are there

    # ... and the API reads everything back, finds the customer by e-mail in any case
    admin = seeded["admin"]
    got = (await api.client.get(f"/v1/customers/{seeded['customer']['id']}", headers=admin)).json()
    assert (got["name"], got["email"], got["phone"]) == (NAME, EMAIL, PHONE)
    assert got["address"]["line1"] == STREET
    found = await api.client.get("/v1/customers", params={"email": EMAIL.upper()}, headers=admin)
    assert [c["id"] for c in found.json()["data"]] == [seeded["customer"]["id"]]
    none = await api.client.get(
        "/v1/customers", params={"email": "someone@else.example"}, headers=admin
    )
    assert none.json()["data"] == []


async def test_every_encrypted_column_holds_only_ciphertexts(
    api: Api, container: Container
) -> None:
    await _seed(api)
    async with container.engine.connect() as conn:
        for table, column in encrypted_columns(metadata):
            raw = sa.select(sa.cast(column, sa.Text)).select_from(table).where(column.is_not(None))
            values = (await conn.execute(raw)).scalars().all()
            assert all(v.startswith("pe1$") for v in values), f"{table.name}.{column.name}"
    assert "plain" not in await key_usage(container.engine, metadata)


async def test_rotation_rewraps_every_value_while_old_and_new_stay_readable(
    api: Api, container: Container, tmp_path: Path
) -> None:
    # a container of its own key file: rotation must not touch the suite's shared key
    manager = LocalKeyFile(tmp_path / "rotating.key")
    vault = Vault(manager)
    engine = create_engine(container.settings.database_url, pool_size=2)
    from payments.platform.db.encrypted import attach_vault

    attach_vault(engine, vault)
    try:
        customers = metadata.tables["customers"]
        async with engine.begin() as conn:
            await conn.execute(sa.delete(metadata.tables["encryption_canary"]))
            await conn.execute(
                customers.insert().values(
                    id="cus_rotation1",
                    name=NAME,
                    email=EMAIL,
                    email_bidx=EMAIL,
                    preferred_locales=[],
                    metadata={},
                    livemode=False,
                    created=container.clock.now(),
                    tax_exempt="none",
                )
            )
        await check_encryption_key(engine, vault)
        before = await key_usage(engine, metadata)
        assert set(before) == {manager.current_kek_id()}
        assert manager.rotate() == "k2"
        vault.forget_data_key()
        report = await rewrap_all(engine, vault, metadata)
        assert report.rewrapped == sum(before.values()) and report.encrypted == 0
        assert set(await key_usage(engine, metadata)) == {"k2"}
        await check_encryption_key(engine, vault)  # the canary was re-wrapped too
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(customers).where(customers.c.email_bidx == EMAIL.title())
                )
            ).one()
        assert (row.name, row.email) == (NAME, EMAIL)
        # a second run has nothing left to do
        assert (await rewrap_all(engine, vault, metadata)).rewrapped == 0
    finally:
        async with engine.begin() as conn:
            await conn.execute(sa.delete(metadata.tables["customers"]))
            await conn.execute(sa.delete(metadata.tables["encryption_canary"]))
        await engine.dispose()


async def test_a_wrong_key_fails_the_start_with_one_clear_line(
    container: Container, tmp_path: Path
) -> None:
    await container.prepare()  # the suite's key wrote the canary
    other = LocalKeyFile(tmp_path / "wrong.key")
    other.load()  # another installation's key file
    wrong = Vault(other)
    with pytest.raises(EncryptionKeyError) as err:
        await check_encryption_key(container.engine, wrong)
    message = str(err.value)
    assert "\n" not in message
    assert message.endswith("this key does not open the data in the database (wrong key?)")
    assert message.startswith(f"PAYMENTS_KEY_FILE: {tmp_path / 'wrong.key'}")
    missing = Vault(LocalKeyFile(tmp_path / "missing.key"))
    with pytest.raises(EncryptionKeyError, match=r"does not exist, but the database holds data"):
        await check_encryption_key(container.engine, missing)
    assert not (tmp_path / "missing.key").exists()  # never silently replaced


async def test_nothing_decrypted_reaches_the_logs(
    api: Api, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    seeded = await _seed(api)
    admin = seeded["admin"]
    await api.client.get(f"/v1/customers/{seeded['customer']['id']}", headers=admin)
    await api.client.get("/v1/customers", params={"email": EMAIL}, headers=admin)
    await api.client.get("/v1/events", headers=admin)
    captured = capsys.readouterr()
    logged = captured.out + captured.err + caplog.text
    assert "/v1/customers" in logged  # the request log is there
    for known in (NAME, EMAIL, PHONE, STREET, HOLDER, seeded["secret"]):
        assert known not in logged, f"{known!r} was logged"
