"""Every simulator fault on the money-moving calls (charge, capture, cancel) ends with the
effect happening exactly once: at the gateway, in our records, and in the ledger.

``timeout`` (nothing processed) and ``lost_response`` (processed, answer lost) leave the
attempt ``unknown``; the recovery job repeats the call with the attempt's idempotency
key once its backoff has passed (the clock is frozen and advanced, nothing sleeps), and
the gateway either processes it now or replays what it already did. ``http_500``
(provably not processed) is a 502 the client retries.

The last two tests are races and crashes found while writing these: a "not sent"
arriving after the recovery job took the attempt over, and a 500 after the gateway
charged, retried with the same idempotency key. Both used to charge twice.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import structlog.testing

from payments.app.bootstrap import build_container
from payments.app.capabilities import run_once, verify_ledger
from payments.app.http import create_app
from payments.gateways.protocol import (
    ChargeRequest,
    ChargeResult,
    GatewayInvalidRequest,
    GatewayNotSent,
)
from payments.gateways.simulator import SimulatorGateway
from payments.gateways.simulator.store import charges as sim_charges
from payments.gateways.simulator.store import events as sim_events
from payments.intents.domain.commands import ConfirmPaymentIntent
from payments.intents.service import flow
from payments.intents.service.attempts import (
    RECOVERY_BASE,
    recovery_delay,
)
from payments.intents.service.recovery import recover_attempts
from payments.intents.tables import gateway_attempts
from payments.kernel.clock import FrozenClock
from payments.kernel.context import SYSTEM
from payments.ledger.tables import ledger_transactions
from support.app import Api

RECOVERY = {"recover_gateway_attempts"}


# --------------------------------------------------------------------------- helpers


def _sim(api: Api) -> SimulatorGateway:
    gateway = api.container.gateway
    assert isinstance(gateway, SimulatorGateway)
    return gateway


async def _shop(api: Api) -> tuple[dict[str, str], str]:
    admin = await api.key("admin")
    return admin, (await api.location(admin))["id"]


async def _intent(api: Api, admin: dict[str, str], shop: str, **fields: Any) -> dict[str, Any]:
    body = {"amount": 4200, "location": shop, "payment_method": "pm_card_visa"} | fields
    response = await api.client.post("/v1/payment_intents", json=body, headers=admin)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def _authorized(api: Api, admin: dict[str, str], shop: str) -> dict[str, Any]:
    pi = await _intent(api, admin, shop, capture_method="manual", confirm=True)
    assert pi["status"] == "requires_capture"
    return pi


async def _get(api: Api, admin: dict[str, str], pi_id: str) -> dict[str, Any]:
    return (await api.client.get(f"/v1/payment_intents/{pi_id}", headers=admin)).json()  # type: ignore[no-any-return]


async def _sim_charges(api: Api, pi_id: str) -> list[Any]:
    """The simulator's charges made for this intent (its own table, its own database)."""
    async with _sim(api).store.transaction() as conn:
        rows = (await conn.execute(sa.select(sim_charges))).all()
    return [r for r in rows if r.meta.get("payment_intent") == pi_id]


async def _sim_events(api: Api, reference: str, event_type: str) -> int:
    async with _sim(api).store.transaction() as conn:
        rows = (
            await conn.execute(sa.select(sim_events.c.data).where(sim_events.c.type == event_type))
        ).all()
    return sum(1 for (data,) in rows if (data.get("charge") or {}).get("reference") == reference)


async def _our_charges(api: Api, admin: dict[str, str], pi_id: str) -> list[dict[str, Any]]:
    response = await api.client.get("/v1/charges", params={"payment_intent": pi_id}, headers=admin)
    assert response.status_code == 200, response.text
    return response.json()["data"]  # type: ignore[no-any-return]


async def _attempts(api: Api, pi_id: str) -> list[Any]:
    async with api.container.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(gateway_attempts)
            .where(gateway_attempts.c.payment_intent_id == pi_id)
            .order_by(gateway_attempts.c.created, gateway_attempts.c.id)
        )
        return list(rows.all())


