"""What every dashboard page shares: templates, the signed-in staff user, CSRF, cookies,
the confirmation step of destructive actions, and friendly error pages.

* Every page route is a :class:`DashboardRoute`: a domain error becomes the page it was
  about with a plain message, anything unexpected a friendly 500 page (logged with the
  request id), never a stack trace.
* :data:`StaffDep` is the signed-in user (else a redirect to the sign-in page);
  :data:`FormDep` is that user plus a POSTed form whose CSRF token matched the
  session's (else 403).
* ``confirm()``: a destructive form is POSTed once to get a confirmation page repeating
  its fields, and executed only when POSTed again with ``confirmed=yes``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from payments.dashboard import i18n
from payments.kernel.access import Permission
from payments.kernel.context import RequestContext
from payments.kernel.errors import NotFound, PaymentsError, PermissionDenied
from payments.platform.http.errors import status_and_type
from payments.platform.logs import get_logger
from payments.staff.domain import StaffSession, StaffUser
from payments.staff.service import current_session

log = get_logger("payments.dashboard")

PREFIX = "/dashboard"
SESSION_COOKIE = "dashboard_session"
LOGIN_CSRF_COOKIE = "dashboard_login_csrf"
LANGUAGE_COOKIE = "dashboard_lang"
STATIC_DIR = Path(__file__).parent / "static"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

ENV = Environment(
    loader=PackageLoader("payments.dashboard", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)


class SignInRequired(Exception):
    """No (or an expired) session: the page answers with a redirect to the sign-in."""


class CsrfRejected(Exception):
    """A form without the session's CSRF token."""


@dataclass(frozen=True, slots=True)
class Staff:
    """The signed-in person, with the request context the services take."""

    user: StaffUser
    session: StaffSession
    ctx: RequestContext

    def can(self, permission: Permission) -> bool:
        return self.user.principal.can(permission)

    def require(self, permission: Permission) -> None:
        self.ctx.require(permission)


def language_of(request: Request) -> str:
    cached = getattr(request.state, "language", None)
    if cached:
        return str(cached)
    lang = i18n.negotiate(
        request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("accept-language"),
    )
    request.state.language = lang
    return lang


def gettext(request: Request, message: str) -> str:
    return i18n.translations(language_of(request)).gettext(message)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(response: Response, request: Request, name: str, value: str, **kw: Any) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path=PREFIX,
        **kw,
    )


def label(language: str, value: str | None) -> str:
    """A status, role or reason value as shown: its translation, else made readable
    (``pending_approval`` -> ``Pending approval``)."""
    if not value:
        return "\u2013"  # an en dash
    shown = i18n.translations(language).gettext(value)
    if shown == value:
        shown = value.replace("_", " ").capitalize()
    return shown


def render(
    request: Request,
    template: str,
    *,
    staff: Staff | None = None,
    status: int = 200,
    **values: Any,
) -> HTMLResponse:
    lang = language_of(request)
    env = ENV.overlay()
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    html = env.get_template(template).render(
        request=request,
        staff=staff,
        lang=lang,
        path=request.url.path,
        money=lambda amount, currency: i18n.money(amount, currency, lang),
        when=lambda moment: i18n.when(moment, lang),
        label=lambda value: label(lang, value),
        csrf=staff.session.csrf_token if staff else values.pop("csrf", ""),
        Permission=Permission,
        **values,
    )
    response = HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
    if request.query_params.get("lang") in i18n.LANGUAGES:
        set_cookie(response, request, LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600)
    return response


async def shop_names(request: Request, staff: Staff) -> dict[str, str]:
    """The names of the shops the person may see, by id (pages show names, not ids)."""
    from payments.kernel.pagination import MAX_LIMIT, PageRequest
    from payments.locations.service import list_locations

    container = request.app.state.container
    found = await list_locations(
        PageRequest(limit=MAX_LIMIT), uow_factory=container.uow_factory, ctx=staff.ctx
    )
    return {shop.id: shop.name for shop in found.data}


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def sign_in_redirect(request: Request) -> RedirectResponse:
    target = request.url.path
    if request.method == "GET" and request.url.query:
        target += "?" + request.url.query
    return redirect(f"{PREFIX}/login?next={quote(target, safe='')}")


