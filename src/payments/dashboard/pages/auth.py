"""Sign-in (password, then the TOTP code when enrolled), sign-out, the account page with
TOTP enrolment, and the static assets."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

import segno
from fastapi import APIRouter, Form, Request
from starlette.responses import FileResponse, Response

from payments.dashboard.web import (
    LOGIN_CSRF_COOKIE,
    PREFIX,
    SESSION_COOKIE,
    STATIC_DIR,
    DashboardRoute,
    FormDep,
    StaffDep,
    error_page,
    gettext,
    redirect,
    render,
    set_cookie,
)
from payments.kernel.errors import InvalidRequest
from payments.staff.domain import SignInFailed, SignInThrottled
from payments.staff.service import (
    begin_totp_enrolment,
    complete_second_factor,
    confirm_totp_enrolment,
    pending_session,
    sign_in,
    sign_out,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)

STATIC = {"app.css": "text/css", "app.js": "text/javascript"}


def _next(value: str | None) -> str:
    """Where to go after signing in: a dashboard path only (never another site)."""
    if value and value.startswith(PREFIX) and not value.startswith("//") and "\\" not in value:
        return value
    return PREFIX


def _ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _login_page(
    request: Request, *, error: str = "", email: str = "", next_url: str = "", status: int = 200
) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        title=gettext(request, "Sign in"),
        csrf=token,
        error=error,
        email=email,
        next=next_url,
        status=status,
    )
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token)
    return response


@router.get("/static/{name}")
async def static(name: str) -> Response:
    if name not in STATIC:
        return Response(status_code=404)
    return FileResponse(
        STATIC_DIR / name,
        media_type=STATIC[name],
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/login")
async def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, next_url=_next(next))


@router.post("/login")
async def login(
    request: Request,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(csrf_token, expected):
        return error_page(
            request,
            403,
            gettext(
                request,
                "This form was not sent from this dashboard session (its security token is "
                "missing or old). Reload the page and try again.",
            ),
        )
    container = request.app.state.container
    try:
        signed = await sign_in(
            email,
            password,
            ip=_ip(request),
            uow_factory=container.uow_factory,
            clock=container.clock,
        )
    except SignInThrottled as exc:
        if exc.code == "account_locked":
            message = gettext(
                request,
                "Too many failed sign-ins: this account is locked for a while. Try again "
                "later or ask an administrator.",
            )
        else:
            message = gettext(
                request, "Too many failed sign-ins from this address: wait a few minutes."
            )
        return _login_page(request, error=message, email=email, next_url=next, status=429)
    except SignInFailed:
        message = gettext(request, "Wrong e-mail address, password or code.")
        return _login_page(request, error=message, email=email, next_url=next, status=401)
    target = _next(next)
    if signed.needs_second_factor:
        target = f"{PREFIX}/login/code?next={quote(target, safe='')}"
    response = redirect(target)
    set_cookie(response, request, SESSION_COOKIE, signed.token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=PREFIX)
    return response


@router.get("/login/code")
async def code_form(request: Request, next: str | None = None) -> Response:
    container = request.app.state.container
    session = await pending_session(
        request.cookies.get(SESSION_COOKIE),
        uow_factory=container.uow_factory,
        clock=container.clock,
    )
    if session is None:
        return redirect(f"{PREFIX}/login")
    return render(
        request,
        "totp.html",
        title=gettext(request, "Two-step verification"),
        csrf=session.csrf_token,
        next=_next(next),
    )


@router.post("/login/code")
async def code(
    request: Request,
    code: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    container = request.app.state.container
    token = request.cookies.get(SESSION_COOKIE, "")
    session = await pending_session(token, uow_factory=container.uow_factory, clock=container.clock)
    if session is None:
        return redirect(f"{PREFIX}/login")
    if not secrets.compare_digest(csrf_token, session.csrf_token):
        return error_page(request, 403, gettext(request, "Reload the page and try again."))
    try:
        await complete_second_factor(
            token, code, ip=_ip(request), uow_factory=container.uow_factory, clock=container.clock
        )
    except SignInThrottled:
        return _login_page(
            request,
            error=gettext(
                request,
                "Too many failed sign-ins: this account is locked for a while. Try again "
                "later or ask an administrator.",
            ),
            status=429,
        )
    except SignInFailed as exc:
        if exc.code == "sign_in_expired":
            return redirect(f"{PREFIX}/login")
        return render(
            request,
            "totp.html",
            title=gettext(request, "Two-step verification"),
            csrf=session.csrf_token,
            next=_next(next),
            error=gettext(request, "Wrong e-mail address, password or code."),
            status=401,
        )
    return redirect(_next(next))


@router.post("/logout")
async def logout(request: Request, posted: FormDep) -> Response:
    container = request.app.state.container
    await sign_out(
        request.cookies.get(SESSION_COOKIE, ""),
        ip=_ip(request),
        uow_factory=container.uow_factory,
        clock=container.clock,
    )
    response = redirect(f"{PREFIX}/login")
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


@router.get("/account")
async def account(request: Request, staff: StaffDep) -> Response:
    done = request.query_params.get("done") == "totp"
    return render(
        request,
        "account.html",
        staff=staff,
        title=gettext(request, "Account"),
        notice=gettext(request, "Two-step verification is on.") if done else "",
    )


def _qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(scale=4, title="QR code", omitsize=True)


@router.post("/account/totp")
async def enrol(request: Request, posted: FormDep) -> Response:
    container = request.app.state.container
    secret, uri = await begin_totp_enrolment(
        posted.staff.user.id, uow_factory=container.uow_factory
    )
    return render(
        request,
        "account.html",
        staff=posted.staff,
        title=gettext(request, "Account"),
        qr=_qr_svg(uri),
        secret=secret,
    )


@router.post("/account/totp/confirm")
async def confirm_enrolment(request: Request, posted: FormDep) -> Response:
    container = request.app.state.container
    try:
        await confirm_totp_enrolment(
            posted.staff.user.id,
            posted.get("code"),
            ip=_ip(request),
            uow_factory=container.uow_factory,
            clock=container.clock,
        )
    except InvalidRequest:
        secret, uri = await begin_totp_enrolment(
            posted.staff.user.id, uow_factory=container.uow_factory
        )
        return render(
            request,
            "account.html",
            staff=posted.staff,
            title=gettext(request, "Account"),
            qr=_qr_svg(uri),
            secret=secret,
            error=gettext(request, "That code does not match: scan the new code and try again."),
            status=400,
        )
    return redirect(f"{PREFIX}/account?done=totp")