async def _postings(api: Api, charge_id: str) -> list[str]:
    async with api.container.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(ledger_transactions.c.kind).where(
                ledger_transactions.c.source_id == charge_id
            )
        )
        return sorted(kind for (kind,) in rows.all())


async def _event_types(api: Api, admin: dict[str, str]) -> list[str]:
    response = await api.client.get("/v1/events", params={"limit": 100}, headers=admin)
    return [e["type"] for e in response.json()["data"]]


async def _recover(api: Api, clock: FrozenClock) -> int:
    """Travel past the first recovery backoff and run the recovery job once."""
    clock.advance(RECOVERY_BASE + timedelta(seconds=1))
    done = await run_once(api.container, only=RECOVERY)
    return done["recover_gateway_attempts"]


async def _verified(api: Api) -> None:
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def _charged_once(api: Api, admin: dict[str, str], pi_id: str) -> dict[str, Any]:
    """One charge at the simulator, one succeeded charge of ours with the same reference,
    one ``charge.succeeded`` posting, one ``payment_intent.succeeded`` event."""
    sim = await _sim_charges(api, pi_id)
    assert len(sim) == 1, sim
    assert sim[0].status == "succeeded"
    ours = [c for c in await _our_charges(api, admin, pi_id) if c["status"] == "succeeded"]
    assert len(ours) == 1, ours
    assert ours[0]["captured"] is True and ours[0]["amount_captured"] == sim[0].amount_received
    assert await _postings(api, ours[0]["id"]) == ["charge.fee", "charge.succeeded"]
    assert (await _event_types(api, admin)).count("payment_intent.succeeded") == 1
    assert all(a.status in ("done", "not_sent") for a in await _attempts(api, pi_id))
    return ours[0]


# --------------------------------------------------------------------------- charge


async def test_latency_on_charge_only_slows_the_payment_down(api: Api) -> None:
    admin, shop = await _shop(api)
    pi = await _intent(api, admin, shop)
    await _sim(api).set_fault("latency", operation="charge", latency_ms=50)
    confirmed = await api.client.post(f"/v1/payment_intents/{pi['id']}/confirm", headers=admin)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "succeeded"
    await _charged_once(api, admin, pi["id"])
    await _verified(api)


async def test_timeout_on_charge_is_settled_by_recovery_with_one_charge(
    api: Api, clock: FrozenClock
) -> None:
    admin, shop = await _shop(api)
    pi = await _intent(api, admin, shop)
    await _sim(api).set_fault("timeout", operation="charge")

    confirmed = await api.client.post(f"/v1/payment_intents/{pi['id']}/confirm", headers=admin)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "processing"
    [attempt] = await _attempts(api, pi["id"])
    assert (attempt.operation, attempt.status) == ("charge", "unknown")
    assert attempt.next_recovery_at == clock.now() + RECOVERY_BASE
    assert await _sim_charges(api, pi["id"]) == []  # the timeout struck before processing
    again = await api.client.post(f"/v1/payment_intents/{pi['id']}/confirm", headers=admin)
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "payment_intent_unexpected_state"
    await _verified(api)

    assert await run_once(api.container, only=RECOVERY) == {"recover_gateway_attempts": 0}
    assert await _recover(api, clock) == 1
    assert (await _get(api, admin, pi["id"]))["status"] == "succeeded"
    await _charged_once(api, admin, pi["id"])
    assert await _recover(api, clock) == 0  # nothing left to settle
    await _verified(api)


async def _intent_events(api: Api, admin: dict[str, str], pi_id: str) -> list[dict[str, Any]]:
    response = await api.client.get("/v1/events", params={"limit": 100}, headers=admin)
    events = response.json()["data"]
    return [e for e in reversed(events) if e["data"]["object"]["id"] == pi_id]