async def _staff(request: Request) -> Staff:
    container = request.app.state.container
    found = await current_session(
        request.cookies.get(SESSION_COOKIE),
        uow_factory=container.uow_factory,
        clock=container.clock,
    )
    if found is None:
        raise SignInRequired
    ctx = RequestContext(
        principal=found.user.principal,
        request_id=getattr(request.state, "request_id", None),
        ip=request.client.host if request.client else None,
    )
    staff = Staff(user=found.user, session=found.session, ctx=ctx)
    request.state.staff = staff
    return staff


@dataclass(frozen=True, slots=True)
class Posted:
    staff: Staff
    form: FormData

    def get(self, name: str, default: str = "") -> str:
        value = self.form.get(name, default)
        return value.strip() if isinstance(value, str) else default

    @property
    def confirmed(self) -> bool:
        return self.get("confirmed") == "yes"


async def _posted(request: Request, staff: Annotated[Staff, Depends(_staff)]) -> Posted:
    form = await request.form()
    token = form.get("csrf_token")
    if not isinstance(token, str) or not secrets.compare_digest(token, staff.session.csrf_token):
        raise CsrfRejected
    return Posted(staff=staff, form=form)


StaffDep = Annotated[Staff, Depends(_staff)]
FormDep = Annotated[Posted, Depends(_posted)]


def confirm(
    request: Request,
    posted: Posted,
    *,
    title: str,
    question: str,
    button: str,
    cancel_url: str,
) -> HTMLResponse:
    """The confirmation page of a destructive action: the same form again, confirmed."""
    fields = {
        k: v
        for k, v in posted.form.items()
        if isinstance(v, str) and k not in ("csrf_token", "confirmed")
    }
    return render(
        request,
        "confirm.html",
        staff=posted.staff,
        title=title,
        question=question,
        button=button,
        action=request.url.path,
        fields=fields,
        cancel_url=cancel_url,
    )


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    staff = getattr(request.state, "staff", None)
    titles = {
        400: "This cannot be done",
        401: "Sign-in failed",
        403: "Not allowed",
        404: "Not found",
        429: "Too many attempts",
        500: "Something went wrong",
        502: "The payment provider did not answer",
    }
    title = titles.get(status, titles[500] if status >= 500 else titles[400])
    return render(
        request,
        "error.html",
        staff=staff,
        status=status,
        title=gettext(request, title),
        message=message,
    )


def _message(request: Request, exc: PaymentsError) -> str:
    if isinstance(exc, NotFound):
        return gettext(request, "There is nothing here, or it belongs to another shop.")
    if isinstance(exc, PermissionDenied) and exc.code == "insufficient_permissions":
        return gettext(request, "Your role does not allow this.")
    return exc.message


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class DashboardRoute(APIRoute):
    """A page: errors become friendly pages, never a trace or a JSON error body."""

    def get_route_handler(self) -> Handler:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await _answer(request)
            finally:
                await request.close()  # the uploads of a form read by a dependency

        async def _answer(request: Request) -> Response:
            try:
                return await original(request)
            except SignInRequired:
                return sign_in_redirect(request)
            except CsrfRejected:
                return error_page(
                    request,
                    403,
                    gettext(
                        request,
                        "This form was not sent from this dashboard session (its security "
                        "token is missing or old). Reload the page and try again.",
                    ),
                )
            except PaymentsError as exc:
                status, _ = status_and_type(exc)
                return error_page(request, status, _message(request, exc))
            except RequestValidationError:
                return error_page(
                    request, 400, gettext(request, "Some fields are missing or not valid.")
                )
            except Exception:
                log.exception(
                    "dashboard_error",
                    path=request.url.path,
                    request_id=getattr(request.state, "request_id", None),
                )
                return error_page(
                    request,
                    500,
                    gettext(
                        request,
                        "An unexpected error happened; it was logged. Try again, or tell an "
                        "administrator what you were doing.",
                    ),
                )

        return handler


def query(values: Mapping[str, object]) -> str:
    """A query string of the non-empty values (for pagination links)."""
    parts = [f"{k}={quote(str(v), safe='')}" for k, v in values.items() if v not in (None, "")]
    return "?" + "&".join(parts) if parts else ""
