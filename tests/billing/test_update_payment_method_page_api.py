"""The update-your-payment-method link of dunning, on a test clock: a card that starts
failing (4000000000000341) puts the subscription in dunning with a link in the events;
the customer saves a new card through the hosted page (a SetupIntent) before the last
retry, and the open invoice is paid at once, the subscription active again."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from support.app import Api
from support.billing import (
    DAY,
    HOUR,
    RENEWAL,
    advance,
    events,
    failing_subscription,
    get,
    invoices_of,
    renewal,
)
from support.refunds import verified

FIELD = "update_payment_method_url"


def _path(url: str) -> str:
    return urlsplit(url).path


async def _link(api: Api, admin: dict[str, str], sub: dict[str, Any]) -> str:
    """The newest link of the subscription's dunning events."""
    updates = await events(api, admin, "customer.subscription.updated")
    urls = [
        e["data"]["object"][FIELD]
        for e in updates
        if e["data"]["object"]["id"] == sub["id"] and FIELD in e["data"]["object"]
    ]
    assert urls, "no dunning event carried a link"
    return _path(urls[-1])


async def test_the_customer_saves_a_new_card_before_the_last_retry_and_the_invoice_is_paid(
    api: Api,
) -> None:
    admin, _shop, sub, clock = await failing_subscription(api)
    await advance(api, admin, clock["id"], RENEWAL + 4 * DAY)  # failed, retried once
    assert (await renewal(api, admin, sub))["attempt_count"] == 2
    path = await _link(api, admin, sub)
    assert path.startswith("/billing/update/")
    # the subscription object the API shows does not carry the secret link
    assert FIELD not in await get(api, f"/v1/subscriptions/{sub['id']}", admin)

    page = await api.client.get(path)  # in the customer's language (Ada's: German)
    assert page.status_code == 200
    assert "Zahlungsmethode aktualisieren" in page.text
    assert "Visa •••• 0341" in page.text  # the card on file
    assert "117,81" in page.text  # open: 10 x 9.90 EUR + 19 % VAT
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"

    declined = await api.client.post(
        path, data={"card_number": "4000 0000 0000 0002", "expiry": "12/34", "cvc": "123"}
    )
    assert declined.status_code == 402 and "Ihre Karte wurde abgelehnt" in declined.text

    saved = await api.client.post(
        path, data={"card_number": "5555 5555 5555 4444", "expiry": "12/34", "cvc": "123"}
    )
    assert saved.status_code == 303
    done = await api.client.get(saved.headers["location"])
    assert done.status_code == 200 and "ist bezahlt" in done.text, done.text

    invoice = await renewal(api, admin, sub)
    assert (invoice["status"], invoice["attempt_count"]) == ("paid", 3)
    now = await get(api, f"/v1/subscriptions/{sub['id']}", admin)
    assert now["status"] == "active"
    pm = await get(api, f"/v1/payment_methods/{now['default_payment_method']}", admin)
    assert (pm["card"]["last4"], pm["customer"]) == ("4444", sub["customer"])
    setups = await get(api, "/v1/setup_intents", admin, customer=sub["customer"])
    assert [s["status"] for s in setups["data"]] == ["succeeded", "requires_payment_method"]
    # nothing more is retried; the next renewal is charged to the new card
    await advance(api, admin, clock["id"], RENEWAL + 29 * DAY)
    assert [i["status"] for i in await invoices_of(api, admin, sub["id"])] == ["paid"] * 3
    await verified(api)


async def test_a_3ds_card_is_authenticated_on_the_way_and_a_failed_challenge_changes_nothing(
    api: Api,
) -> None:
    admin, _shop, sub, clock = await failing_subscription(api)
    await advance(api, admin, clock["id"], RENEWAL + HOUR)
    path = await _link(api, admin, sub)
    first = await api.client.post(
        path, data={"card_number": "4000 0027 6000 3184", "expiry": "12/34", "cvc": "123"}
    )
    assert first.status_code == 303 and first.headers["location"].startswith("/simulator/3ds/")
    challenge = first.headers["location"].split("?", 1)[0]
    failed = await api.client.post(challenge, data={"outcome": "fail"})
    assert failed.status_code == 303
    back = await api.client.get(
        _path(failed.headers["location"]) + "?" + urlsplit(failed.headers["location"]).query
    )
    assert back.status_code == 402 and "nicht bestätigt" in back.text
    assert (await get(api, f"/v1/subscriptions/{sub['id']}", admin))["status"] == "past_due"

    second = await api.client.post(
        path, data={"card_number": "4000 0025 0000 3155", "expiry": "12/34", "cvc": "123"}
    )
    challenge = second.headers["location"].split("?", 1)[0]
    passed = await api.client.post(challenge, data={"outcome": "complete"})
    target = urlsplit(passed.headers["location"])
    done = await api.client.get(f"{target.path}?{target.query}")
    assert done.status_code == 200 and "ist bezahlt" in done.text, done.text
    assert (await renewal(api, admin, sub))["status"] == "paid"
    assert (await get(api, f"/v1/subscriptions/{sub['id']}", admin))["status"] == "active"
    await verified(api)


async def test_links_refuse_unknown_tokens_and_ended_subscriptions(api: Api) -> None:
    missing = await api.client.get("/billing/update/not-a-token")
    assert missing.status_code == 404 and "Link not found" in missing.text
    admin, shop, sub, clock = await failing_subscription(api)
    await api.client.post(
        f"/v1/billing/dunning_settings/{shop['id']}",
        json={"retry_days": [1], "final_action": "canceled"},
        headers=admin,
    )
    await advance(api, admin, clock["id"], RENEWAL + HOUR)
    path = await _link(api, admin, sub)
    await advance(api, admin, clock["id"], RENEWAL + 2 * DAY)  # the last retry: canceled
    assert (await get(api, f"/v1/subscriptions/{sub['id']}", admin))["status"] == "canceled"
    gone = await api.client.get(path)
    assert gone.status_code == 410
    refused = await api.client.post(
        path, data={"card_number": "4242 4242 4242 4242", "expiry": "12/34", "cvc": "123"}
    )
    assert refused.status_code == 410
    assert (await get(api, "/v1/setup_intents", admin))["data"] == []


async def test_authentication_required_off_session_sends_the_link_with_the_action_event(
    api: Api,
) -> None:
    admin, _shop, _sub, clock = await failing_subscription(api, "pm_card_authenticationRequired")
    await advance(api, admin, clock["id"], RENEWAL + HOUR)
    action = await events(api, admin, "invoice.payment_action_required")
    assert len(action) == 1
    url = action[0]["data"]["object"][FIELD]
    assert (await api.client.get(_path(url))).status_code == 200