async def test_a_charge_the_gateway_never_got_is_a_failed_attempt_told_by_events(
    api: Api,
) -> None:
    """A confirm whose call provably never reached the gateway: the intent goes back to
    ``requires_confirmation`` along the transition table (``not_processed``), says why in
    ``last_payment_error``, and the failed attempt is an event (``payment_failed``)."""
    admin, shop = await _shop(api)
    pi = await _intent(api, admin, shop)
    await _sim(api).set_fault("http_500", operation="charge")
    failed = await api.client.post(f"/v1/payment_intents/{pi['id']}/confirm", headers=admin)
    assert failed.status_code == 502, failed.text

    after = await _get(api, admin, pi["id"])
    assert after["status"] == "requires_confirmation"
    error = after["last_payment_error"]
    assert (error["type"], error["code"], error["charge"]) == (
        "api_error",
        "gateway_unavailable",
        after["latest_charge"],
    )
    assert error["payment_method"]["id"] == after["payment_method"]
    events = await _intent_events(api, admin, pi["id"])
    assert [e["type"] for e in events] == [
        "payment_intent.created",
        "payment_intent.payment_failed",
    ]
    assert events[-1]["data"]["object"]["status"] == "requires_confirmation"
    charge_events = await _intent_events(api, admin, after["latest_charge"])
    assert [e["type"] for e in charge_events] == ["charge.failed"]

    retried = await api.client.post(f"/v1/payment_intents/{pi['id']}/confirm", headers=admin)
    assert retried.status_code == 200, retried.text
    assert retried.json()["last_payment_error"] is None
    assert [e["type"] for e in await _intent_events(api, admin, pi["id"])] == [
        "payment_intent.created",
        "payment_intent.payment_failed",
        "payment_intent.succeeded",
    ]
    await _charged_once(api, admin, pi["id"])
    await _verified(api)


class _Refusing:
    """The simulator, but its charges are refused before any effect (an invalid request)."""

    def __init__(self, sim: SimulatorGateway) -> None:
        self._sim = sim

    @property
    def name(self) -> str:
        return self._sim.name

    async def charge(self, request: ChargeRequest) -> ChargeResult:
        raise GatewayInvalidRequest(
            "Amount must be at least 0.50 eur", code="amount_too_small", param="amount"
        )


async def test_a_processing_intent_whose_charge_recovery_finds_refused_is_told_failed(
    api: Api, clock: FrozenClock
) -> None:
    """The client was answered ``processing`` (timeout) and waits for
    ``payment_intent.succeeded`` or ``payment_intent.payment_failed``; the recovery job
    finds the gateway refused the attempt: the intent goes back to
    ``requires_confirmation`` and the client hears ``payment_failed``."""
    admin, shop = await _shop(api)
    pi = await _intent(api, admin, shop)
    await _sim(api).set_fault("timeout", operation="charge")
    confirmed = await api.client.post(f"/v1/payment_intents/{pi['id']}/confirm", headers=admin)
    assert confirmed.json()["status"] == "processing"
    await _sim(api).clear_faults()
    clock.advance(RECOVERY_BASE + timedelta(seconds=1))
    recovered = await recover_attempts(
        uow_factory=api.container.uow_factory, gateway=_Refusing(_sim(api)), clock=clock
    )
    assert recovered == 1
    after = await _get(api, admin, pi["id"])
    assert after["status"] == "requires_confirmation"
    error = after["last_payment_error"]
    assert (error["type"], error["code"], error["param"]) == (
        "invalid_request_error",
        "amount_too_small",
        "amount",
    )
    assert [e["type"] for e in await _intent_events(api, admin, pi["id"])] == [
        "payment_intent.created",
        "payment_intent.payment_failed",
    ]
    [charge] = await _our_charges(api, admin, pi["id"])
    assert (charge["status"], charge["failure_code"]) == ("failed", "amount_too_small")
    assert await _postings(api, charge["id"]) == []
    await _verified(api)


async def test_http_500_on_charge_is_a_502_and_a_retry_charges_once(api: Api) -> None:
    admin, shop = await _shop(api)
    pi = await _intent(api, admin, shop)
    await _sim(api).set_fault("http_500", operation="charge")

    failed = await api.client.post(f"/v1/payment_intents/{pi['id']}/confirm", headers=admin)
    assert failed.status_code == 502, failed.text
    assert failed.json()["error"]["code"] == "gateway_unavailable"
    assert (await _get(api, admin, pi["id"]))["status"] == "requires_confirmation"
    [attempt] = await _attempts(api, pi["id"])
    assert attempt.status == "not_sent"
    assert await _sim_charges(api, pi["id"]) == []
    [not_sent] = await _our_charges(api, admin, pi["id"])
    assert (not_sent["status"], not_sent["captured"]) == ("failed", False)
    assert not_sent["failure_code"] == "gateway_unavailable"
    assert await _postings(api, not_sent["id"]) == []
    await _verified(api)

    retried = await api.client.post(f"/v1/payment_intents/{pi['id']}/confirm", headers=admin)
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "succeeded"
    await _charged_once(api, admin, pi["id"])
    await _verified(api)


async def test_lost_response_on_charge_is_replayed_not_charged_again(
    api: Api, clock: FrozenClock
) -> None:
    admin, shop = await _shop(api)
    pi = await _intent(api, admin, shop)
    await _sim(api).set_fault("lost_response", operation="charge")

    confirmed = await api.client.post(f"/v1/payment_intents/{pi['id']}/confirm", headers=admin)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "processing"
    [attempt] = await _attempts(api, pi["id"])
    assert attempt.status == "unknown"
    [processed] = await _sim_charges(api, pi["id"])  # the gateway did take the money
    assert processed.status == "succeeded"
    await _verified(api)

    assert await _recover(api, clock) == 1
    assert (await _get(api, admin, pi["id"]))["status"] == "succeeded"
    charge = await _charged_once(api, admin, pi["id"])
    assert (await _sim_charges(api, pi["id"]))[0].id == processed.id  # the replay
    assert charge["id"] == (await _get(api, admin, pi["id"]))["latest_charge"]
    await _verified(api)


async def test_a_fault_while_recovering_keeps_the_attempt_unknown_until_a_later_run(
    api: Api, clock: FrozenClock
) -> None:
    admin, shop = await _shop(api)
    pi = await _intent(api, admin, shop)
    await _sim(api).set_fault("lost_response", operation="charge")
    await api.client.post(f"/v1/payment_intents/{pi['id']}/confirm", headers=admin)
    await _sim(api).set_fault("http_500", operation="charge")  # the recovery's own call

    assert await _recover(api, clock) == 1
    [attempt] = await _attempts(api, pi["id"])
    # "not sent" after an unknown outcome proves nothing about the first call
    assert (attempt.status, attempt.recovery_count) == ("unknown", 1)
    assert (await _get(api, admin, pi["id"]))["status"] == "processing"
    assert await run_once(api.container, only=RECOVERY) == {"recover_gateway_attempts": 0}
    # the backoff doubles: 10 s before the first recovery, 20 s before the second
    assert await _recover(api, clock) == 0
    clock.advance(recovery_delay(1) - RECOVERY_BASE)
    assert (await run_once(api.container, only=RECOVERY))["recover_gateway_attempts"] == 1
    await _charged_once(api, admin, pi["id"])
    await _verified(api)


# --------------------------------------------------------------------------- capture


async def _captured_once(api: Api, admin: dict[str, str], pi: dict[str, Any]) -> None:
    [sim] = await _sim_charges(api, pi["id"])
    assert (sim.status, sim.amount_received) == ("succeeded", pi["amount"])
    assert await _sim_events(api, sim.id, "charge.captured") == 1
    [ours] = await _our_charges(api, admin, pi["id"])
    assert (ours["captured"], ours["amount_captured"]) == (True, pi["amount"])
    assert await _postings(api, ours["id"]) == [
        "charge.authorized",
        "charge.captured",
        "charge.fee",
    ]
    after = await _get(api, admin, pi["id"])
    assert (after["status"], after["amount_received"], after["amount_capturable"]) == (
        "succeeded",
        pi["amount"],
        0,
    )
    assert (await _event_types(api, admin)).count("charge.captured") == 1


