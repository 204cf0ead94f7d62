"""A request that dies mid-way (its process is killed after the intent and attempt are
committed, while the gateway call is in flight) and is retried with the same
Idempotency-Key resumes the first run's objects: one intent, one charge."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from payments.app.capabilities import run_once, verify_ledger
from payments.gateways.protocol import ChargeRequest, ChargeResult
from payments.gateways.simulator.store import charges as sim_charges
from payments.kernel.clock import FrozenClock
from support.app import Api


class ProcessKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, not even exception handlers."""


class DiesDuringCharge:
    """The real simulator, except that the process 'dies' on the first charge call,
    before the call is sent."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.died = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def charge(self, request: ChargeRequest) -> ChargeResult:
        if not self.died:
            self.died = True
            raise ProcessKilled
        return await self._inner.charge(request)  # type: ignore[no-any-return]


async def _sim_charge_count(api: Api, pi_id: str) -> int:
    async with api.container.gateway.store.transaction() as conn:  # type: ignore[attr-defined]
        rows = (await conn.execute(sa.select(sim_charges))).all()
    return sum(1 for r in rows if r.meta.get("payment_intent") == pi_id)


async def test_a_retry_after_a_crash_resumes_instead_of_charging_twice(
    api: Api, clock: FrozenClock
) -> None:
    admin = await api.key()
    shop = await api.location(admin)
    body = {
        "amount": 4999,
        "location": shop["id"],
        "payment_method": "pm_card_visa",
        "confirm": True,
    }
    headers = admin | {"Idempotency-Key": "till-7-receipt-42"}
    api.container.gateway = DiesDuringCharge(api.container.gateway)  # type: ignore[assignment]
    with pytest.raises(ProcessKilled):
        await api.client.post("/v1/payment_intents", json=body, headers=headers)

    # the till retries once the key's lock has expired (its first process is gone)
    clock.advance(seconds=api.container.settings.idempotency_lock_seconds + 1)
    retried = await api.client.post("/v1/payment_intents", json=body, headers=headers)
    assert retried.status_code == 200, retried.text
    listed = (await api.client.get("/v1/payment_intents", headers=admin)).json()["data"]
    assert [o["id"] for o in listed] == [retried.json()["id"]]
    assert retried.json()["status"] == "processing"  # the first run's attempt is in doubt

    clock.advance(timedelta(seconds=api.container.settings.recovery_stale_seconds + 1))
    await run_once(api.container, only={"recover_gateway_attempts"})
    pi = (await api.client.get(f"/v1/payment_intents/{retried.json()['id']}", headers=admin)).json()
    assert pi["status"] == "succeeded"
    assert await _sim_charge_count(api, pi["id"]) == 1
    charges = (
        await api.client.get("/v1/charges", params={"payment_intent": pi["id"]}, headers=admin)
    ).json()["data"]
    assert len(charges) == 1
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_a_retry_after_gateway_unavailable_resumes_the_same_intent(api: Api) -> None:
    """Found by the chaos suite (seed 3000009): a create+confirm whose charge provably
    never reached the gateway answers 502 and frees its key, but the intent it created is
    its key's recovery point: the retry answers with that intent, not a second one."""
    admin = await api.key()
    shop = await api.location(admin)
    body = {"amount": 700, "location": shop["id"], "payment_method": "pm_card_visa"}
    headers = admin | {"Idempotency-Key": "order-502"}
    await api.container.gateway.set_fault("http_500", operation="charge")  # type: ignore[attr-defined]
    failed = await api.client.post(
        "/v1/payment_intents", json=body | {"confirm": True}, headers=headers
    )
    assert failed.status_code == 502, failed.text
    assert failed.json()["error"]["code"] == "gateway_unavailable"

    retried = await api.client.post(
        "/v1/payment_intents", json=body | {"confirm": True}, headers=headers
    )
    assert retried.status_code == 200, retried.text
    listed = (await api.client.get("/v1/payment_intents", headers=admin)).json()["data"]
    assert [o["id"] for o in listed] == [retried.json()["id"]]
    assert await _sim_charge_count(api, retried.json()["id"]) == 0  # nothing reached it
    confirmed = await api.client.post(
        f"/v1/payment_intents/{retried.json()['id']}/confirm",
        headers=admin | {"Idempotency-Key": "order-502-confirm"},
    )
    assert confirmed.json()["status"] == "succeeded", confirmed.text
    assert await _sim_charge_count(api, retried.json()["id"]) == 1
