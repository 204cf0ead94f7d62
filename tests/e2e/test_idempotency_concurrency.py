"""Twenty simultaneous requests with one idempotency key, through real sockets to two
uvicorn server processes on PostgreSQL, produce exactly one customer."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import sqlalchemy as sa

from payments.apikeys.service import create_api_key
from payments.app.bootstrap import Container
from payments.customers.tables import customers
from payments.kernel.access import Role
from support.server import running_server

pytestmark = pytest.mark.slow


async def test_concurrent_requests_with_one_key_execute_exactly_once(
    container: Container, tmp_path
) -> None:
    if container.engine.dialect.name != "postgresql":
        pytest.skip("multi-process idempotency is proven on PostgreSQL")
    key = await create_api_key(
        role=Role.clerk,
        name="concurrency",
        location_id=None,
        uow_factory=container.uow_factory,
        clock=container.clock,
    )
    headers = {"Authorization": f"Bearer {key.secret}", "Idempotency-Key": "one-effect"}
    with running_server(
        container.settings.database_url, workers=2, log_path=tmp_path / "server.log"
    ) as base:
        async with httpx.AsyncClient(
            base_url=base, timeout=30, limits=httpx.Limits(max_connections=40)
        ) as client:
            responses = await asyncio.gather(
                *[
                    client.post("/v1/customers", json={"name": "Exactly Once"}, headers=headers)
                    for _ in range(20)
                ]
            )
    statuses = sorted(r.status_code for r in responses)
    executed = [
        r for r in responses if r.status_code == 200 and "idempotent-replayed" not in r.headers
    ]
    replayed = [r for r in responses if r.headers.get("idempotent-replayed") == "true"]
    conflicts = [r for r in responses if r.status_code == 409]
    assert len(executed) == 1, statuses
    assert len(executed) + len(replayed) + len(conflicts) == 20, statuses
    assert {r.json()["id"] for r in replayed} <= {executed[0].json()["id"]}
    assert all(r.json()["error"]["code"] == "idempotency_key_in_use" for r in conflicts)
    async with container.engine.connect() as conn:
        count = (await conn.execute(sa.select(sa.func.count()).select_from(customers))).scalar()
    assert count == 1