async def test_latency_on_capture_only_slows_it_down(api: Api) -> None:
    admin, shop = await _shop(api)
    pi = await _authorized(api, admin, shop)
    await _sim(api).set_fault("latency", operation="capture", latency_ms=50)
    captured = await api.client.post(f"/v1/payment_intents/{pi['id']}/capture", headers=admin)
    assert captured.status_code == 200, captured.text
    assert captured.json()["status"] == "succeeded"
    await _captured_once(api, admin, pi)
    await _verified(api)


@pytest.mark.parametrize("fault", ["timeout", "lost_response"])
async def test_unknown_capture_outcome_is_settled_by_recovery_once(
    api: Api, clock: FrozenClock, fault: str
) -> None:
    admin, shop = await _shop(api)
    pi = await _authorized(api, admin, shop)
    await _sim(api).set_fault(fault, operation="capture")  # type: ignore[arg-type]

    answered = await api.client.post(f"/v1/payment_intents/{pi['id']}/capture", headers=admin)
    assert answered.status_code == 200, answered.text
    # the intent stays requires_capture while the capture is in flight (see payment_intent.py)
    assert answered.json()["status"] == "requires_capture"
    capture = (await _attempts(api, pi["id"]))[-1]
    assert (capture.operation, capture.status) == ("capture", "unknown")
    [sim] = await _sim_charges(api, pi["id"])
    assert sim.status == ("succeeded" if fault == "lost_response" else "requires_capture")
    for verb in ("capture", "cancel"):  # nothing else may touch the intent meanwhile
        refused = await api.client.post(f"/v1/payment_intents/{pi['id']}/{verb}", headers=admin)
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["code"] == "payment_intent_unexpected_state"
    await _verified(api)

    assert await _recover(api, clock) == 1
    await _captured_once(api, admin, pi)
    await _verified(api)


async def test_http_500_on_capture_is_a_502_and_a_retry_captures_once(api: Api) -> None:
    admin, shop = await _shop(api)
    pi = await _authorized(api, admin, shop)
    await _sim(api).set_fault("http_500", operation="capture")

    failed = await api.client.post(f"/v1/payment_intents/{pi['id']}/capture", headers=admin)
    assert failed.status_code == 502, failed.text
    assert failed.json()["error"]["code"] == "gateway_unavailable"
    after = await _get(api, admin, pi["id"])
    assert (after["status"], after["amount_capturable"]) == ("requires_capture", pi["amount"])
    [ours] = await _our_charges(api, admin, pi["id"])
    assert await _postings(api, ours["id"]) == ["charge.authorized"]
    await _verified(api)

    retried = await api.client.post(f"/v1/payment_intents/{pi['id']}/capture", headers=admin)
    assert retried.status_code == 200, retried.text
    await _captured_once(api, admin, pi)
    await _verified(api)


# --------------------------------------------------------------------------- cancel


async def _canceled_once(api: Api, admin: dict[str, str], pi: dict[str, Any]) -> None:
    [sim] = await _sim_charges(api, pi["id"])
    assert (sim.status, sim.amount_capturable, sim.amount_received) == ("canceled", 0, 0)
    assert await _sim_events(api, sim.id, "payment_intent.canceled") == 1
    [ours] = await _our_charges(api, admin, pi["id"])
    assert ours["captured"] is False
    assert await _postings(api, ours["id"]) == ["authorization.released", "charge.authorized"]
    after = await _get(api, admin, pi["id"])
    assert (after["status"], after["amount_capturable"]) == ("canceled", 0)
    assert after["cancellation_reason"] == "requested_by_customer"
    assert (await _event_types(api, admin)).count("payment_intent.canceled") == 1


