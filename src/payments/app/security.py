"""HTTP hardening that holds for every response: security headers, a request time limit,
a body size limit outside ``/v1`` (which has its own, in the gate), and CORS (off unless
origins are configured).

The headers are defaults: a page that sets its own (the pay page's and the dashboard's
Content-Security-Policy naming their own scripts and styles) keeps them.

- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer`` and
  ``X-Frame-Options: DENY`` on everything;
- ``Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`` on anything
  that is not an HTML page (JSON, PDFs, CSV): nothing in them may run or be framed; HTML
  pages without a policy of their own (the API docs) get ``frame-ancestors 'none'``;
- ``Strict-Transport-Security`` when the request came over TLS (directly, or through a
  proxy that uvicorn trusts: ``PAYMENTS_FORWARDED_ALLOW_IPS``);
- ``Cache-Control: no-store`` on the API (``/v1``): answers hold personal data.

The time limit (``PAYMENTS_REQUEST_TIMEOUT_SECONDS``) runs until the response starts: a
request that has not begun to answer by then is cancelled and answered ``503
request_timeout``; a stream that has started (a report file) may take as long as it needs.
Cancelling is safe by design: database transactions roll back, and a gateway call whose
outcome is lost is an ``unknown`` attempt that the recovery job settles.
"""

from __future__ import annotations

import asyncio

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from payments.platform.config import Settings
from payments.platform.http.errors import error_body
from payments.platform.logs import get_logger

log = get_logger("payments.http")

API_PREFIX = "/v1"
NOT_HTML_CSP = "default-src 'none'; frame-ancestors 'none'"
HTML_CSP = "frame-ancestors 'none'"
#: The paths that take file uploads outside /v1 (the dashboard's evidence form): their
#: limit is the upload limit, not the body limit.
UPLOAD_PREFIXES = ("/dashboard",)


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.timeout = settings.request_timeout_seconds or None
        self.hsts = (
            f"max-age={settings.hsts_max_age_seconds}; includeSubDomains"
            if settings.hsts_max_age_seconds
            else None
        )
        self.max_body = settings.max_body_bytes
        self.max_upload = settings.max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        https = scope.get("scheme") == "https"
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if deadline is not None and not deadline.expired():
                    deadline.reschedule(None)  # the time limit ends when the answer starts
                headers = MutableHeaders(scope=message)
                headers.setdefault("x-content-type-options", "nosniff")
                headers.setdefault("referrer-policy", "no-referrer")
                headers.setdefault("x-frame-options", "DENY")
                html = headers.get("content-type", "").startswith("text/html")
                headers.setdefault("content-security-policy", HTML_CSP if html else NOT_HTML_CSP)
                if https and self.hsts:
                    headers.setdefault("strict-transport-security", self.hsts)
                if path.startswith(API_PREFIX):
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        deadline: asyncio.Timeout | None = None
        if not path.startswith(API_PREFIX) and _too_large(scope, path, self):
            await _answer(
                sending, scope, 413, "request_too_large", "The request body is too large."
            )
            return
        try:
            async with asyncio.timeout(self.timeout) as deadline:
                await self.app(scope, receive, sending)
        except TimeoutError:
            if started:
                raise
            log.warning("request_timeout", path=path, seconds=self.timeout)
            await _answer(
                sending,
                scope,
                503,
                "request_timeout",
                f"The request took longer than {self.timeout:g} seconds and was stopped; "
                "retry it with the same Idempotency-Key.",
                err_type="api_error",
            )


def _too_large(scope: Scope, path: str, mw: SecurityMiddleware) -> bool:
    limit = mw.max_upload if path.startswith(UPLOAD_PREFIXES) else mw.max_body
    for key, value in scope["headers"]:
        if key == b"content-length":
            try:
                return int(value) > limit
            except ValueError:
                return True
    return False


async def _answer(
    send: Send,
    scope: Scope,
    status: int,
    code: str,
    message: str,
    *,
    err_type: str = "invalid_request_error",
) -> None:
    request_id = scope.get("state", {}).get("request_id")
    body = error_body(err_type, code, message, request_id=request_id)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def cors_origins(settings: Settings) -> list[str]:
    return [o.strip().rstrip("/") for o in settings.cors_allow_origins.split(",") if o.strip()]


def cors_options(origins: list[str]) -> dict[str, object]:
    """CORS only for the configured origins; none configured, no CORS headers at all (a
    browser on another origin cannot read our answers)."""
    return {
        "allow_origins": origins,
        "allow_methods": ["GET", "POST", "DELETE"],
        "allow_headers": ["Authorization", "Content-Type", "Idempotency-Key", "Stripe-Version"],
        "expose_headers": ["Request-Id", "Idempotent-Replayed", "Stripe-Version"],
        "allow_credentials": False,
        "max_age": 600,
    }
