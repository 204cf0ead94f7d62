"""API keys from the dashboard, the Secure cookie over HTTPS, the absolute timeout."""

from __future__ import annotations

from datetime import timedelta

import httpx

from payments.app.bootstrap import Container
from payments.app.http import create_app
from payments.kernel.clock import FrozenClock
from payments.staff.domain import ABSOLUTE_TIMEOUT, IDLE_TIMEOUT
from support.app import Api
from support.dashboard import csrf_of, sign_in, staff_user


async def test_an_admin_creates_a_key_sees_its_secret_once_and_revokes_it(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    await sign_in(browserless, await staff_user(api.container, "admin"))
    page = await browserless.get("/dashboard/developers")
    created = await browserless.post(
        "/dashboard/developers/api_keys",
        data={"name": "Till 3", "role": "clerk", "csrf_token": csrf_of(page.text)},
    )
    assert created.status_code == 200
    secret = created.text.split('<p class="secret" id="secret">')[1].split("<")[0]
    assert secret.startswith("sk_test_")
    works = await api.client.get("/v1/customers", headers={"Authorization": f"Bearer {secret}"})
    assert works.status_code == 200
    listing = await browserless.get("/dashboard/developers")
    assert "Till 3" in listing.text and secret not in listing.text
    key_id = listing.text.split("/dashboard/developers/api_keys/")[1].split("/")[0]
    first = await browserless.post(
        f"/dashboard/developers/api_keys/{key_id}/revoke", data={"csrf_token": csrf_of(page.text)}
    )
    assert "Revoke the API key?" in first.text  # confirmed first
    assert (
        await api.client.get("/v1/customers", headers={"Authorization": f"Bearer {secret}"})
    ).status_code == 200
    done = await browserless.post(
        f"/dashboard/developers/api_keys/{key_id}/revoke",
        data={"csrf_token": csrf_of(page.text), "confirmed": "yes"},
    )
    assert done.status_code == 303
    refused = await api.client.get("/v1/customers", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401


async def test_finance_sees_webhooks_but_not_api_keys(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    await sign_in(browserless, await staff_user(api.container, "finance"))
    page = await browserless.get("/dashboard/developers")
    assert page.status_code == 200 and "API keys" not in page.text
    refused = await browserless.post(
        "/dashboard/developers/api_keys",
        data={"role": "admin", "csrf_token": csrf_of(page.text)},
    )
    assert refused.status_code == 403


async def test_over_https_the_session_cookie_is_secure(container: Container) -> None:
    app = create_app(container.settings, container=container, embedded=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://testserver"
        ) as client,
    ):
        email = await staff_user(container, "clerk")
        signed = await sign_in(client, email)
        assert signed.status_code == 303
        cookie = signed.headers["set-cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie


async def test_a_busy_session_still_ends_after_the_absolute_timeout(
    api: Api, clock: FrozenClock, browserless: httpx.AsyncClient
) -> None:
    await sign_in(browserless, await staff_user(api.container, "readonly"))
    elapsed = timedelta()
    while elapsed + IDLE_TIMEOUT / 2 < ABSOLUTE_TIMEOUT:
        clock.advance(IDLE_TIMEOUT / 2)
        elapsed += IDLE_TIMEOUT / 2
        assert (await browserless.get("/dashboard/account")).status_code == 200
    clock.advance(ABSOLUTE_TIMEOUT - elapsed + timedelta(seconds=1))  # well within idle
    assert (await browserless.get("/dashboard/account")).status_code == 303


async def test_an_admin_rolls_a_key_and_the_old_one_works_for_the_chosen_time(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    clock = api.container.clock
    assert isinstance(clock, FrozenClock)
    old = await api.key("clerk")
    await sign_in(browserless, await staff_user(api.container, "admin"))
    page = await browserless.get("/dashboard/developers")
    key_id = page.text.split("/dashboard/developers/api_keys/")[1].split("/")[0]
    wrong = await browserless.post(
        f"/dashboard/developers/api_keys/{key_id}/roll",
        data={"csrf_token": csrf_of(page.text), "overlap": "forever"},
    )
    assert wrong.status_code == 400 and "Choose how long the old key works." in wrong.text
    form = {"csrf_token": csrf_of(page.text), "overlap": "1h"}
    asked = await browserless.post(f"/dashboard/developers/api_keys/{key_id}/roll", data=form)
    assert "Roll the API key?" in asked.text and 'name="overlap" value="1h"' in asked.text
    rolled = await browserless.post(
        f"/dashboard/developers/api_keys/{key_id}/roll", data=form | {"confirmed": "yes"}
    )
    assert rolled.status_code == 200
    assert "which keeps working until" in rolled.text
    secret = rolled.text.split('<p class="secret" id="secret">')[1].split("<")[0]
    new = {"Authorization": f"Bearer {secret}"}
    assert (await api.client.get("/v1/customers", headers=old)).status_code == 200
    listing = await browserless.get("/dashboard/developers")
    assert "rolled, works until" in listing.text
    clock.advance(timedelta(hours=1))
    assert (await api.client.get("/v1/customers", headers=old)).status_code == 401
    assert (await api.client.get("/v1/customers", headers=new)).status_code == 200