async def test_latency_on_cancel_only_slows_it_down(api: Api) -> None:
    admin, shop = await _shop(api)
    pi = await _authorized(api, admin, shop)
    await _sim(api).set_fault("latency", operation="cancel", latency_ms=50)
    canceled = await api.client.post(f"/v1/payment_intents/{pi['id']}/cancel", headers=admin)
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["status"] == "canceled"
    await _canceled_once(api, admin, pi)
    await _verified(api)


@pytest.mark.parametrize("fault", ["timeout", "lost_response"])
async def test_unknown_cancel_outcome_is_settled_by_recovery_once(
    api: Api, clock: FrozenClock, fault: str
) -> None:
    admin, shop = await _shop(api)
    pi = await _authorized(api, admin, shop)
    await _sim(api).set_fault(fault, operation="cancel")  # type: ignore[arg-type]

    answered = await api.client.post(f"/v1/payment_intents/{pi['id']}/cancel", headers=admin)
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "requires_capture"
    cancel = (await _attempts(api, pi["id"]))[-1]
    assert (cancel.operation, cancel.status) == ("cancel", "unknown")
    [sim] = await _sim_charges(api, pi["id"])
    assert sim.status == ("canceled" if fault == "lost_response" else "requires_capture")
    refused = await api.client.post(f"/v1/payment_intents/{pi['id']}/capture", headers=admin)
    assert refused.status_code == 400, refused.text
    await _verified(api)

    assert await _recover(api, clock) == 1
    await _canceled_once(api, admin, pi)
    await _verified(api)


async def test_http_500_on_cancel_is_a_502_and_a_retry_cancels_once(api: Api) -> None:
    admin, shop = await _shop(api)
    pi = await _authorized(api, admin, shop)
    await _sim(api).set_fault("http_500", operation="cancel")

    failed = await api.client.post(f"/v1/payment_intents/{pi['id']}/cancel", headers=admin)
    assert failed.status_code == 502, failed.text
    assert failed.json()["error"]["code"] == "gateway_unavailable"
    after = await _get(api, admin, pi["id"])
    assert (after["status"], after["amount_capturable"]) == ("requires_capture", pi["amount"])
    assert after["cancellation_reason"] is None  # the cancel did not happen
    [ours] = await _our_charges(api, admin, pi["id"])
    assert await _postings(api, ours["id"]) == ["charge.authorized"]
    await _verified(api)

    retried = await api.client.post(f"/v1/payment_intents/{pi['id']}/cancel", headers=admin)
    assert retried.status_code == 200, retried.text
    await _canceled_once(api, admin, pi)
    await _verified(api)


# --------------------------------------------------------------------------- races, crashes


class _SlowNetwork:
    """The simulator behind a network the test controls: ``charge`` reaches the simulator
    (or not), then holds its answer until ``release`` is set."""

    def __init__(self, sim: SimulatorGateway, *, reaches_gateway: bool) -> None:
        self._sim = sim
        self._reaches = reaches_gateway
        self.in_flight = asyncio.Event()
        self.release = asyncio.Event()

    @property
    def name(self) -> str:
        return self._sim.name

    async def charge(self, request: ChargeRequest) -> ChargeResult:
        result = await self._sim.charge(request) if self._reaches else None
        self.in_flight.set()
        await asyncio.wait_for(self.release.wait(), timeout=10)
        if result is None:
            raise GatewayNotSent("connect timeout: the request never left this process")
        return result


async def test_not_sent_after_recovery_took_over_the_attempt_does_not_undo_the_charge(
    api: Api, clock: FrozenClock
) -> None:
    """A confirm whose gateway call hangs past ``recovery_stale_seconds`` is taken over by
    the recovery job, which repeats the call (same key) and the gateway charges. If the
    first call then fails as "not sent", that proves nothing about the recovery's call:
    the intent must not go back to ``requires_confirmation`` (a retried confirm would
    charge the customer a second time)."""
    admin, shop = await _shop(api)
    pi = await _intent(api, admin, shop)
    c = api.container
    first = _SlowNetwork(_sim(api), reaches_gateway=False)
    recovery = _SlowNetwork(_sim(api), reaches_gateway=True)
    confirming = asyncio.create_task(
        flow.confirm_payment_intent(
            pi["id"],
            ConfirmPaymentIntent(),
            uow_factory=c.uow_factory,
            gateway=first,
            clock=clock,
            ctx=SYSTEM,
        )
    )
    await asyncio.wait_for(first.in_flight.wait(), timeout=10)
    clock.advance(seconds=c.settings.recovery_stale_seconds + 1)
    recovering = asyncio.create_task(
        recover_attempts(
            uow_factory=c.uow_factory,
            gateway=recovery,
            clock=clock,
            stale_after=timedelta(seconds=c.settings.recovery_stale_seconds),
        )
    )
    await asyncio.wait_for(recovery.in_flight.wait(), timeout=10)
    assert len(await _sim_charges(api, pi["id"])) == 1  # the recovery's call charged

    first.release.set()  # the first call fails: "not sent"
    answered = await asyncio.wait_for(confirming, timeout=10)
    assert answered.status == "processing"
    recovery.release.set()
    assert await asyncio.wait_for(recovering, timeout=10) == 1

    assert (await _get(api, admin, pi["id"]))["status"] == "succeeded"
    retried = await api.client.post(f"/v1/payment_intents/{pi['id']}/confirm", headers=admin)
    assert retried.status_code == 400, retried.text
    await _charged_once(api, admin, pi["id"])
    await _verified(api)


class _GarbledAnswer:
    """The simulator, but the charge's answer cannot be applied (phase 3 fails with an
    unexpected error after the gateway took the money: a bug, a lost database, ...)."""

    def __init__(self, sim: SimulatorGateway) -> None:
        self._sim = sim

    @property
    def name(self) -> str:
        return self._sim.name

    async def create_payment_method(self, source: Any, **kwargs: Any) -> Any:
        return await self._sim.create_payment_method(source, **kwargs)

    async def charge(self, request: ChargeRequest) -> ChargeResult:
        return dataclasses.replace(await self._sim.charge(request), status="garbled")  # type: ignore[arg-type]


async def test_a_500_after_the_gateway_charged_is_replayed_to_a_retry_with_the_key(
    api: Api, clock: FrozenClock
) -> None:
    """An idempotency key whose request failed unexpectedly after the gateway call keeps
    its 500 (as Stripe does): a retry with the key must not create and charge again."""
    admin, shop = await _shop(api)
    c = api.container
    broken = build_container(c.settings, clock=clock, gateway=_GarbledAnswer(_sim(api)))  # type: ignore[arg-type]
    app = create_app(c.settings, container=broken, embedded=False)
    headers = admin | {"Idempotency-Key": "pay-once"}
    body = {"amount": 3100, "location": shop, "payment_method": "pm_card_visa", "confirm": True}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        with structlog.testing.capture_logs() as logs:  # (rendering the traceback is slow)
            failed = await client.post("/v1/payment_intents", json=body, headers=headers)
        assert failed.status_code == 500
        assert [e["event"] for e in logs if e["log_level"] == "error"] == ["unhandled_error"]
        retried = await client.post("/v1/payment_intents", json=body, headers=headers)
    await broken.engine.dispose()
    assert retried.status_code == 500
    assert retried.headers.get("idempotent-replayed") == "true"
    [pi] = (await api.client.get("/v1/payment_intents", headers=admin)).json()["data"]
    assert pi["status"] == "processing"  # charged at the gateway, settled by recovery
    assert len(await _sim_charges(api, pi["id"])) == 1

    clock.advance(seconds=c.settings.recovery_stale_seconds + 1)
    assert await run_once(c, only=RECOVERY) == {"recover_gateway_attempts": 1}
    await _charged_once(api, admin, pi["id"])
    await _verified(api)
