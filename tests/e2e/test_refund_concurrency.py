"""Many simultaneous partial refunds of one payment, through real sockets to two uvicorn
server processes on PostgreSQL, never refund more than was captured."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from payments.apikeys.service import create_api_key
from payments.app.bootstrap import Container
from payments.app.capabilities import verify_ledger
from payments.intents.repository import ChargeRepository
from payments.kernel.access import Role
from payments.refunds.tables import refunds
from support.server import running_server

pytestmark = pytest.mark.slow

CAPTURED = 10_000
EACH = 700  # 14 fit (9 800); the 15th would exceed what is left
REQUESTS = 30


async def _key(container: Container, role: Role) -> dict[str, str]:
    created = await create_api_key(
        role=role,
        name=f"concurrent {role}",
        location_id=None,
        uow_factory=container.uow_factory,
        clock=container.clock,
    )
    return {"Authorization": f"Bearer {created.secret}"}


async def _paid(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    shop = await client.post(
        "/v1/locations",
        json={
            "name": "Berlin Mitte",
            "address": {"line1": "Torstrasse 1", "city": "Berlin", "country": "DE"},
            "timezone": "Europe/Berlin",
        },
        headers=admin,
    )
    assert shop.status_code == 200, shop.text
    pi = await client.post(
        "/v1/payment_intents",
        json={
            "amount": CAPTURED,
            "location": shop.json()["id"],
            "payment_method": "pm_card_visa",
            "confirm": True,
        },
        headers=admin,
    )
    assert pi.status_code == 200, pi.text
    return pi.json()  # type: ignore[no-any-return]


async def test_concurrent_partial_refunds_never_exceed_the_captured_amount(
    container: Container, tmp_path
) -> None:
    if container.engine.dialect.name != "postgresql":
        pytest.skip("multi-process row locking is proven on PostgreSQL")
    admin, finance = await _key(container, Role.admin), await _key(container, Role.finance)
    with running_server(
        container.settings.database_url, workers=2, log_path=tmp_path / "server.log"
    ) as base:
        async with httpx.AsyncClient(
            base_url=base, timeout=60, limits=httpx.Limits(max_connections=REQUESTS)
        ) as client:
            pi = await _paid(client, admin)
            responses = await asyncio.gather(
                *[
                    client.post(
                        "/v1/refunds",
                        json={"payment_intent": pi["id"], "amount": EACH},
                        headers=finance | {"Idempotency-Key": f"refund-{n}"},
                    )
                    for n in range(REQUESTS)
                ]
            )
            charge = (await client.get(f"/v1/charges/{pi['latest_charge']}", headers=admin)).json()
    ok = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code == 400]
    assert len(ok) + len(refused) == REQUESTS, sorted(r.status_code for r in responses)
    assert len(ok) == CAPTURED // EACH
    assert all(r.json()["status"] == "succeeded" for r in ok)
    assert {r.json()["error"]["code"] for r in refused} == {"amount_too_large"}
    assert charge["amount_refunded"] == len(ok) * EACH <= CAPTURED
    async with container.engine.connect() as conn:
        rows = (await conn.execute(sa.select(refunds.c.amount, refunds.c.status))).all()
    # refused under the charge's lock before anything was recorded, not by the gateway later
    assert sorted(status for _, status in rows) == ["succeeded"] * len(ok)
    total = sum(amount for amount, _ in rows)
    # what the gateway refunded
    gateway_charge = await container.gateway.retrieve_charge(
        await _gateway_ref(container, pi["latest_charge"])
    )
    assert gateway_charge.amount_refunded == total
    assert await verify_ledger(uow_factory=container.uow_factory) == []


async def _gateway_ref(container: Container, charge_id: str) -> str:
    async with container.uow_factory() as uow:
        charge = await uow.repo(ChargeRepository).get(charge_id)
    assert charge is not None and charge.gateway_ref is not None
    return charge.gateway_ref
