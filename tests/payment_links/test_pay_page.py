"""The hosted pay page through the in-process client: what it shows (in the customer's
language), its security headers, paying with the simulator's test cards (a decline, a
double submit), and the plain pages for unknown, expired and deactivated links."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

import httpx
import pytest

from payments.app.capabilities import verify_ledger
from payments.kernel.clock import FrozenClock, to_unix
from support.app import Api
from support.invoices import post
from support.local_methods import settle
from support.payment_links import new_link, open_invoice, path_of

VISA = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"


def _nonce(page: str) -> str:
    found = re.search(r'name="nonce" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


async def _pay(
    api: Api, path: str, number: str = VISA, nonce: str | None = None, **fields: str
) -> httpx.Response:
    if nonce is None:
        nonce = _nonce((await api.client.get(path)).text)
    form = {"card_number": number, "expiry": "12/34", "cvc": "123", "nonce": nonce} | fields
    return await api.client.post(path, data=form)


async def _invoice(api: Api, headers: dict[str, str], invoice: dict[str, Any]) -> dict[str, Any]:
    response = await api.client.get(f"/v1/invoices/{invoice['id']}", headers=headers)
    return response.json()  # type: ignore[no-any-return]


async def test_the_page_shows_the_invoice_and_how_to_pay_it_with_strict_headers(
    api: Api,
) -> None:
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)

    page = await api.client.get(path_of(link), headers={"Accept-Language": "en-GB"})

    assert page.status_code == 200
    html = page.text
    assert '<html lang="en">' in html
    assert f"Pay invoice {invoice['number']}" in html
    assert "MyComputer Deutschland GmbH" in html
    assert "Labour: replace display" in html and "Display panel 13.3in" in html
    assert "VAT 19%" in html
    assert "€249.00" in html  # 1.5 h x 80.00 + 129.00
    assert "€47.31" in html  # 19 % VAT
    assert "€296.31" in html
    assert "DE89370400440532013000" in html
    assert re.search(r'id="payment-reference">RF\d\d( [A-Z0-9]{1,4})+<', html)
    assert "<svg" in html and 'role="img"' in html
    for label in ("Card number", "Expiry (MM/YY)", "CVC"):
        assert f">{label}</label>" in html
    assert "Pay €296.31" in html
    assert "<script" not in html and "style=" not in html
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "style-src 'self'" in csp
    assert "script-src" not in csp and "unsafe-inline" not in csp
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    css = await api.client.get("/pay/static/pay.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in css.text


async def test_the_page_speaks_the_customers_preferred_language(api: Api) -> None:
    admin, invoice = await open_invoice(api, locales=["de-DE"])
    link = await new_link(api, admin, invoice)
    html = (await api.client.get(path_of(link), headers={"Accept-Language": "en"})).text
    assert '<html lang="de">' in html
    assert f"Rechnung {invoice['number']} bezahlen" in html
    assert "296,31\xa0€" in html
    assert ">Kartennummer</label>" in html


async def test_without_preferred_locales_the_browsers_language_is_used(api: Api) -> None:
    admin, invoice = await open_invoice(api, locales=[])
    link = await new_link(api, admin, invoice)
    html = (
        await api.client.get(path_of(link), headers={"Accept-Language": "fr;q=1, de;q=0.8"})
    ).text
    assert '<html lang="de">' in html


async def test_paying_with_a_test_card_pays_the_invoice_and_shows_the_receipt(
    api: Api,
) -> None:
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)

    paid = await _pay(api, path_of(link))

    assert paid.status_code == 303, paid.text
    assert paid.headers["location"] == path_of(link)
    receipt = await api.client.get(path_of(link))
    assert receipt.status_code == 200
    assert "Payment received" in receipt.text
    assert f"Invoice {invoice['number']} is paid." in receipt.text
    assert "Visa •••• 4242" in receipt.text
    now = await _invoice(api, admin, invoice)
    assert (now["status"], now["amount_paid"], now["amount_remaining"]) == ("paid", 29631, 0)
    intent = await api.client.get(f"/v1/payment_intents/{now['payment_intent']}", headers=admin)
    assert intent.json()["metadata"]["payment_link"] == link["id"]
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_a_double_submit_of_the_same_form_charges_once(api: Api) -> None:
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)
    nonce = _nonce((await api.client.get(path_of(link))).text)

    first = await _pay(api, path_of(link), nonce=nonce)
    second = await _pay(api, path_of(link), nonce=nonce)

    assert (first.status_code, second.status_code) == (303, 303)
    charges = await api.client.get("/v1/charges", headers=admin)
    assert len(charges.json()["data"]) == 1
    assert (await _invoice(api, admin, invoice))["amount_paid"] == 29631
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_a_declined_card_is_told_plainly_and_another_card_can_be_tried(api: Api) -> None:
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)

    declined = await _pay(api, path_of(link), DECLINED)

    assert declined.status_code == 402
    assert "Your card was declined. Check the details or use another card." in declined.text
    assert 'role="alert"' in declined.text and "Traceback" not in declined.text
    assert (await _invoice(api, admin, invoice))["status"] == "open"

    retried = await _pay(api, path_of(link), VISA, nonce=_nonce(declined.text))
    assert retried.status_code == 303
    assert (await _invoice(api, admin, invoice))["status"] == "paid"
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_bad_card_fields_name_the_field_and_charge_nothing(api: Api) -> None:
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)
    cases = [
        ({"card_number": "4242"}, "Enter the card number"),
        ({"expiry": "13/34"}, "Enter the expiry date as MM/YY"),
        ({"expiry": "1234"}, "Enter the expiry date as MM/YY"),
        ({"cvc": "1"}, "Enter the CVC"),
    ]
    for fields, message in cases:
        answer = await _pay(api, path_of(link), **fields)
        assert answer.status_code == 400
        assert message in answer.text
        assert 'aria-invalid="true"' in answer.text
    charges = await api.client.get("/v1/charges", headers=admin)
    assert charges.json()["data"] == []


async def test_an_unknown_an_expired_and_a_deactivated_link_get_plain_pages(
    api: Api, clock: FrozenClock
) -> None:
    admin, invoice = await open_invoice(api)
    unknown = await api.client.get("/pay/not-a-token")
    assert unknown.status_code == 404
    assert "Payment link not found" in unknown.text

    soon = to_unix(clock.now() + timedelta(hours=1))
    expiring = await new_link(api, admin, invoice, expires_at=soon)
    clock.advance(timedelta(hours=1))
    expired = await api.client.get(path_of(expiring))
    assert expired.status_code == 410
    assert "Payment link expired" in expired.text and "<form" not in expired.text
    paid_anyway = await _pay(api, path_of(expiring), nonce="abcdefgh12345")
    assert paid_anyway.status_code == 410
    assert (await api.client.get(path_of(expiring) + "/invoice.pdf")).status_code == 410

    link = await new_link(api, admin, invoice)
    await post(api, f"/v1/payment_links/{link['id']}", admin, active=False)
    deactivated = await api.client.get(path_of(link))
    assert deactivated.status_code == 410
    assert "no longer active" in deactivated.text
    assert (await _invoice(api, admin, invoice))["status"] == "open"
    for answer in (unknown, expired, deactivated):
        assert "Traceback" not in answer.text
        assert answer.headers["content-security-policy"].startswith("default-src 'none'")


async def test_the_invoice_pdf_downloads_from_the_page(api: Api) -> None:
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)
    pdf = await api.client.get(path_of(link) + "/invoice.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert f'filename="{invoice["number"]}.pdf"' in pdf.headers["content-disposition"]


async def test_the_access_log_never_shows_a_links_token(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)
    token = path_of(link).removeprefix("/pay/")
    capsys.readouterr()
    await api.client.get(path_of(link))
    await api.client.get(path_of(link) + "/invoice.pdf")
    logged = capsys.readouterr().out
    assert "/pay/[redacted]" in logged and "/pay/[redacted]/invoice.pdf" in logged
    assert token not in logged


THREE_D_SECURE = "4000 0027 6000 3184"


async def test_a_3d_secure_card_goes_through_the_challenge_page_and_back_to_the_receipt(
    api: Api,
) -> None:
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)

    challenged = await _pay(api, path_of(link), THREE_D_SECURE)
    assert challenged.status_code == 303, challenged.text
    challenge = challenged.headers["location"]
    assert challenge.startswith("/simulator/3ds/")
    # back on the link meanwhile: the page offers to continue, not to pay twice
    waiting = await api.client.get(path_of(link))
    assert "Continue authentication with your bank" in waiting.text
    assert "<form" not in waiting.text

    answered = await api.client.post(challenge, data={"outcome": "complete"})
    assert answered.status_code == 303
    back = answered.headers["location"]
    assert back.startswith(f"http://testserver{path_of(link)}/return?payment_intent=pi_")
    returned = await api.client.get(back)
    assert returned.status_code == 303
    assert returned.headers["location"] == path_of(link)
    assert "Payment received" in (await api.client.get(path_of(link))).text
    assert (await _invoice(api, admin, invoice))["status"] == "paid"
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_a_failed_challenge_shows_why_and_lets_the_customer_pay_again(api: Api) -> None:
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)
    challenged = await _pay(api, path_of(link), THREE_D_SECURE)
    answered = await api.client.post(challenged.headers["location"], data={"outcome": "fail"})

    returned = await api.client.get(answered.headers["location"])

    assert returned.status_code == 200
    assert "was not authenticated with your bank" in returned.text
    retried = await _pay(api, path_of(link), VISA, nonce=_nonce(returned.text))
    assert retried.status_code == 303
    assert (await _invoice(api, admin, invoice))["status"] == "paid"
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_a_swiss_customer_pays_with_twint_on_its_page_and_gets_the_receipt(
    api: Api, clock: FrozenClock
) -> None:
    admin, invoice = await open_invoice(api, country="CH")
    assert invoice["currency"] == "chf"
    link = await new_link(api, admin, invoice)
    page = await api.client.get(path_of(link))
    assert '<button type="submit" class="local" name="method" value="twint">' in page.text
    assert "Pay with TWINT" in page.text

    chosen = await api.client.post(
        path_of(link) + "/local", data={"nonce": _nonce(page.text), "method": "twint"}
    )
    assert chosen.status_code == 303, chosen.text
    twint_page = chosen.headers["location"]
    assert twint_page.startswith("/simulator/twint/")
    authorized = await api.client.post(twint_page, data={"outcome": "authorize"})
    assert authorized.status_code == 303
    assert "redirect_status=succeeded" in authorized.headers["location"]
    back = await api.client.get(authorized.headers["location"])
    assert back.status_code == 200
    assert "Payment processing" in back.text

    await settle(api, clock)
    receipt = await api.client.get(path_of(link))
    assert "Payment received" in receipt.text
    now = await _invoice(api, admin, invoice)
    assert (now["status"], now["amount_remaining"]) == ("paid", 0)
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_a_method_the_shop_does_not_offer_is_refused(api: Api) -> None:
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)
    page = await api.client.get(path_of(link))
    assert 'value="twint"' not in page.text
    refused = await api.client.post(
        path_of(link) + "/local", data={"nonce": _nonce(page.text), "method": "twint"}
    )
    assert refused.status_code == 400
    assert "This payment method is not available for this invoice." in refused.text
    assert (await _invoice(api, admin, invoice))["status"] == "open"
    intents = await api.client.get("/v1/payment_intents", headers=admin)
    assert intents.json()["data"] == []


async def test_two_submits_at_once_from_two_tabs_charge_the_invoice_once(api: Api) -> None:
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)
    first_tab = _nonce((await api.client.get(path_of(link))).text)
    second_tab = _nonce((await api.client.get(path_of(link))).text)

    answers = await asyncio.gather(
        _pay(api, path_of(link), nonce=first_tab), _pay(api, path_of(link), nonce=second_tab)
    )

    # one pays; the other waits for the invoice, finds its payment under way (or done)
    # and says so instead of charging again
    paid, other = sorted(answers, key=lambda a: a.status_code != 303)
    assert paid.status_code == 303
    assert other.status_code in (200, 303)
    if other.status_code == 200:
        assert "Payment processing" in other.text or "Payment received" in other.text
    charges = (await api.client.get("/v1/charges", headers=admin)).json()["data"]
    assert [c["status"] for c in charges if c["status"] == "succeeded"] == ["succeeded"]
    now = await _invoice(api, admin, invoice)
    assert (now["status"], now["amount_paid"]) == ("paid", 29631)
    assert "Payment received" in (await api.client.get(path_of(link))).text
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_klarna_is_offered_in_germany_with_the_invoices_billing_details(
    api: Api, clock: FrozenClock
) -> None:
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)
    page = await api.client.get(path_of(link))
    assert "Pay with Klarna" in page.text

    chosen = await api.client.post(
        path_of(link) + "/local", data={"nonce": _nonce(page.text), "method": "klarna"}
    )
    assert chosen.status_code == 303, chosen.text
    assert chosen.headers["location"].startswith("/simulator/klarna/")
    pi_id = (await _invoice(api, admin, invoice))["payment_intent"]
    intent = (await api.client.get(f"/v1/payment_intents/{pi_id}", headers=admin)).json()
    method = (
        await api.client.get(f"/v1/payment_methods/{intent['payment_method']}", headers=admin)
    ).json()
    assert method["billing_details"]["email"] == "ada@example.com"
    assert method["billing_details"]["address"]["country"] == "DE"

    failed = await api.client.post(chosen.headers["location"], data={"outcome": "fail"})
    back = await api.client.get(failed.headers["location"])
    assert "The payment was not authorized" in back.text
    await settle(api, clock)
    again = await api.client.get(path_of(link))
    assert ">Card number</label>" in again.text  # pay another way
    assert (await _invoice(api, admin, invoice))["status"] == "open"
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_the_page_keeps_a_browser_id_and_fraud_counts_the_cards_tried_from_it(
    api: Api,
) -> None:
    """The pay page's device cookie is the payment's Radar session: a shop's rule on the
    distinct cards tried from one browser blocks the next card from it."""
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)
    rule = await api.client.post(
        "/v1/fraud/rules",
        json={
            "action": "block",
            "predicate": ":cards_per_device_24h: >= 2",
            "location": invoice["location"],
        },
        headers=admin,
    )
    assert rule.status_code == 200, rule.text
    page = await api.client.get(path_of(link))
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("pay_device=") and "HttpOnly" in cookie and "Path=/pay" in cookie

    declined = await _pay(api, path_of(link), DECLINED, nonce=_nonce(page.text))
    assert declined.status_code == 402
    assert "set-cookie" not in (await api.client.get(path_of(link))).headers  # kept
    blocked = await _pay(api, path_of(link), VISA, nonce=_nonce(declined.text))
    assert blocked.status_code == 402  # a second card from the same browser
    assert (await _invoice(api, admin, invoice))["status"] == "open"
    intents = (
        await api.client.get("/v1/payment_intents", params={"limit": 5}, headers=admin)
    ).json()["data"]
    charge = (
        await api.client.get(f"/v1/charges/{intents[0]['latest_charge']}", headers=admin)
    ).json()
    assert (charge["outcome"]["type"], charge["outcome"]["rule"]) == ("blocked", rule.json()["id"])
    api.client.cookies.clear()  # another browser
    other = await _pay(api, path_of(link), VISA)
    assert other.status_code == 303
    assert (await _invoice(api, admin, invoice))["status"] == "paid"
