"""Fraud reviews in the dashboard, on both databases: the held payment with its amount,
risk and reasons; approve (captures) and cancel (releases), each confirmed first; only
finance and admin (fraud's manage_fraud), each kept to their shop."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from payments.app.capabilities import verify_ledger
from support.app import Api
from support.dashboard import csrf_of, sign_in, staff_user
from support.refunds import shop


async def held_payment(api: Api, headers: dict[str, str], location: dict[str, Any]) -> Any:
    """A payment of 49.99 EUR that a review rule holds (Stripe's elevated-risk test card)."""
    rule = await api.client.post(
        "/v1/fraud/rules",
        json={"action": "review", "predicate": ":risk_level: = 'elevated'"},
        headers=headers,
    )
    assert rule.status_code == 200, rule.text
    held = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 4999,
            "location": location["id"],
            "payment_method": "pm_card_riskLevelElevated",
            "confirm": True,
        },
        headers=headers,
    )
    assert held.status_code == 200 and held.json()["status"] == "requires_capture", held.text
    return held.json()


async def review_of(api: Api, headers: dict[str, str], pi_id: str) -> Any:
    found = (await api.client.get("/v1/reviews", headers=headers)).json()["data"]
    return next(r for r in found if r["payment_intent"] == pi_id)


async def confirmed(client: httpx.AsyncClient, url: str, csrf: str) -> httpx.Response:
    first = await client.post(url, data={"csrf_token": csrf})
    assert first.status_code == 200, first.text
    assert 'name="confirmed" value="yes"' in first.text  # the confirmation page
    return await client.post(url, data={"csrf_token": csrf_of(first.text), "confirmed": "yes"})


async def test_finance_sees_the_held_payment_and_approves_it_which_captures_it(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    admin, location = await shop(api)
    pi = await held_payment(api, admin, location)
    review = await review_of(api, admin, pi["id"])
    await sign_in(browserless, await staff_user(api.container, "finance"))

    home = await browserless.get("/dashboard")
    assert "Fraud reviews open: 1" in home.text and 'href="/dashboard/reviews"' in home.text
    page = await browserless.get("/dashboard/reviews")
    assert page.status_code == 200, page.text
    assert pi["id"] in page.text and "€49.99" in page.text
    assert "Elevated" in page.text and ">68<" in page.text  # level and score
    # the reasons, heaviest first, each with its value and the points it added
    assert page.text.index("Test card: elevated (+58)") < page.text.index(
        "Card country not shop country: US/DE (+10)"
    )

    first = await browserless.post(
        f"/dashboard/reviews/{review['id']}/approve", data={"csrf_token": csrf_of(page.text)}
    )
    assert "Approve the payment?" in first.text
    after_question = await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=admin)
    assert after_question.json()["status"] == "requires_capture"  # nothing before confirming
    done = await confirmed(
        browserless, f"/dashboard/reviews/{review['id']}/approve", csrf_of(page.text)
    )
    assert done.status_code == 303 and done.headers["location"].endswith("done=approved")
    shown = await browserless.get(done.headers["location"])
    assert "the payment was captured" in shown.text and pi["id"] not in shown.text

    captured = (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=admin)).json()
    assert (captured["status"], captured["amount_received"]) == ("succeeded", 4999)
    closed = (await api.client.get(f"/v1/reviews/{review['id']}", headers=admin)).json()
    assert (closed["open"], closed["closed_reason"]) == (False, "approved")
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_an_admin_cancels_a_held_payment_as_fraudulent(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    admin, location = await shop(api)
    pi = await held_payment(api, admin, location)
    review = await review_of(api, admin, pi["id"])
    await sign_in(browserless, await staff_user(api.container, "admin"))
    page = await browserless.get("/dashboard/reviews")
    done = await confirmed(
        browserless, f"/dashboard/reviews/{review['id']}/cancel", csrf_of(page.text)
    )
    assert done.status_code == 303, done.text
    released = (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=admin)).json()
    assert (released["status"], released["cancellation_reason"]) == ("canceled", "fraudulent")
    assert released["amount_received"] == 0
    closed = (await api.client.get(f"/v1/reviews/{review['id']}", headers=admin)).json()
    assert closed["closed_reason"] == "canceled"
    again = await browserless.post(
        f"/dashboard/reviews/{review['id']}/approve",
        data={"csrf_token": csrf_of(page.text), "confirmed": "yes"},
    )
    assert again.status_code == 400 and "closed" in again.text  # a closed review stays closed


