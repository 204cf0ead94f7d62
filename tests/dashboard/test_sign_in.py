"""Signing in to the dashboard over HTTP: sessions, lockout, CSRF, timeouts, TOTP."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pyotp

from payments.app.capabilities import run_once
from payments.audit.domain import ListAuditRecords
from payments.audit.service import list_audit_records
from payments.kernel.clock import FrozenClock
from payments.kernel.context import SYSTEM
from payments.kernel.pagination import PageRequest
from payments.staff.domain import IDLE_TIMEOUT, LOCKOUT, MAX_FAILURES
from payments.staff.service import begin_totp_enrolment, confirm_totp_enrolment, list_staff_users
from support.app import Api
from support.dashboard import PASSWORD, csrf_of, sign_in, staff_user


async def _actions(api: Api) -> list[str]:
    page = await list_audit_records(
        ListAuditRecords(),
        PageRequest(limit=100),
        uow_factory=api.container.uow_factory,
        ctx=SYSTEM,
    )
    return [r.action for r in reversed(page.data)]


async def test_a_user_signs_in_and_out_and_both_are_audited(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    email = await staff_user(api.container, "finance")
    first = await browserless.get("/dashboard")
    assert first.status_code == 303
    assert first.headers["location"].startswith("/dashboard/login")

    signed = await sign_in(browserless, email)
    assert signed.status_code == 303, signed.text
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/dashboard" in cookie
    home = await browserless.get("/dashboard")
    assert home.status_code == 200, home.text
    assert "Needs attention" in home.text
    assert email in home.text

    out = await browserless.post("/dashboard/logout", data={"csrf_token": csrf_of(home.text)})
    assert out.status_code == 303
    assert (await browserless.get("/dashboard")).status_code == 303
    assert await _actions(api) == [
        "staff_user.created",
        "staff_user.signed_in",
        "staff_user.signed_out",
    ]


async def test_wrong_passwords_lock_the_user_out_for_a_while(
    api: Api, clock: FrozenClock, browserless: httpx.AsyncClient
) -> None:
    email = await staff_user(api.container, "clerk")
    for _ in range(MAX_FAILURES - 1):
        wrong = await sign_in(browserless, email, "not the password")
        assert wrong.status_code == 401
        assert "Wrong e-mail address, password or code." in wrong.text
    locked = await sign_in(browserless, email, "not the password")
    assert locked.status_code == 429
    # even the right password is refused while locked
    assert (await sign_in(browserless, email, PASSWORD)).status_code == 429
    clock.advance(LOCKOUT + timedelta(seconds=1))
    assert (await sign_in(browserless, email, PASSWORD)).status_code == 303
    actions = await _actions(api)
    assert actions.count("staff_user.sign_in_failed") == MAX_FAILURES
    assert "staff_user.locked_out" in actions


async def test_a_form_without_the_session_token_is_refused(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    email = await staff_user(api.container, "finance")
    assert (await sign_in(browserless, email)).status_code == 303
    refused = await browserless.post("/dashboard/logout", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert "security token" in refused.text
    assert (await browserless.get("/dashboard")).status_code == 200  # still signed in
    no_cookie = await browserless.post(
        "/dashboard/login", data={"email": email, "password": PASSWORD, "csrf_token": "x"}
    )
    assert no_cookie.status_code == 403


async def test_an_idle_session_ends(
    api: Api, clock: FrozenClock, browserless: httpx.AsyncClient
) -> None:
    email = await staff_user(api.container, "readonly")
    await sign_in(browserless, email)
    clock.advance(IDLE_TIMEOUT - timedelta(minutes=1))
    assert (await browserless.get("/dashboard")).status_code == 200  # restarts the idle timer
    clock.advance(IDLE_TIMEOUT - timedelta(minutes=1))
    assert (await browserless.get("/dashboard")).status_code == 200
    clock.advance(IDLE_TIMEOUT + timedelta(seconds=1))
    assert (await browserless.get("/dashboard")).status_code == 303


async def test_a_user_with_totp_needs_the_code_after_the_password(
    api: Api, clock: FrozenClock, browserless: httpx.AsyncClient
) -> None:
    email = await staff_user(api.container, "admin")
    (user,) = await list_staff_users(uow_factory=api.container.uow_factory)
    secret, uri = await begin_totp_enrolment(user.id, uow_factory=api.container.uow_factory)
    assert uri.startswith("otpauth://totp/")
    totp = pyotp.TOTP(secret)
    await confirm_totp_enrolment(
        user.id,
        totp.at(clock.now()),
        ip=None,
        uow_factory=api.container.uow_factory,
        clock=clock,
    )
    clock.advance(seconds=30)
    signed = await sign_in(browserless, email)
    assert signed.status_code == 303
    assert signed.headers["location"].startswith("/dashboard/login/code")
    assert (await browserless.get("/dashboard")).status_code == 303  # not signed in yet
    form = await browserless.get("/dashboard/login/code")
    wrong = await browserless.post(
        "/dashboard/login/code", data={"code": "000000", "csrf_token": csrf_of(form.text)}
    )
    assert wrong.status_code == 401
    right = await browserless.post(
        "/dashboard/login/code",
        data={"code": totp.at(clock.now()), "csrf_token": csrf_of(form.text)},
    )
    assert right.status_code == 303
    assert (await browserless.get("/dashboard")).status_code == 200


async def test_old_attempts_and_dead_sessions_are_purged_by_the_worker(
    api: Api, clock: FrozenClock, browserless: httpx.AsyncClient
) -> None:
    email = await staff_user(api.container, "clerk")
    await sign_in(browserless, email, "wrong password!")
    await sign_in(browserless, email)
    assert (await run_once(api.container, only={"purge_sign_in_records"})) == {
        "purge_sign_in_records": 0
    }
    clock.advance(days=2)
    assert (await run_once(api.container, only={"purge_sign_in_records"})) == {
        "purge_sign_in_records": 3  # two attempts, one session
    }
    assert (await browserless.get("/dashboard")).status_code == 303


async def test_sign_in_goes_back_only_to_a_dashboard_page(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    email = await staff_user(api.container, "clerk")
    form = await browserless.get("/dashboard/login?next=https://evil.example/")
    signed = await browserless.post(
        "/dashboard/login",
        data={
            "email": email,
            "password": PASSWORD,
            "csrf_token": csrf_of(form.text),
            "next": "https://evil.example/",
        },
    )
    assert signed.headers["location"] == "/dashboard"
