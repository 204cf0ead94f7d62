"""Rolling an API key: a new secret at once, the old one working for the overlap only,
so the systems that use it switch without an outage."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from payments.apikeys.service import create_api_key, roll_api_key
from payments.audit.tables import audit_log
from payments.kernel.access import Role
from payments.kernel.clock import FrozenClock
from payments.kernel.errors import InvalidRequest
from support.app import Api
from support.cli import run


async def test_the_old_key_works_beside_the_new_one_until_the_overlap_ends(api: Api) -> None:
    c = api.container
    clock = c.clock
    assert isinstance(clock, FrozenClock)
    old = await create_api_key(
        role=Role.clerk, name="till 3", location_id=None, uow_factory=c.uow_factory, clock=clock
    )
    new, rolled = await roll_api_key(
        old.key.id, overlap=timedelta(hours=1), uow_factory=c.uow_factory, clock=clock
    )
    assert (new.key.name, new.key.role, new.secret != old.secret) == ("till 3", Role.clerk, True)
    assert rolled.rolled_to == new.key.id and rolled.expires_at == clock.now() + timedelta(hours=1)
    for secret in (old.secret, new.secret):
        got = await api.client.get("/v1/customers", headers={"Authorization": f"Bearer {secret}"})
        assert got.status_code == 200
    clock.advance(timedelta(hours=1))
    expired = await api.client.get(
        "/v1/customers", headers={"Authorization": f"Bearer {old.secret}"}
    )
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "invalid_api_key"
    still = await api.client.get("/v1/customers", headers={"Authorization": f"Bearer {new.secret}"})
    assert still.status_code == 200
    async with c.engine.connect() as conn:
        actions = (
            await conn.execute(
                sa.select(audit_log.c.action).where(audit_log.c.object_id == old.key.id)
            )
        ).scalars()
        assert "api_key.rolled" in list(actions)


async def test_a_key_is_rolled_once_and_the_overlap_is_bounded(api: Api) -> None:
    c = api.container
    old = await create_api_key(
        role=Role.admin, name="ops", location_id=None, uow_factory=c.uow_factory, clock=c.clock
    )
    with pytest.raises(InvalidRequest) as too_long:
        await roll_api_key(
            old.key.id, overlap=timedelta(days=8), uow_factory=c.uow_factory, clock=c.clock
        )
    assert too_long.value.param == "expires_in"
    await roll_api_key(old.key.id, overlap=timedelta(0), uow_factory=c.uow_factory, clock=c.clock)
    with pytest.raises(InvalidRequest):
        await roll_api_key(
            old.key.id, overlap=timedelta(hours=1), uow_factory=c.uow_factory, clock=c.clock
        )
    now = await api.client.get("/v1/customers", headers={"Authorization": f"Bearer {old.secret}"})
    assert now.status_code == 401  # overlap 0: stops at once


def test_payments_apikeys_roll_prints_the_new_secret_once(database_url: str) -> None:
    created = run(database_url, "apikeys", "create", "--role", "finance", "--name", "books")
    key_id = created.stdout.split("key ", 1)[1].split()[0]
    rolled = run(database_url, "apikeys", "roll", key_id, "--overlap", "3d")
    assert rolled.returncode == 0, rolled.stderr
    secret = rolled.stdout.strip().splitlines()[-1]
    assert secret.startswith("sk_test_") and secret not in created.stdout
    listed = run(database_url, "apikeys", "list").stdout
    assert f"{key_id}" in listed and "expires " in listed
    bad = run(database_url, "apikeys", "roll", key_id, "--overlap", "soon")
    assert bad.returncode == 2 and "--overlap 'soon'" in bad.stderr
