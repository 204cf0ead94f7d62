"""What a bank statement import refuses, who may reconcile, the ledger check of
allocations, the recovery job and the command line (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from payments.app.bootstrap import build_container
from payments.app.capabilities import run_once, verify_ledger
from payments.app.http import create_app
from payments.bank_statements.tables import bank_statements, bank_transactions
from payments.kernel.clock import FrozenClock
from support.app import Api, make_settings
from support.invoices import customer, finalized, setup

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bank_statements"
XML = {"Content-Type": "application/xml"}
STATEMENT = (FIXTURES / "camt053_v08_2026-01-20.xml").read_bytes()


async def count(api: Api, table: sa.Table) -> int:
    async with api.container.engine.connect() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one())


async def nothing_written(api: Api) -> None:
    assert await count(api, bank_statements) == 0
    assert await count(api, bank_transactions) == 0


async def post(api: Api, headers: dict[str, str], body: bytes, **extra: str) -> httpx.Response:
    return await api.client.post("/v1/bank_statements", content=body, headers=headers | XML | extra)


def error(response: httpx.Response) -> tuple[int, str, str | None]:
    e = response.json()["error"]
    return response.status_code, e["code"], e.get("param")


async def test_what_is_not_a_camt_statement_is_refused_naming_file(api: Api) -> None:
    admin, _ = await setup(api)
    cases = [
        (b"not xml at all", "bank_statement_invalid"),
        (b'{"amount": 100}', "bank_statement_invalid"),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>',
            "bank_statement_unsupported",
        ),
        (STATEMENT.replace(b"<Id>0532013000-2026-014</Id>", b""), "bank_statement_invalid"),
        (
            STATEMENT.replace(b'<Amt Ccy="EUR">59.50</Amt>', b'<Amt Ccy="EUX">59.50</Amt>'),
            "bank_statement_currency_unknown",
        ),
        (
            STATEMENT.replace(b"DE89370400440532013000", b"DE02120300000000202051"),
            "bank_account_unknown",
        ),
    ]
    for body, code in cases:
        response = await post(api, admin, body)
        assert error(response) == (400, code, "file"), (code, response.text)
    json_body = await api.client.post("/v1/bank_statements", json={"file": "x"}, headers=admin)
    assert error(json_body) == (400, "parameter_missing", "file")
    no_file = await api.client.post(
        "/v1/bank_statements", files={"statement": ("a.xml", STATEMENT)}, headers=admin
    )
    assert error(no_file) == (400, "parameter_missing", "file")
    await nothing_written(api)


@asynccontextmanager
async def small_uploads(database_url: str, limit: int) -> AsyncIterator[Api]:
    settings = make_settings(database_url, max_upload_bytes=limit)
    container = build_container(settings, clock=FrozenClock())
    await container.prepare()
    app = create_app(settings, container=container, embedded=False)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver"
            ) as client,
        ):
            yield Api(client=client, container=container)
    finally:
        await container.close()


async def test_a_file_over_the_upload_limit_is_refused_naming_file(
    api: Api, database_url: str
) -> None:
    await setup(api)
    limit = len(STATEMENT) - 10
    async with small_uploads(database_url, limit) as small:
        admin = await small.key("admin")
        # far above: the gate refuses it unread; just above: the import does
        for body in (STATEMENT * 3, STATEMENT):
            assert error(await post(small, admin, body)) == (400, "file_too_large", "file")
        padded = STATEMENT.replace(b"<Document", b"<!--" + b"x" * 100 + b"--><Document")
        multipart = await small.client.post(
            "/v1/bank_statements", files={"file": ("big.xml", padded)}, headers=admin
        )
        assert error(multipart) == (400, "file_too_large", "file")
    await nothing_written(api)


async def test_only_unrestricted_finance_and_admin_keys_reconcile(api: Api) -> None:
    _, shop = await setup(api)
    for role, location in (("clerk", None), ("readonly", None), ("finance", shop["id"])):
        key = await api.key(role, location=location)
        assert (await post(api, key, STATEMENT)).status_code == 403, role
        assert (await api.client.get("/v1/bank_transactions", headers=key)).status_code == 403
    await nothing_written(api)
    assert (await post(api, await api.key("finance"), STATEMENT)).status_code == 200


async def test_match_refusals_write_nothing(api: Api) -> None:
    admin, shop = await setup(api)
    ch_admin_shop = await setup(api, "CH")
    ada = await customer(api, admin)
    de_invoice = await finalized(api, admin, shop, ada, [{"description": "x", "unit_amount": 100}])
    ch_invoice = await finalized(
        api,
        admin,
        ch_admin_shop[1],
        ada,
        [{"description": "x", "unit_amount": 100}],
        currency="chf",
    )
    response = await post(api, admin, STATEMENT)
    assert response.status_code == 200, response.text
    queue = await api.client.get("/v1/bank_transactions?status=unmatched", headers=admin)
    tx = queue.json()["data"][0]
    before = (await api.client.get(f"/v1/invoices/{de_invoice['id']}", headers=admin)).json()
    path = f"/v1/bank_transactions/{tx['id']}/match"
    # another seller's invoice was not paid to this account: as if it did not exist
    other = await api.client.post(path, json={"invoice": ch_invoice["id"]}, headers=admin)
    assert error(other) == (404, "resource_missing", "invoice")
    missing = await api.client.post(path, json={"invoice": "in_nope"}, headers=admin)
    assert error(missing) == (404, "resource_missing", "invoice")
    for amount in (0, tx["amount"] + 1):
        bad = await api.client.post(
            path, json={"invoice": de_invoice["id"], "amount": amount}, headers=admin
        )
        assert bad.status_code == 400 and bad.json()["error"]["param"] == "amount"
    # DE1-2026-000001 was paid by the statement's first transfer (its reference)
    assert before["status"] == "paid"
    paid = await api.client.post(path, json={"invoice": de_invoice["id"]}, headers=admin)
    assert error(paid)[:2] == (400, "invoice_unexpected_state")
    unknown_field = await api.client.post(
        path, json={"invoice": de_invoice["id"], "note": "x"}, headers=admin
    )
    assert unknown_field.status_code == 400
    nope = await api.client.post(
        "/v1/bank_transactions/btx_nope/match", json={"invoice": "in_nope"}, headers=admin
    )
    assert nope.status_code == 404
    after = await api.client.get(f"/v1/bank_transactions/{tx['id']}", headers=admin)
    assert after.json()["status"] == "unmatched" and after.json()["allocations"] == []
    invoice = await api.client.get(f"/v1/invoices/{de_invoice['id']}", headers=admin)
    assert invoice.json() == before


async def test_the_ledger_check_finds_an_allocation_without_its_payment(api: Api) -> None:
    admin, shop = await setup(api)
    ada = await customer(api, admin, name="Ada Lovelace")
    inv = await finalized(api, admin, shop, ada, [{"description": "x", "unit_amount": 10000}])
    assert inv["number"] == "DE1-2026-000001"
    assert (await post(api, admin, STATEMENT)).status_code == 200
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []
    async with api.container.engine.begin() as conn:
        await conn.execute(
            sa.update(bank_transactions)
            .where(bank_transactions.c.account_servicer_reference == "2026012000001234")
            .values(amount_applied=bank_transactions.c.amount_applied - 1)
        )
    problems = await verify_ledger(uow_factory=api.container.uow_factory)
    assert any("allocations sum to 11900, amount_applied is 11899" in p for p in problems)


async def test_credits_an_interrupted_import_did_not_match_are_matched_by_the_job(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    ada = await customer(api, admin, name="Ada Lovelace")
    inv = await finalized(api, admin, shop, ada, [{"description": "x", "unit_amount": 10000}])
    assert (await post(api, admin, STATEMENT)).status_code == 200
    # as if the process had stopped after storing the statement, before matching
    async with api.container.engine.begin() as conn:
        await conn.execute(
            sa.update(bank_transactions)
            .where(bank_transactions.c.status == "unmatched")
            .values(match_attempted_at=None)
        )
    ran = await run_once(api.container, only={"match_bank_transactions"})
    assert ran["match_bank_transactions"] == 5  # looked at again, still not certain
    paid = await api.client.get(f"/v1/invoices/{inv['id']}", headers=admin)
    assert paid.json()["status"] == "paid"
    assert (await run_once(api.container, only={"match_bank_transactions"}))[
        "match_bank_transactions"
    ] == 0


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "payments.app.cli", *args],
        env=os.environ | {"PAYMENTS_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_payments_statements_import(api: Api, database_url: str) -> None:
    admin, shop = await setup(api)
    ada = await customer(api, admin, name="Ada Lovelace")
    inv: dict[str, Any] = await finalized(
        api, admin, shop, ada, [{"description": "x", "unit_amount": 10000}]
    )
    path = str(FIXTURES / "camt053_v08_2026-01-20.xml")
    first = await asyncio.to_thread(cli, database_url, "statements", "import", path)
    assert first.returncode == 0, first.stderr
    assert "7 new transaction(s) of 7; matched 1, unmatched 5, ignored 1" in first.stdout
    again = await asyncio.to_thread(cli, database_url, "statements", "import", path)
    assert again.returncode == 0 and "already imported" in again.stdout
    bad = await asyncio.to_thread(cli, database_url, "statements", "import", __file__)
    assert bad.returncode == 1 and "not well-formed XML" in bad.stderr
    paid = await api.client.get(f"/v1/invoices/{inv['id']}", headers=admin)
    assert paid.json()["status"] == "paid"
    verify = await asyncio.to_thread(cli, database_url, "ledger", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr


async def test_an_import_with_an_idempotency_key_is_replayed(api: Api) -> None:
    admin, _ = await setup(api)
    key = {"Idempotency-Key": "statement-2026-01-20"}
    first = await post(api, admin, STATEMENT, **key)
    assert first.status_code == 200, first.text
    replay = await post(api, admin, STATEMENT, **key)
    assert replay.headers.get("idempotent-replayed") == "true"
    assert replay.json() == first.json()
    other = await post(api, admin, STATEMENT.replace(b"119.00", b"119.01"), **key)
    assert other.status_code == 400 and other.json()["error"]["code"] == "idempotency_error"


async def test_the_same_statement_uploaded_twice_at_once_is_imported_once(api: Api) -> None:
    admin, _ = await setup(api)
    first, second = await asyncio.gather(post(api, admin, STATEMENT), post(api, admin, STATEMENT))
    assert first.status_code == second.status_code == 200, (first.text, second.text)
    assert first.json()["id"] == second.json()["id"]
    assert await count(api, bank_statements) == 1
    assert await count(api, bank_transactions) == 7
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []
