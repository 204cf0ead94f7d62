"""3-D Secure, manual capture, cancel, refunds and disputes on the simulator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from payments.gateways.protocol import ChargeRequest, GatewayInvalidRequest
from payments.gateways.simulator import SimulatorGateway
from payments.kernel.clock import FrozenClock


def request(pm: str, key: str, **kwargs) -> ChargeRequest:
    return ChargeRequest(
        amount=kwargs.pop("amount", 5000),
        currency="eur",
        payment_method=pm,
        idempotency_key=key,
        **kwargs,
    )


async def event_types(gateway: SimulatorGateway) -> list[str]:
    return [event.type for event in (await gateway.list_events(limit=100)).events]


@pytest.mark.parametrize(
    "pm",
    [
        "pm_card_authenticationRequired",
        "pm_card_threeDSecure2Required",
        "pm_card_authenticationRequiredOnSetup",
    ],
)
async def test_3ds_card_requires_action_then_succeeds_when_completed(
    gateway: SimulatorGateway, key: Callable[[], str], pm: str
) -> None:
    started = await gateway.charge(request(pm, key(), return_url="https://shop.example/back"))
    assert started.status == "requires_action"
    assert started.redirect_url is not None
    assert started.reference in started.redirect_url
    assert "return_url=https%3A%2F%2Fshop.example%2Fback" in started.redirect_url

    done = await gateway.complete_action(started.reference, succeed=True)
    assert (done.status, done.amount_received, done.redirect_url) == ("succeeded", 5000, None)
    assert await event_types(gateway) == ["payment_intent.requires_action", "charge.succeeded"]


async def test_failed_3ds_challenge_is_a_decline(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    started = await gateway.charge(request("pm_card_authenticationRequired", key()))
    failed = await gateway.complete_action(started.reference, succeed=False)
    assert failed.status == "failed"
    assert failed.decline is not None
    assert failed.decline.code == "payment_intent_authentication_failure"
    assert (await gateway.retrieve_charge(started.reference)).status == "failed"
    with pytest.raises(GatewayInvalidRequest):
        await gateway.complete_action(started.reference, succeed=True)


async def test_3ds_with_manual_capture_authorizes_after_the_challenge(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    started = await gateway.charge(
        request("pm_card_authenticationRequired", key(), capture_method="manual")
    )
    done = await gateway.complete_action(started.reference)
    assert (done.status, done.amount_capturable) == ("requires_capture", 5000)


async def test_3ds_card_declined_after_authentication(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    started = await gateway.charge(
        request("pm_card_authenticationRequiredChargeDeclinedInsufficientFunds", key())
    )
    done = await gateway.complete_action(started.reference)
    assert done.status == "failed"
    assert done.decline is not None and done.decline.decline_code == "insufficient_funds"


async def test_refund_of_the_refund_fail_card_succeeds_then_fails_later(
    gateway: SimulatorGateway, key: Callable[[], str], clock: FrozenClock
) -> None:
    paid = await gateway.charge(request("pm_card_refundFail", key()))
    refund = await gateway.refund(paid.reference, idempotency_key=key())
    assert refund.status == "succeeded"
    assert await gateway.process_due() == 0

    clock.advance(gateway.settings.refund_failure_delay)
    page = await gateway.list_events()
    updates = [e for e in page.events if e.type in ("refund.updated", "refund.failed")]
    assert [e.type for e in updates] == ["refund.updated", "refund.failed"]
    assert updates[0].refund is not None and updates[0].refund.status == "failed"
    assert updates[0].refund.failure_reason == "declined"
    assert (await gateway.retrieve_charge(paid.reference)).amount_refunded == 0


async def test_refund_of_the_pending_refund_card_is_pending_then_succeeds(
    gateway: SimulatorGateway, key: Callable[[], str], clock: FrozenClock
) -> None:
    paid = await gateway.charge(request("pm_card_pendingRefund", key()))
    refund = await gateway.refund(paid.reference, idempotency_key=key())
    assert refund.status == "pending"
    clock.advance(gateway.settings.refund_settlement_delay)
    events = (await gateway.list_events()).events
    assert events[-1].type == "refund.updated"
    assert events[-1].refund is not None and events[-1].refund.status == "succeeded"


async def test_dispute_card_succeeds_then_is_disputed(
    gateway: SimulatorGateway, key: Callable[[], str], clock: FrozenClock
) -> None:
    paid = await gateway.charge(request("pm_card_createDispute", key()))
    assert paid.status == "succeeded" and not paid.disputed
    clock.advance(timedelta(seconds=1))
    events = (await gateway.list_events()).events
    assert [e.type for e in events] == [
        "charge.succeeded",
        "charge.dispute.created",
        "charge.dispute.funds_withdrawn",
    ]
    dispute = events[1].dispute
    assert dispute is not None
    assert (dispute.charge, dispute.amount, dispute.reason) == (paid.reference, 5000, "fraudulent")
    assert (await gateway.retrieve_charge(paid.reference)).disputed
    with pytest.raises(GatewayInvalidRequest) as refused:
        await gateway.refund(paid.reference, idempotency_key=key())
    assert refused.value.code == "charge_disputed"


async def test_the_warning_card_succeeds_then_gets_an_early_fraud_warning(
    gateway: SimulatorGateway, key: Callable[[], str], clock: FrozenClock
) -> None:
    paid = await gateway.charge(request("pm_card_createIssuerFraudRecord", key()))
    assert paid.status == "succeeded" and not paid.disputed
    clock.advance(timedelta(seconds=1))
    events = (await gateway.list_events()).events
    assert [e.type for e in events] == ["charge.succeeded", "radar.early_fraud_warning.created"]
    warning = events[1].early_fraud_warning
    assert warning is not None and warning.reference.startswith("issfr_")
    assert (warning.charge, warning.fraud_type, warning.actionable) == (
        paid.reference,
        "made_with_stolen_card",
        True,
    )
    assert await gateway.retrieve_early_fraud_warning(warning.reference) == warning
    # a partial refund leaves it actionable; the rest of the amount ends it
    await gateway.refund(paid.reference, amount=1000, idempotency_key=key())
    assert "radar.early_fraud_warning.updated" not in await event_types(gateway)
    await gateway.refund(paid.reference, idempotency_key=key())
    updated = (await gateway.list_events(limit=100)).events[-1]
    assert updated.type == "radar.early_fraud_warning.updated"
    assert updated.early_fraud_warning is not None
    assert updated.early_fraud_warning.actionable is False
    # the test hook gives the same warning again, never a second one
    again = await gateway.create_early_fraud_warning(paid.reference)
    assert again.reference == warning.reference and again.actionable is False


async def test_an_early_fraud_warning_needs_a_succeeded_card_charge_and_a_known_fraud_type(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    declined = await gateway.charge(request("pm_card_chargeDeclined", key()))
    with pytest.raises(GatewayInvalidRequest) as refused:
        await gateway.create_early_fraud_warning(declined.reference)
    assert (refused.value.code, refused.value.param) == ("charge_unexpected_state", "charge")
    paid = await gateway.charge(request("pm_card_visa", key()))
    with pytest.raises(GatewayInvalidRequest) as bad_type:
        await gateway.create_early_fraud_warning(paid.reference, "stolen")
    assert bad_type.value.param == "fraud_type"
    with pytest.raises(GatewayInvalidRequest) as missing:
        await gateway.retrieve_early_fraud_warning("issfr_nope")
    assert missing.value.code == "resource_missing"
