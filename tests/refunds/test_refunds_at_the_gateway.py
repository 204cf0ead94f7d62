"""Refunds that the gateway settles later, fails later, cancels, or never receives:
their status moves only forwards and the ledger reverses what did not happen."""

from __future__ import annotations

from datetime import timedelta

from payments.app.capabilities import run_once
from payments.intents.repository import ChargeRepository
from support.app import Api
from support.refunds import (
    charge_of,
    event_types,
    ledger_kinds,
    paid,
    poll_gateway,
    refund,
    shop,
    verified,
)


def _sim(api: Api):  # type: ignore[no-untyped-def]
    return api.container.gateway


async def test_a_refund_that_fails_at_the_gateway_is_reversed_in_the_ledger(api: Api) -> None:
    admin, loc = await shop(api)
    pi = await paid(api, admin, loc["id"], amount=8000, method="pm_card_refundFail")
    made = (await refund(api, admin, payment_intent=pi["id"], amount=8000)).json()
    assert made["status"] == "succeeded"  # the card reports success first
    assert (await charge_of(api, admin, pi))["refunded"] is True

    api.container.clock.advance(_sim(api).settings.refund_failure_delay + timedelta(seconds=1))  # type: ignore[attr-defined]
    await run_once(api.container)  # every job, as a worker would
    failed = (await api.client.get(f"/v1/refunds/{made['id']}", headers=admin)).json()
    assert failed["status"] == "failed"
    assert failed["failure_reason"] == "declined"
    assert await ledger_kinds(api, admin, made["id"]) == [
        "refund.created",
        "refund.failed",
        "refund.succeeded",
        "reversal",
    ]
    charge = await charge_of(api, admin, pi)
    assert (charge["amount_refunded"], charge["refunded"]) == (0, False)
    assert "refund.failed" in await event_types(api, admin)
    accounts = {
        (a["account"], a["currency"]): a["balance"]
        for a in (await api.client.get("/v1/ledger/accounts", headers=admin)).json()["data"]
    }
    assert accounts[("revenue_clearing", "eur")] == -8000  # the payment is ours again
    assert accounts[("refunds_payable", "eur")] == 0
    # a replayed "succeeded" (e.g. a late event) cannot move it back
    await poll_gateway(api.container)
    again = (await api.client.get(f"/v1/refunds/{made['id']}", headers=admin)).json()
    assert again["status"] == "failed"
    retry = await refund(api, admin, payment_intent=pi["id"], amount=8000)
    assert retry.status_code == 200  # the failed refund no longer counts
    await verified(api)


async def test_a_pending_refund_settles_later(api: Api) -> None:
    admin, loc = await shop(api)
    pi = await paid(api, admin, loc["id"], amount=4000, method="pm_card_pendingRefund")
    made = (await refund(api, admin, payment_intent=pi["id"])).json()
    assert made["status"] == "pending"
    assert await ledger_kinds(api, admin, made["id"]) == ["refund.created"]
    await verified(api)  # refunds_payable holds the pending refund
    api.container.clock.advance(_sim(api).settings.refund_settlement_delay)  # type: ignore[attr-defined]
    await poll_gateway(api.container)
    settled = (await api.client.get(f"/v1/refunds/{made['id']}", headers=admin)).json()
    assert settled["status"] == "succeeded"
    assert await ledger_kinds(api, admin, made["id"]) == ["refund.created", "refund.succeeded"]
    await verified(api)


async def test_a_pending_sepa_refund_can_be_canceled_at_the_gateway(api: Api) -> None:
    admin, loc = await shop(api)
    sepa = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 6000,
            "location": loc["id"],
            "payment_method_types": ["sepa_debit"],
            "payment_method": "pm_success_de",
            "confirm": True,
        },
        headers=admin,
    )
    assert sepa.status_code == 200, sepa.text
    api.container.clock.advance(seconds=api.container.settings.simulator_sepa_settlement_seconds)  # type: ignore[attr-defined]
    await poll_gateway(api.container)
    pi = (await api.client.get(f"/v1/payment_intents/{sepa.json()['id']}", headers=admin)).json()
    assert pi["status"] == "succeeded"
    made = (await refund(api, admin, payment_intent=pi["id"], amount=2500)).json()
    assert made["status"] == "pending"  # SEPA refunds take a while
    canceled = await api.client.post(f"/v1/refunds/{made['id']}/cancel", headers=admin)
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["status"] == "canceled"
    assert await ledger_kinds(api, admin, made["id"]) == ["refund.created", "refund.failed"]
    assert (await charge_of(api, admin, pi))["amount_refunded"] == 0
    api.container.clock.advance(_sim(api).settings.refund_settlement_delay)  # type: ignore[attr-defined]
    await poll_gateway(api.container)  # the gateway never settles it now
    still = (await api.client.get(f"/v1/refunds/{made['id']}", headers=admin)).json()
    assert still["status"] == "canceled"
    await verified(api)


async def test_a_refund_the_gateway_never_received_fails_and_can_be_retried(api: Api) -> None:
    admin, loc = await shop(api)
    pi = await paid(api, admin, loc["id"], amount=3000)
    await _sim(api).set_fault("http_500", operation="refund")  # type: ignore[attr-defined]
    down = await refund(api, admin, payment_intent=pi["id"], amount=3000)
    assert down.status_code == 502
    assert down.json()["error"]["code"] == "gateway_unavailable"
    (failed,) = (await api.client.get("/v1/refunds", headers=admin)).json()["data"]
    assert (failed["status"], failed["failure_reason"]) == ("failed", "gateway_unavailable")
    assert (await charge_of(api, admin, pi))["amount_refunded"] == 0
    retried = await refund(api, admin, payment_intent=pi["id"], amount=3000)
    assert retried.status_code == 200
    assert retried.json()["status"] == "succeeded"
    await verified(api)


async def test_a_lost_refund_answer_is_settled_by_the_recovery_job_exactly_once(api: Api) -> None:
    admin, loc = await shop(api)
    pi = await paid(api, admin, loc["id"], amount=3000)
    await _sim(api).set_fault("lost_response", operation="refund")  # type: ignore[attr-defined]
    unknown = await refund(api, admin, payment_intent=pi["id"], amount=1200)
    assert unknown.status_code == 200, unknown.text
    assert unknown.json()["status"] == "pending"  # it reached the gateway; the answer did not
    over = await refund(api, admin, payment_intent=pi["id"], amount=1801)
    assert over.json()["error"]["code"] == "amount_too_large"  # still reserved
    api.container.clock.advance(minutes=1)  # type: ignore[attr-defined]
    await run_once(api.container, only={"recover_gateway_attempts"})
    settled = (await api.client.get(f"/v1/refunds/{unknown.json()['id']}", headers=admin)).json()
    assert settled["status"] == "succeeded"
    gateway_charge = await _sim(api).retrieve_charge(await _gateway_ref(api, pi))  # type: ignore[attr-defined]
    assert gateway_charge.amount_refunded == 1200  # refunded once at the gateway
    await verified(api)


async def _gateway_ref(api: Api, pi: dict[str, object]) -> str:
    async with api.container.uow_factory() as uow:
        charge = await uow.repo(ChargeRepository).get(str(pi["latest_charge"]))
    assert charge is not None and charge.gateway_ref is not None
    return charge.gateway_ref
