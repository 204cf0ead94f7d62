"""Pure ASGI middleware: request ids and access logs, then the ``/v1`` gate.

Order, outermost first:

1. :class:`RequestLogMiddleware` gives every response a ``Request-Id`` header,
   writes one JSON log line per request, and turns any unhandled exception
   into a 500 in the error shape, without a stack trace on the wire.
2. :class:`ApiGateMiddleware` (only under ``/v1``): reads the body up to the
   size limit (413 above it), authenticates the bearer key (401), applies the
   per-key rate limit (429), reads Stripe's form-encoded bodies into JSON (bracket
   notation, :mod:`payments.platform.http.forms`), accepts and echoes ``Stripe-Version``,
   and runs idempotency keys on POST and DELETE.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from payments.apikeys.service import Authenticator
from payments.gateways.simulator.testdata import CARDS_BY_NUMBER
from payments.idempotency.service import IdempotencyService, Proceed
from payments.kernel.errors import InvalidRequest, PaymentsError, RateLimited
from payments.kernel.ids import id_for
from payments.kernel.pan import pans_in
from payments.platform.http.errors import error_body, status_and_type
from payments.platform.http.forms import FORM_BODY, decode_form, normalize_query
from payments.platform.http.version import API_VERSION, valid_stripe_version
from payments.platform.logs import get_logger

log = get_logger("payments.http")

JSON = (b"content-type", b"application/json")
INTERNAL_ERROR = "An unexpected error occurred; it has been logged."


def _state(scope: Scope) -> MutableMapping[str, Any]:
    return scope.setdefault("state", {})


async def _send_json(
    send: Send, status: int, body: bytes, headers: list[Any] | None = None
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [JSON, (b"content-length", str(len(body)).encode()), *(headers or [])],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = id_for("request")
        state = _state(scope)
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled_error", request_id=request_id, path=_logged(scope["path"]))
            if not response_started:
                body = error_body(
                    "api_error", "internal_error", INTERNAL_ERROR, request_id=request_id
                )
                await _send_json(send_with_id, 500, body)
        finally:
            log.info(
                "request",
                request_id=request_id,
                method=scope["method"],
                path=_logged(scope["path"]),
                status=status,
                latency_ms=round((time.perf_counter() - started) * 1000, 2),
                api_key_id=state.get("api_key_id"),
                idempotent_replayed=state.get("idempotent_replayed") or None,
            )


_TOKEN_PAGES = ("/pay/", "/billing/update/")


def _logged(path: str) -> str:
    """A path as the logs may keep it: a pay link's or an update-payment-method link's
    token (``/pay/{token}...``, ``/billing/update/{token}...``) is a secret like an API
    key, and is redacted."""
    for prefix in _TOKEN_PAGES:
        if path.startswith(prefix) and not path.startswith("/pay/static/"):
            _, _, rest = path.removeprefix(prefix).partition("/")
            return f"{prefix}[redacted]" + (f"/{rest}" if rest else "")
    return path


def _request_hash(method: str, path: str, query: bytes, body: bytes) -> str:
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS) if body else b""
    except orjson.JSONDecodeError:
        canonical = body
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, canonical):
        digest.update(part)
        digest.update(b"\x00")
    return digest.hexdigest()


#: Routes that take a file instead of parameters: (method, path) -> the file's parameter.
UPLOADS: dict[tuple[str, str], str] = {("POST", "/v1/bank_statements"): "file"}
_MULTIPART_SLACK = 64 * 1024


def _foreign_pan(body: bytes) -> bool:
    return any(p not in CARDS_BY_NUMBER for p in pans_in(body))


def _with_header(send: Send, name: bytes, value: bytes) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), (name, value)]
        await send(message)

    return sending


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


class ApiGateMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        container_getter: Callable[[], Any],
        prefix: str = "/v1",
    ) -> None:
        self.app = app
        self.container_getter = container_getter
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        container = self.container_getter()
        state = _state(scope)
        request_id = state.get("request_id")
        version = _header(scope, b"stripe-version")
        echoed = (version if version and valid_stripe_version(version) else API_VERSION).encode()
        send = _with_header(send, b"stripe-version", echoed)

        async def fail(exc: PaymentsError, headers: list[Any] | None = None) -> None:
            status, err_type = status_and_type(exc)
            body = error_body(err_type, exc.code, exc.message, exc.param, request_id=request_id)
            await _send_json(send, status, body, headers)

        upload = UPLOADS.get((scope["method"], scope["path"].rstrip("/")))
        if upload is not None:  # a file, not parameters: its own limit, passed on as sent
            await self._upload(scope, receive, send, container, upload, fail)
            return
        body = await self._read_body(scope, receive, container.settings.max_body_bytes)
        if body is None:
            body_out = error_body(
                "invalid_request_error",
                "request_too_large",
                f"Request bodies may be at most {container.settings.max_body_bytes} bytes.",
                request_id=request_id,
            )
            await _send_json(send, 413, body_out)
            return

        if body and _foreign_pan(body):
            # checked before anything else, so a real card number is never processed,
            # stored or logged; only the gateway's published test numbers pass
            await fail(
                InvalidRequest(
                    "Raw card numbers are not accepted here (PCI DSS): collect cards with "
                    "the gateway's hosted fields, or use a published test card in test mode.",
                    code="pan_not_allowed",
                )
            )
            return

        authenticator: Authenticator = container.authenticator
        try:
            principal = await authenticator.authenticate(_header(scope, b"authorization"))
        except PaymentsError as exc:
            await fail(exc, [(b"www-authenticate", b'Bearer realm="payments"')])
            return
        state["principal"] = principal
        state["api_key_id"] = principal.api_key_id

        if not await container.rate_limiter.hit(principal.api_key_id):
            await fail(
                RateLimited("Too many requests; slow down.", code="rate_limit"),
                [(b"retry-after", b"1")],
            )
            return

        if version is not None and not valid_stripe_version(version):
            await fail(
                InvalidRequest(
                    f"Invalid Stripe-Version header {version[:40]!r}: a date such as "
                    f"{API_VERSION} (with an optional .name suffix) is expected.",
                    code="api_version_invalid",
                    param="Stripe-Version",
                )
            )
            return
        scope["query_string"] = normalize_query(scope.get("query_string", b""))
        try:
            body, form = self._json_body(scope, body)
            if form and _foreign_pan(body):  # as decoded: "4000+0566+..." is a number too
                raise InvalidRequest(
                    "Raw card numbers are not accepted here (PCI DSS): collect cards with "
                    "the gateway's hosted fields, or use a published test card in test mode.",
                    code="pan_not_allowed",
                )
        except PaymentsError as exc:
            await fail(exc)
            return
        token = FORM_BODY.set(form)
        try:
            replay_receive = self._replay(body, receive)
            key = _header(scope, b"idempotency-key")
            if key is None or scope["method"] not in ("POST", "DELETE"):
                await self.app(scope, replay_receive, send)
                return
            state["idempotency_key"] = key
            await self._idempotent(
                scope, replay_receive, send, container.idempotency, key, body, fail
            )
        finally:
            FORM_BODY.reset(token)

    async def _upload(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        container: Any,
        param: str,
        fail: Callable[..., Awaitable[None]],
    ) -> None:
        """A route that takes a file (the body as its own content type, or multipart):
        up to ``max_upload_bytes`` (a 400 naming the file above it), authenticated, rate
        limited and idempotent like any other request, but not read as parameters and
        not refused for card-number-like digits (a bank statement is full of long
        reference numbers; the capability redacts what it keeps)."""
        limit = container.settings.max_upload_bytes
        # multipart framing around the file: a little more than the file may arrive
        body = await self._read_body(scope, receive, limit + _MULTIPART_SLACK)
        if body is None:
            await fail(
                InvalidRequest(
                    f"The file is larger than {limit} bytes, the most accepted.",
                    code="file_too_large",
                    param=param,
                )
            )
            return
        authenticator: Authenticator = container.authenticator
        try:
            principal = await authenticator.authenticate(_header(scope, b"authorization"))
        except PaymentsError as exc:
            await fail(exc, [(b"www-authenticate", b'Bearer realm="payments"')])
            return
        state = _state(scope)
        state["principal"] = principal
        state["api_key_id"] = principal.api_key_id
        if not await container.rate_limiter.hit(principal.api_key_id):
            await fail(
                RateLimited("Too many requests; slow down.", code="rate_limit"),
                [(b"retry-after", b"1")],
            )
            return
        version = _header(scope, b"stripe-version")
        if version is not None and not valid_stripe_version(version):
            await fail(
                InvalidRequest(
                    f"Invalid Stripe-Version header {version[:40]!r}: a date such as "
                    f"{API_VERSION} (with an optional .name suffix) is expected.",
                    code="api_version_invalid",
                    param="Stripe-Version",
                )
            )
            return
        scope["query_string"] = normalize_query(scope.get("query_string", b""))
        replay_receive = self._replay(body, receive)
        key = _header(scope, b"idempotency-key")
        if key is None:
            await self.app(scope, replay_receive, send)
            return
        state["idempotency_key"] = key
        await self._idempotent(scope, replay_receive, send, container.idempotency, key, body, fail)

    async def _idempotent(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        service: IdempotencyService,
        key: str,
        body: bytes,
        fail: Callable[[PaymentsError], Awaitable[None]],
    ) -> None:
        state = _state(scope)
        try:
            outcome = await service.begin(
                api_key_id=state["api_key_id"],
                key=key,
                method=scope["method"],
                path=scope["path"],
                request_hash=_request_hash(
                    scope["method"], scope["path"], scope.get("query_string", b""), body
                ),
            )
        except PaymentsError as exc:
            await fail(exc)
            return
        if not isinstance(outcome, Proceed):
            state["idempotent_replayed"] = True
            await _send_json(
                send, outcome.status, outcome.body, [(b"idempotent-replayed", b"true")]
            )
            return

        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        try:
            async with service.hold(outcome):  # the lease lives as long as this request
                await self.app(scope, receive, capture)
        except Exception:
            # The request may have moved money before it failed: its key keeps the 500 (as
            # at Stripe), so that a retry with it cannot run the request a second time.
            # (Cancelled, it stays in progress like a crashed one: its lease lapses, a retry resumes.)
            body_500 = error_body(
                "api_error", "internal_error", INTERNAL_ERROR, request_id=state.get("request_id")
            )
            await service.complete(outcome.record_id, 500, body_500)
            raise
        start = next(m for m in messages if m["type"] == "http.response.start")
        status = int(start["status"])
        response_body = b"".join(
            m.get("body", b"") for m in messages if m["type"] == "http.response.body"
        )
        # a 5xx is kept too, unless the error says nothing happened (gateway unreachable)
        not_executed = state.get("idempotency_not_executed") or status in (401, 403, 409, 429)
        if not_executed:
            await service.release(outcome.record_id)
        else:
            await service.complete(outcome.record_id, status, response_body)
        for message in messages:
            await send(message)

    @staticmethod
    async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes | None:
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    @staticmethod
    def _json_body(scope: Scope, body: bytes) -> tuple[bytes, bool]:
        """The body as JSON, and whether it came form-encoded (Stripe's SDKs send that).

        A JSON-looking body is JSON whatever its declared type (curl's ``-d`` declares a
        form); an empty POST body is ``{}`` (Stripe's SDKs send none for "no parameters").
        """
        content_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        stripped = body.lstrip()
        form = False
        if content_type.startswith("multipart/"):
            raise InvalidRequest(
                "Multipart bodies are not accepted: send the parameters as JSON or "
                "form-encoded (application/x-www-form-urlencoded).",
                code="invalid_form",
            )
        if not stripped:
            body = b"{}" if scope["method"] == "POST" else b""
        elif stripped[:1] not in (b"{", b"[") and content_type in (
            "",
            "application/x-www-form-urlencoded",
        ):
            body, form = orjson.dumps(decode_form(body)), True
        if body or content_type in ("", "application/x-www-form-urlencoded"):
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
            scope["headers"] = [*headers, JSON] if body else headers
        return body, form

    @staticmethod
    def _replay(body: bytes, original: Receive) -> Receive:
        """The body read by the gate, given to the app once; after it, the client's own
        messages (a streamed response listens for ``http.disconnect``, which must come
        when the client really leaves, not at once)."""
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await original()

        return receive