async def test_a_clerk_may_not_see_or_decide_reviews_and_finance_only_its_shops(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    admin, berlin = await shop(api)
    munich = await api.location(admin, name="München")
    pi = await held_payment(api, admin, munich)
    review = await review_of(api, admin, pi["id"])

    await sign_in(browserless, await staff_user(api.container, "clerk"))
    home = await browserless.get("/dashboard")
    assert "Fraud reviews" not in home.text  # neither the card nor the menu entry
    assert (await browserless.get("/dashboard/reviews")).status_code == 403
    refused = await browserless.post(
        f"/dashboard/reviews/{review['id']}/approve",
        data={"csrf_token": csrf_of(home.text), "confirmed": "yes"},
    )
    assert refused.status_code == 403
    await browserless.post("/dashboard/logout", data={"csrf_token": csrf_of(home.text)})

    await sign_in(browserless, await staff_user(api.container, "finance", location=berlin["id"]))
    listed = await browserless.get("/dashboard/reviews")
    assert listed.status_code == 200 and pi["id"] not in listed.text
    other_shop = await browserless.post(
        f"/dashboard/reviews/{review['id']}/approve",
        data={"csrf_token": csrf_of(listed.text), "confirmed": "yes"},
    )
    assert other_shop.status_code == 404
    still = (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=admin)).json()
    assert still["status"] == "requires_capture"
    assert (await api.client.get(f"/v1/reviews/{review['id']}", headers=admin)).json()["open"]


async def test_an_actionable_early_fraud_warning_is_refunded_and_its_card_blocked_in_one_step(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    admin, location = await shop(api)
    alias = f"efw_cards_{secrets.token_hex(4)}"
    cards = await api.client.post(
        "/v1/fraud/value_lists",
        json={"alias": alias, "name": "Reported cards", "item_type": "card_fingerprint"},
        headers=admin,
    )
    paid = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 7500,
            "location": location["id"],
            "payment_method": "pm_card_jcb",
            "confirm": True,
        },
        headers=admin,
    )
    pi = paid.json()
    warning = (
        await api.client.post(
            "/v1/test_helpers/radar/early_fraud_warnings",
            json={"charge": pi["latest_charge"]},
            headers=admin,
        )
    ).json()
    await sign_in(browserless, await staff_user(api.container, "finance"))
    page = await browserless.get("/dashboard/reviews")
    assert page.status_code == 200, page.text
    assert "Early fraud warnings" in page.text and pi["id"] in page.text
    assert "Made with stolen card" in page.text and f"@{alias}" in page.text

    url = f"/dashboard/reviews/warnings/{warning['id']}/refund_and_block"
    first = await browserless.post(
        url, data={"csrf_token": csrf_of(page.text), "value_list": cards.json()["id"]}
    )
    assert "Refund the payment and block the card?" in first.text
    untouched = (await api.client.get(f"/v1/charges/{pi['latest_charge']}", headers=admin)).json()
    assert untouched["amount_refunded"] == 0  # nothing before confirming
    done = await browserless.post(
        url,
        data={
            "csrf_token": csrf_of(first.text),
            "value_list": cards.json()["id"],
            "confirmed": "yes",
        },
    )
    assert done.status_code == 303 and done.headers["location"].endswith("done=blocked")
    charge = (await api.client.get(f"/v1/charges/{pi['latest_charge']}", headers=admin)).json()
    assert charge["amount_refunded"] == 7500
    items = (
        await api.client.get(
            "/v1/fraud/value_list_items", params={"value_list": cards.json()["id"]}, headers=admin
        )
    ).json()["data"]
    assert [i["value"] for i in items] == [charge["payment_method_details"]["card"]["fingerprint"]]
    shown = await browserless.get(done.headers["location"])
    assert "its card blocked" in shown.text and pi["id"] not in shown.text
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []
