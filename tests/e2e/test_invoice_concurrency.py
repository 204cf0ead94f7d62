"""Invoice numbering and payment under real concurrency: through real sockets to two
uvicorn server processes on PostgreSQL."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from payments.apikeys.service import create_api_key
from payments.app.bootstrap import Container
from payments.app.capabilities import verify_ledger
from payments.intents.tables import payment_intents
from payments.invoices.tables import number_series
from payments.kernel.access import Role
from support.invoices import ADA, LABOUR, PARTS, SELLERS, SHOPS
from support.server import running_server

pytestmark = pytest.mark.slow

INVOICES = 50
PAYERS = 10


async def _admin(container: Container) -> dict[str, str]:
    created = await create_api_key(
        role=Role.admin,
        name="concurrent admin",
        location_id=None,
        uow_factory=container.uow_factory,
        clock=container.clock,
    )
    return {"Authorization": f"Bearer {created.secret}"}


async def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def _drafts(client: httpx.AsyncClient, admin: dict[str, str], n: int) -> list[str]:
    entity = await _ok(await client.post("/v1/legal_entities", json=SELLERS["DE"], headers=admin))
    shop = await _ok(
        await client.post(
            "/v1/locations", json=SHOPS["DE"] | {"legal_entity": entity["id"]}, headers=admin
        )
    )
    cus = await _ok(await client.post("/v1/customers", json=ADA, headers=admin))
    body = {"customer": cus["id"], "location": shop["id"], "lines": [LABOUR, PARTS]}
    drafts = await asyncio.gather(
        *[client.post("/v1/invoices", json=body, headers=admin) for _ in range(n)]
    )
    return [(await _ok(d))["id"] for d in drafts]


def _postgres_only(container: Container) -> None:
    if container.engine.dialect.name != "postgresql":
        pytest.skip("multi-process row locking is proven on PostgreSQL")


async def test_concurrent_finalizations_through_two_processes_take_consecutive_numbers(
    container: Container, tmp_path
) -> None:
    _postgres_only(container)
    admin = await _admin(container)
    with running_server(
        container.settings.database_url, workers=2, log_path=tmp_path / "server.log"
    ) as base:
        async with httpx.AsyncClient(
            base_url=base, timeout=120, limits=httpx.Limits(max_connections=INVOICES)
        ) as client:
            ids = await _drafts(client, admin, INVOICES)
            responses = await asyncio.gather(
                *[client.post(f"/v1/invoices/{i}/finalize", headers=admin) for i in ids]
            )
    finalized = [await _ok(r) for r in responses]
    numbers = [f["number"] for f in finalized]
    match = [re.fullmatch(r"DE1-(\d{4})-(\d{6})", n) for n in numbers]
    assert all(match), numbers
    assert len({m.group(1) for m in match if m}) == 1  # one series: one year
    assert sorted(int(m.group(2)) for m in match if m) == list(range(1, INVOICES + 1))
    async with container.engine.connect() as conn:
        last = (await conn.execute(sa.select(number_series.c.last_value))).scalar_one()
    assert last == INVOICES  # nothing taken and lost
    assert await verify_ledger(uow_factory=container.uow_factory) == []


async def test_concurrent_payments_of_one_invoice_charge_it_once(
    container: Container, tmp_path
) -> None:
    _postgres_only(container)
    admin = await _admin(container)
    with running_server(
        container.settings.database_url, workers=2, log_path=tmp_path / "server.log"
    ) as base:
        async with httpx.AsyncClient(
            base_url=base, timeout=120, limits=httpx.Limits(max_connections=PAYERS)
        ) as client:
            (invoice_id,) = await _drafts(client, admin, 1)
            await _ok(await client.post(f"/v1/invoices/{invoice_id}/finalize", headers=admin))
            responses = await asyncio.gather(
                *[
                    client.post(
                        f"/v1/invoices/{invoice_id}/pay",
                        json={"payment_method": "pm_card_visa"},
                        headers=admin,
                    )
                    for _ in range(PAYERS)
                ]
            )
            invoice = await _ok(await client.get(f"/v1/invoices/{invoice_id}", headers=admin))
    assert invoice["status"] == "paid"
    assert invoice["amount_paid"] == invoice["total"]
    codes = sorted(r.status_code for r in responses)
    assert 200 in codes and set(codes) <= {200, 400}, [r.text for r in responses]
    async with container.engine.connect() as conn:
        received = (
            (
                await conn.execute(
                    sa.select(payment_intents.c.amount_received).where(
                        payment_intents.c.invoice_id == invoice_id,
                        payment_intents.c.status == "succeeded",
                    )
                )
            )
            .scalars()
            .all()
        )
    assert list(received) == [invoice["total"]]  # one charge, for what was owed
    assert await verify_ledger(uow_factory=container.uow_factory) == []
