"""The Stripe adapter's Terminal calls against the fake Stripe (built from Stripe's
``terminal.reader`` fixture): register Stripe's simulated reader, collect a card_present
PaymentIntent on it, show a cart, cancel, refund to the card; and the whole counter flow
through our API with Stripe's webhooks."""

from __future__ import annotations

from payments.app.capabilities import verify_ledger
from payments.gateways.protocol import (
    Cart,
    CartLine,
    GatewayInvalidRequest,
    ReaderPaymentRequest,
)
from payments.gateways.stripe import StripeGateway, mapping
from support.app import Api
from support.fake_stripe import FakeStripe
from support.stripe_events import StripeDeliveries
from support.terminal import counter_intent, reader


async def test_the_adapter_drives_a_reader(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    tmr = await stripe_gateway.register_reader(
        registration_code="simulated-wpe", label="Counter 1", location=None, idempotency_key="r1"
    )
    assert (tmr.device_type, tmr.status, tmr.action) == ("simulated_wisepos_e", "online", None)
    sent = fake_stripe.calls("POST", "/v1/terminal/readers")[0]
    assert sent.params["registration_code"] == "simulated-wpe"
    assert sent.headers["idempotency-key"] == "r1"

    waiting = await stripe_gateway.process_payment(
        tmr.reference,
        ReaderPaymentRequest(amount=12900, currency="eur", idempotency_key="tmra_1"),
    )
    assert waiting.action is not None
    assert (waiting.action.type, waiting.action.status) == ("process_payment_intent", "in_progress")
    pi_id = waiting.action.payment_intent or ""
    created = fake_stripe.calls("POST", "/v1/payment_intents")[0]
    assert created.params["payment_method_types"] == ["card_present"]
    assert created.headers["idempotency-key"] == "tmra_1-pi"

    busy = None
    try:
        await stripe_gateway.process_payment(
            tmr.reference,
            ReaderPaymentRequest(amount=500, currency="eur", idempotency_key="tmra_2"),
        )
    except GatewayInvalidRequest as exc:
        busy = exc.code
    assert busy == "terminal_reader_busy"

    with fake_stripe.lock:
        fake_stripe.state.present_payment_method(tmr.reference, {})
    done = await stripe_gateway.retrieve_reader(tmr.reference)
    assert done.action is not None and done.action.status == "succeeded"
    charge = await stripe_gateway.retrieve_charge(pi_id)
    assert charge.status == "succeeded"
    details = charge.payment_method_details
    assert details is not None and details.card_present is not None
    assert (details.card_present.brand, details.card_present.last4) == ("visa", "4242")
    receipt = details.card_present.receipt
    assert receipt is not None and receipt.dedicated_file_name == "A0000000031010"

    shown = await stripe_gateway.set_reader_display(
        tmr.reference,
        Cart(
            currency="eur",
            line_items=(CartLine(description="Display panel", amount=12900),),
            total=12900,
        ),
        idempotency_key="tmra_3",
    )
    assert shown.action is not None and shown.action.cart is not None
    assert shown.action.cart.total == 12900

    refunding = await stripe_gateway.refund_payment(
        tmr.reference, pi_id, amount=2900, idempotency_key="tmra_4"
    )
    assert refunding.action is not None and refunding.action.type == "refund_payment"
    canceled = await stripe_gateway.cancel_reader_action(tmr.reference, idempotency_key="c1")
    assert canceled.action is not None and canceled.action.failure_code == "canceled"

    token = await stripe_gateway.create_connection_token(location=None)
    assert token.startswith("pst_test_")


def test_a_reader_event_maps_to_the_reader_and_its_action() -> None:
    from support.fake_stripe_objects import event, template

    obj = template(
        "terminal.reader",
        action={
            "type": "process_payment_intent",
            "status": "failed",
            "failure_code": "card_declined",
            "failure_message": "Your card was declined.",
            "process_payment_intent": {"payment_intent": "pi_123"},
        },
    )
    mapped = mapping.gateway_event(event("terminal.reader.action_failed", obj, None))
    assert mapped.reader is not None and mapped.reader.action is not None
    assert mapped.reader.action.payment_intent == "pi_123"
    assert mapped.reader.action.failure_code == "card_declined"
    assert mapped.charge is None


async def test_the_counter_flow_on_stripe(
    stripe_api: Api, fake_stripe: FakeStripe, deliveries: StripeDeliveries
) -> None:
    api = stripe_api
    admin = await api.key("admin")
    shop = await api.location(admin)
    clerk = await api.key("clerk", location=shop["id"])
    tmr = await reader(api, clerk, shop)
    pi = await counter_intent(api, clerk, shop)
    sent = await api.client.post(
        f"/v1/terminal/readers/{tmr['id']}/process_payment_intent",
        json={"payment_intent": pi["id"]},
        headers=clerk,
    )
    assert sent.status_code == 200, sent.text
    gateway_reader = fake_stripe.calls("POST", "/v1/terminal/readers")[0]
    assert gateway_reader.params["label"] == "Counter 1"
    reader_ref = next(
        r.path.split("/")[4]
        for r in fake_stripe.requests
        if r.path.endswith("/process_payment_intent")
    )
    with fake_stripe.lock:
        fake_stripe.state.present_payment_method(reader_ref, {})
    delivered = await deliveries.deliver(api)
    assert "terminal.reader.action_succeeded" in delivered

    paid = (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=clerk)).json()
    assert paid["status"] == "succeeded"
    charge = (await api.client.get(f"/v1/charges/{paid['latest_charge']}", headers=clerk)).json()
    assert charge["payment_method_details"]["type"] == "card_present"
    assert charge["payment_method_details"]["card_present"]["receipt"]["authorization_code"]
    receipt = await api.client.get(f"/v1/charges/{paid['latest_charge']}/receipt", headers=clerk)
    assert receipt.status_code == 200
    assert "**** 4242" in receipt.text

    declined_pi = await counter_intent(api, clerk, shop, amount=5000)
    assert (
        await api.client.post(
            f"/v1/terminal/readers/{tmr['id']}/process_payment_intent",
            json={"payment_intent": declined_pi["id"]},
            headers=clerk,
        )
    ).status_code == 200
    with fake_stripe.lock:
        fake_stripe.state.present_payment_method(
            reader_ref, {"card_present": {"number": "4000000000000002"}}
        )
    await deliveries.deliver(api)
    declined = (
        await api.client.get(f"/v1/payment_intents/{declined_pi['id']}", headers=clerk)
    ).json()
    assert declined["status"] == "requires_payment_method"
    assert declined["last_payment_error"]["code"] == "card_declined"
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []
