"""The dashboard's pages over HTTP: what each role and shop sees, refunds through the
approval policy, friendly errors."""

from __future__ import annotations

import re

import httpx

from payments.app.capabilities import verify_ledger
from support.app import Api
from support.dashboard import csrf_of, sign_in, staff_user
from support.refunds import paid, shop


async def _post_confirmed(
    client: httpx.AsyncClient, url: str, data: dict[str, str]
) -> httpx.Response:
    """A destructive form: the first POST answers a confirmation page, the second acts."""
    first = await client.post(url, data=data)
    assert first.status_code == 200, first.text
    assert 'name="confirmed" value="yes"' in first.text
    return await client.post(
        url, data=data | {"confirmed": "yes", "csrf_token": csrf_of(first.text)}
    )


async def test_every_main_page_renders_for_an_admin(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    admin, location = await shop(api)
    pi = await paid(api, admin, location["id"])
    await sign_in(browserless, await staff_user(api.container, "admin"))
    for path in (
        "/dashboard",
        "/dashboard/payments",
        f"/dashboard/payments/{pi['id']}",
        f"/dashboard/payments?q={pi['id']}",
        "/dashboard/refunds",
        "/dashboard/disputes",
        "/dashboard/customers",
        "/dashboard/invoices",
        "/dashboard/developers",
        "/dashboard/audit?verify=yes",
        "/dashboard/account",
        "/dashboard/payments?lang=de",
        "/dashboard/reviews",
        "/dashboard/reports",
        "/dashboard/subscriptions",
        "/dashboard/bank_transactions",
        "/dashboard/reports?lang=de",
    ):
        page = await browserless.get(path)
        assert page.status_code == 200, (path, page.text)
        assert "Traceback" not in page.text
    detail = await browserless.get(f"/dashboard/payments/{pi['id']}?lang=en")
    assert "ledger: charge.succeeded" in detail.text  # an admin sees the ledger postings
    await browserless.get("/dashboard?lang=de")
    german = await browserless.get("/dashboard/payments")  # the language cookie stays
    assert '<html lang="de">' in german.text
    assert "Zahlungen" in german.text
    audit = await browserless.get("/dashboard/audit?verify=yes&lang=en")
    assert "The chain is intact" in audit.text


async def test_payments_are_found_by_amount_and_by_the_customers_email(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    admin, location = await shop(api)
    ada = (
        await api.client.post(
            "/v1/customers", json={"name": "Ada", "email": "ada@example.com"}, headers=admin
        )
    ).json()
    small = await paid(api, admin, location["id"], amount=7_700, customer=ada["id"])
    large = await paid(api, admin, location["id"], amount=12_000)
    await sign_in(browserless, await staff_user(api.container, "readonly"))
    by_amount = await browserless.get("/dashboard/payments?amount=77,00&currency=eur")
    assert small["id"] in by_amount.text and large["id"] not in by_amount.text
    by_email = await browserless.get("/dashboard/payments?q=ada@example.com")
    assert small["id"] in by_email.text and large["id"] not in by_email.text
    bad = await browserless.get("/dashboard/payments?amount=7.777&currency=eur")
    assert bad.status_code == 400


async def test_a_clerk_of_one_shop_gets_404_for_another_shops_payment(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    admin, berlin = await shop(api)
    munich = await api.location(admin, name="München")
    theirs = await paid(api, admin, munich["id"])
    ours = await paid(api, admin, berlin["id"])
    await sign_in(browserless, await staff_user(api.container, "clerk", location=berlin["id"]))

    assert (await browserless.get(f"/dashboard/payments/{ours['id']}")).status_code == 200
    other = await browserless.get(f"/dashboard/payments/{theirs['id']}")
    assert other.status_code == 404
    assert theirs["id"] not in other.text.split("</header>")[1].replace("", "")
    listed = await browserless.get("/dashboard/payments")
    assert ours["id"] in listed.text and theirs["id"] not in listed.text
    searched = await browserless.get(f"/dashboard/payments?q={theirs['id']}")
    assert theirs["id"] not in re.sub(r'value="[^"]*"', "", searched.text)
    # the clerk may not open pages beyond the role
    assert (await browserless.get("/dashboard/audit")).status_code == 403
    assert (await browserless.get("/dashboard/developers")).status_code == 403


async def test_a_clerks_refund_awaits_finance_who_approves_it_never_the_requester(
    api: Api, container: object
) -> None:
    admin, location = await shop(api)
    pi = await paid(api, admin, location["id"], amount=50_000)
    app = api.client._transport.app  # type: ignore[attr-defined]
    clerk_client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    )
    finance_client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    )
    async with clerk_client, finance_client:
        await sign_in(clerk_client, await staff_user(api.container, "clerk"))
        await sign_in(finance_client, await staff_user(api.container, "finance"))
        detail = await clerk_client.get(f"/dashboard/payments/{pi['id']}")
        done = await _post_confirmed(
            clerk_client,
            f"/dashboard/payments/{pi['id']}/refund",
            {"amount": "300,00", "reason": "warranty", "csrf_token": csrf_of(detail.text)},
        )
        assert done.status_code == 303, done.text
        page = await clerk_client.get(done.headers["location"])
        assert "awaits approval" in page.text
        refund_id = re.search(r'href="/dashboard/refunds/(re_\w+)"', page.text).group(1)  # type: ignore[union-attr]
        # the clerk cannot approve
        refund_page = await clerk_client.get(f"/dashboard/refunds/{refund_id}")
        assert "Approve" not in refund_page.text
        refused = await clerk_client.post(
            f"/dashboard/refunds/{refund_id}/approve",
            data={"csrf_token": csrf_of(refund_page.text), "confirmed": "yes"},
        )
        assert refused.status_code == 403

        listing = await finance_client.get("/dashboard/refunds")
        assert refund_id in listing.text
        refund_page = await finance_client.get(f"/dashboard/refunds/{refund_id}")
        approved = await _post_confirmed(
            finance_client,
            f"/dashboard/refunds/{refund_id}/approve",
            {"csrf_token": csrf_of(refund_page.text)},
        )
        assert approved.status_code == 303, approved.text
    refund = (await api.client.get(f"/v1/refunds/{refund_id}", headers=admin)).json()
    assert (refund["status"], refund["amount"]) == ("succeeded", 30_000)
    assert refund["metadata"] == {} and refund["reason"] == "warranty"
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_finance_cannot_approve_its_own_refund(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    admin, location = await shop(api)
    pi = await paid(api, admin, location["id"], amount=50_000)
    clerk_key = await api.key("clerk")
    requested = await api.client.post(
        "/v1/refunds", json={"payment_intent": pi["id"], "amount": 30_000}, headers=clerk_key
    )
    assert requested.json()["status"] == "pending_approval"
    await sign_in(browserless, await staff_user(api.container, "finance"))
    # a refund the finance user requests in the dashboard needs no approval (policy)
    page = await browserless.get(f"/dashboard/payments/{pi['id']}")
    assert "Refund" in page.text
    approved = await _post_confirmed(
        browserless,
        f"/dashboard/refunds/{requested.json()['id']}/approve",
        {"csrf_token": csrf_of(page.text)},
    )
    assert approved.status_code == 303


async def test_an_unknown_page_and_bad_input_get_friendly_pages(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    admin, location = await shop(api)
    pi = await paid(api, admin, location["id"])
    await sign_in(browserless, await staff_user(api.container, "admin"))
    assert (await browserless.get("/dashboard/")).headers["location"] == "/dashboard"
    missing = await browserless.get("/dashboard/no/such/page")
    assert missing.status_code == 404 and "Not found" in missing.text
    detail = await browserless.get(f"/dashboard/payments/{pi['id']}")
    bad = await browserless.post(
        f"/dashboard/payments/{pi['id']}/refund",
        data={"amount": "12.345", "reason": "warranty", "csrf_token": csrf_of(detail.text)},
    )
    assert bad.status_code == 400
    assert "at most 2 decimals" in bad.text and "Traceback" not in bad.text
    too_much = await _post_confirmed(
        browserless,
        f"/dashboard/payments/{pi['id']}/refund",
        {"amount": "1000", "reason": "warranty", "csrf_token": csrf_of(detail.text)},
    )
    assert too_much.status_code == 400
    assert "Traceback" not in too_much.text


async def test_a_customers_page_shows_payments_and_saved_cards(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    admin, location = await shop(api)
    cus = (
        await api.client.post(
            "/v1/customers", json={"name": "Ada", "email": "ada@example.com"}, headers=admin
        )
    ).json()
    pi = await paid(
        api, admin, location["id"], customer=cus["id"], setup_future_usage="off_session"
    )
    await sign_in(browserless, await staff_user(api.container, "clerk"))
    found = await browserless.get("/dashboard/customers?email=ada@example.com")
    assert cus["id"] in found.text
    page = await browserless.get(f"/dashboard/customers/{cus['id']}")
    assert page.status_code == 200
    assert pi["id"] in page.text
    assert "VISA ···· 4242" in page.text
