"""Installments: three monthly charges by the worker over an injected clock, exactly once
with two workers and across a lost gateway answer, retries of a declined one on their
schedule, early payoff and cancel; on SQLite and PostgreSQL, the ledger verified."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa

from payments.app.capabilities import run_once
from payments.gateways.simulator import SimulatorGateway
from payments.gateways.simulator.store import charges as sim_charges
from payments.invoices.service import installments as installments_service
from payments.kernel.clock import FrozenClock, to_unix
from support.app import Api
from support.invoices import customer, finalized, post, setup
from support.refunds import event_types, verified

TOTAL = 29631
JOB = {"charge_installments"}
DAY = 86400


async def _saved_card(
    api: Api, admin: dict[str, str], cus: dict[str, Any], token: str = "pm_card_visa"
) -> str:
    pm = await post(api, "/v1/payment_methods", admin, type="card", card={"token": token})
    assert pm.status_code == 200, pm.text
    attached = await post(
        api, f"/v1/payment_methods/{pm.json()['id']}/attach", admin, customer=cus["id"]
    )
    assert attached.status_code == 200, attached.text
    return str(pm.json()["id"])


async def _plan(api: Api, admin: dict[str, str], invoice_id: str) -> dict[str, Any]:
    shown = await api.client.get(f"/v1/invoices/{invoice_id}/installment_plan", headers=admin)
    assert shown.status_code == 200, shown.text
    return shown.json()  # type: ignore[no-any-return]


async def _sim_charge_count(api: Api, plan: dict[str, Any]) -> int:
    """The simulator's charges (its own store) made for the plan's PaymentIntents."""
    gateway = api.container.gateway
    assert isinstance(gateway, SimulatorGateway)
    intents = {i["payment_intent"] for i in plan["installments"]} - {None}
    async with gateway.store.transaction() as conn:
        rows = (await conn.execute(sa.select(sim_charges.c.meta))).all()
    return sum(1 for (meta,) in rows if meta.get("payment_intent") in intents)


async def test_three_installments_are_charged_by_the_worker_on_their_dates(
    api: Api, clock: FrozenClock
) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    card = await _saved_card(api, admin, cus)
    invoice = await finalized(api, admin, shop, cus)
    made = await post(
        api,
        f"/v1/invoices/{invoice['id']}/installment_plan",
        admin,
        payment_method=card,
        count=3,
        first_charge_at=to_unix(clock.now()) + DAY,
    )
    assert made.status_code == 200, made.text
    amounts = [i["amount"] for i in made.json()["installments"]]
    assert amounts == [9877, 9877, 9877]  # 29631 / 3
    assert [i["status"] for i in made.json()["installments"]] == ["scheduled"] * 3
    assert await run_once(api.container, only=JOB) == {"charge_installments": 0}  # not yet
    for month in range(3):
        clock.set(clock.now().replace(month=clock.now().month + (1 if month else 0), day=16))
        # two workers at once: each installment is charged by one of them
        done = await asyncio.gather(
            run_once(api.container, only=JOB), run_once(api.container, only=JOB)
        )
        assert sum(d["charge_installments"] for d in done) == 1
        plan = await _plan(api, admin, invoice["id"])
        assert [i["status"] for i in plan["installments"]].count("succeeded") == month + 1
        await verified(api)
    paid = (await api.client.get(f"/v1/invoices/{invoice['id']}", headers=admin)).json()
    assert (paid["status"], paid["amount_paid"]) == ("paid", TOTAL)
    assert await _sim_charge_count(api, await _plan(api, admin, invoice["id"])) == 3
    assert (await event_types(api, admin)).count("invoice.installment_succeeded") == 3
    listed = await api.client.get(f"/v1/invoices/{invoice['id']}/payments", headers=admin)
    assert len(listed.json()["data"]) == 3
    assert await run_once(api.container, only=JOB) == {"charge_installments": 0}


async def test_a_lost_gateway_answer_is_settled_by_recovery_and_never_charged_twice(
    api: Api, clock: FrozenClock
) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    card = await _saved_card(api, admin, cus)
    invoice = await finalized(api, admin, shop, cus)
    made = await post(
        api,
        f"/v1/invoices/{invoice['id']}/installment_plan",
        admin,
        payment_method=card,
        installments=[
            {"amount": 10000, "date": to_unix(clock.now())},
            {"amount": TOTAL - 10000, "date": to_unix(clock.now()) + 30 * DAY},
        ],
    )
    assert made.status_code == 200, made.text
    gateway = api.container.gateway
    assert isinstance(gateway, SimulatorGateway)
    await gateway.set_fault("lost_response", operation="charge")
    assert await run_once(api.container, only=JOB) == {"charge_installments": 1}
    first = (await _plan(api, admin, invoice["id"]))["installments"][0]
    assert first["status"] == "processing"
    clock.advance(seconds=120)
    assert await run_once(api.container, only=JOB) == {"charge_installments": 0}
    await run_once(api.container, only={"recover_gateway_attempts"})
    first = (await _plan(api, admin, invoice["id"]))["installments"][0]
    assert first["status"] == "succeeded"
    assert await _sim_charge_count(api, await _plan(api, admin, invoice["id"])) == 1
    await verified(api)


async def test_a_declined_installment_is_retried_on_schedule_then_failed(
    api: Api, clock: FrozenClock
) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    card = await _saved_card(api, admin, cus, token="pm_card_visa_chargeDeclinedInsufficientFunds")
    invoice = await finalized(api, admin, shop, cus)
    made = await post(
        api,
        f"/v1/invoices/{invoice['id']}/installment_plan",
        admin,
        payment_method=card,
        count=2,
    )
    assert made.status_code == 200, made.text
    waits = [0, 1, 3, 7]
    for n, wait in enumerate(waits):
        clock.advance(seconds=wait * DAY)
        assert await run_once(api.container, only=JOB) == {"charge_installments": 1}
        first = (await _plan(api, admin, invoice["id"]))["installments"][0]
        assert first["attempt_count"] == n + 1
        expected = "failed" if n == len(waits) - 1 else "scheduled"
        assert first["status"] == expected, first
        assert first["last_error"]
    assert (await event_types(api, admin)).count("invoice.installment_failed") == 4
    still = (await api.client.get(f"/v1/invoices/{invoice['id']}", headers=admin)).json()
    assert (still["status"], still["amount_paid"]) == ("open", 0)
    await verified(api)


async def test_early_payoff_and_cancel(api: Api, clock: FrozenClock) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    card = await _saved_card(api, admin, cus)
    invoice = await finalized(api, admin, shop, cus)
    made = await post(
        api, f"/v1/invoices/{invoice['id']}/installment_plan", admin, payment_method=card, count=3
    )
    assert made.status_code == 200, made.text
    assert await run_once(api.container, only=JOB) == {"charge_installments": 1}
    paid_off = await post(api, f"/v1/invoices/{invoice['id']}/installment_plan/pay_off", admin)
    assert paid_off.status_code == 200, paid_off.text
    assert (paid_off.json()["status"], paid_off.json()["amount_paid"]) == ("paid", TOTAL)
    plan = await _plan(api, admin, invoice["id"])
    assert [i["status"] for i in plan["installments"]] == ["succeeded", "canceled", "canceled"]
    clock.advance(seconds=90 * DAY)
    assert await run_once(api.container, only=JOB) == {"charge_installments": 0}
    await verified(api)

    other = await finalized(api, admin, shop, cus)
    made = await post(
        api, f"/v1/invoices/{other['id']}/installment_plan", admin, payment_method=card, count=2
    )
    canceled = await post(api, f"/v1/invoices/{other['id']}/installment_plan/cancel", admin)
    assert canceled.status_code == 200, canceled.text
    assert [i["status"] for i in canceled.json()["installments"]] == ["canceled", "canceled"]
    assert await run_once(api.container, only=JOB) == {"charge_installments": 0}


async def test_bad_installment_plans_are_refused_naming_the_param(
    api: Api, clock: FrozenClock
) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    card = await _saved_card(api, admin, cus)
    invoice = await finalized(api, admin, shop, cus)
    path = f"/v1/invoices/{invoice['id']}/installment_plan"
    now = to_unix(clock.now())
    cases: list[tuple[dict[str, Any], str]] = [
        ({"payment_method": "pm_card_visa", "count": 3}, "payment_method"),
        ({"payment_method": card, "count": 1}, "count"),
        ({"payment_method": card}, "count"),
        (
            {"payment_method": card, "count": 3, "first_charge_at": now - 10 * DAY},
            "first_charge_at",
        ),
        (
            {
                "payment_method": card,
                "installments": [{"amount": 100, "date": now}, {"amount": 100, "date": now + DAY}],
            },
            "installments",
        ),
        (
            {
                "payment_method": card,
                "installments": [
                    {"amount": 10000, "date": now + DAY},
                    {"amount": TOTAL - 10000, "date": now},
                ],
            },
            "installments[1][date]",
        ),
    ]
    for body, param in cases:
        refused = await api.client.post(path, json=body, headers=admin)
        assert refused.status_code == 400, (body, refused.text)
        assert refused.json()["error"]["param"] == param, (body, refused.text)
    assert (await api.client.get(path, headers=admin)).status_code == 404


async def test_a_worker_that_dies_before_the_confirm_leaves_it_to_the_next_one(
    api: Api, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    card = await _saved_card(api, admin, cus)
    invoice = await finalized(api, admin, shop, cus)
    made = await post(
        api, f"/v1/invoices/{invoice['id']}/installment_plan", admin, payment_method=card, count=2
    )
    assert made.status_code == 200, made.text

    async def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the worker process died")

    with monkeypatch.context() as patched:
        patched.setattr(installments_service.flow, "confirm_payment_intent", crash)
        with pytest.raises(RuntimeError):
            await run_once(api.container, only=JOB)
    first = (await _plan(api, admin, invoice["id"]))["installments"][0]
    assert (first["status"], first["payment_intent"] is not None) == ("processing", True)
    assert await run_once(api.container, only=JOB) == {"charge_installments": 0}  # leased
    clock.advance(minutes=6)
    assert await run_once(api.container, only=JOB) == {"charge_installments": 1}
    first = (await _plan(api, admin, invoice["id"]))["installments"][0]
    assert (first["status"], first["attempt_count"]) == ("succeeded", 1)
    assert await _sim_charge_count(api, await _plan(api, admin, invoice["id"])) == 1
    clock.advance(minutes=6)
    assert await run_once(api.container, only=JOB) == {"charge_installments": 0}
    await verified(api)
