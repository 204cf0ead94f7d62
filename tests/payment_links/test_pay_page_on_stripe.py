"""The pay page with ``PAYMENTS_GATEWAY=stripe`` (the adapter talking to a fake Stripe):
the page carries Stripe's Payment Element (publishable key, amount, currency; Stripe.js
allowed by its Content-Security-Policy, no raw card fields), and the PaymentMethod id
Stripe.js creates in the browser pays the invoice through the service."""

from __future__ import annotations

from payments.app.capabilities import verify_ledger
from support.app import Api
from support.payment_links import new_link, open_invoice, path_of
from support.stripe_service import PUBLISHABLE_KEY


async def test_the_page_carries_stripes_payment_element_and_no_card_fields(
    stripe_pay_api: Api,
) -> None:
    api = stripe_pay_api
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)

    page = await api.client.get(path_of(link))

    assert page.status_code == 200
    html = page.text
    assert f'data-publishable-key="{PUBLISHABLE_KEY}"' in html
    assert 'data-amount="29631"' in html and 'data-currency="eur"' in html
    assert '<script src="https://js.stripe.com/v3/"></script>' in html
    assert '<script src="/pay/static/stripe-element.js"></script>' in html
    assert 'name="payment_method"' in html
    assert "Card number" not in html and 'name="card_number"' not in html
    csp = page.headers["content-security-policy"]
    assert "script-src 'self' https://js.stripe.com" in csp
    assert "frame-src https://js.stripe.com" in csp
    assert "unsafe-inline" not in csp
    script = await api.client.get("/pay/static/stripe-element.js")
    assert script.status_code == 200
    assert "createPaymentMethod" in script.text


async def test_the_payment_method_stripe_js_created_pays_the_invoice(
    stripe_pay_api: Api,
) -> None:
    api = stripe_pay_api
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)
    page = (await api.client.get(path_of(link))).text
    nonce = page.split('name="nonce" value="', 1)[1].split('"', 1)[0]

    paid = await api.client.post(
        path_of(link), data={"nonce": nonce, "payment_method": "pm_card_visa"}
    )

    assert paid.status_code == 303, paid.text
    receipt = await api.client.get(path_of(link))
    assert "Payment received" in receipt.text
    now = (await api.client.get(f"/v1/invoices/{invoice['id']}", headers=admin)).json()
    assert (now["status"], now["amount_paid"]) == ("paid", 29631)
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_raw_card_numbers_are_never_taken_with_stripe(stripe_pay_api: Api) -> None:
    api = stripe_pay_api
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)
    answer = await api.client.post(
        path_of(link),
        data={
            "nonce": "abcdefgh1234",
            "card_number": "4242424242424242",
            "expiry": "12/34",
            "cvc": "123",
        },
    )
    assert answer.status_code == 400
    assert "This card cannot be used" in answer.text
    intents = await api.client.get("/v1/payment_intents", headers=admin)
    assert intents.json()["data"] == []
