"""The update-your-payment-method page with ``PAYMENTS_GATEWAY=stripe`` (the adapter
talking to the fake Stripe): the page carries Stripe's Payment Element in setup mode
(no raw card fields), and the PaymentMethod id Stripe.js creates in the browser is set up
through a SetupIntent at Stripe, becomes the subscription's default and pays the open
invoice."""

from __future__ import annotations

from urllib.parse import urlsplit

from payments.app.capabilities import verify_ledger
from support.app import Api
from support.billing import RENEWAL, advance, events, failing_subscription, get, renewal
from support.fake_stripe import FakeStripe
from support.stripe_service import PUBLISHABLE_KEY


async def test_a_card_from_the_payment_element_is_set_up_at_stripe_and_pays_the_invoice(
    stripe_pay_api: Api, fake_stripe: FakeStripe
) -> None:
    api = stripe_pay_api
    admin, _shop, sub, clock = await failing_subscription(api)
    await advance(api, admin, clock["id"], RENEWAL + 3600)
    assert (await get(api, f"/v1/subscriptions/{sub['id']}", admin))["status"] == "past_due"
    updates = await events(api, admin, "customer.subscription.updated")
    url = next(
        e["data"]["object"]["update_payment_method_url"]
        for e in reversed(updates)
        if "update_payment_method_url" in e["data"]["object"]
    )
    path = urlsplit(url).path

    page = await api.client.get(path)
    assert page.status_code == 200
    assert 'data-mode="setup"' in page.text
    assert f'data-publishable-key="{PUBLISHABLE_KEY}"' in page.text
    assert 'name="card_number"' not in page.text
    assert "https://js.stripe.com" in page.headers["content-security-policy"]

    saved = await api.client.post(path, data={"payment_method": "pm_card_mastercard"})
    assert saved.status_code == 303, saved.text
    done = await api.client.get(saved.headers["location"])
    assert done.status_code == 200 and "ist bezahlt" in done.text, done.text
    assert fake_stripe.count("setup_intent") == 1
    assert (await renewal(api, admin, sub))["status"] == "paid"
    assert (await get(api, f"/v1/subscriptions/{sub['id']}", admin))["status"] == "active"
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []
