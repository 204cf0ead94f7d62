"""A fake Stripe API over real HTTP, for driving the official ``stripe`` SDK in tests.

::

    with FakeStripe() as fake:                     # 127.0.0.1, a free port, a thread
        gateway = StripeGateway(ClientConfig(secret_key=fake.api_key,
                                             api_base=fake.base_url))
        fake.inject("lock_timeout", path="/v1/payment_intents")   # 429, then retried
        ...
        assert fake.count("payment_intent") == 1

Every request is checked as Stripe checks it: the route and method, the
``Authorization: Bearer`` key (401 otherwise), a ``Stripe-Version`` header
(optionally a pinned one), form-encoded parameters with nested keys and
unknown parameters rejected (``parameter_unknown``), and an ``Idempotency-Key``
on every POST (the fake insists: our adapter must always send one). A key is
replayed for the same request (``Idempotent-Replayed: true``) and refused
with ``idempotency_error`` for a different one; results are stored once
execution began (200 and 402), never for validation errors. Objects are built
from Stripe's fixtures (:mod:`.fake_stripe_objects`) and keep state
(:mod:`.fake_stripe_world`, :mod:`.fake_stripe_account`).

Faults (:meth:`FakeStripe.inject`), each for ``times`` matching requests:

=================  =========================================================
``rate_limit``     429 ``rate_limit`` before processing (the SDK does not retry)
``lock_timeout``   429 ``lock_timeout`` + ``Stripe-Should-Retry: true`` (retried)
``api_error``      500 ``api_error`` before processing (the SDK retries 5xx)
``invalid``        400 ``invalid_request_error`` with the given code / param
``drop``           closes the connection before processing, no response
``lost_response``  processes (and stores the idempotent result), then closes
``hang``           processes, then holds the connection past the client timeout
=================  =========================================================
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from . import fake_stripe_objects as o
from .fake_stripe_account import Account
from .fake_stripe_errors import ApiError, Obj
from .fake_stripe_params import SCHEMAS, ParamError, check, decode

DEFAULT_API_KEY = "sk_test_fake51Hx0000000000000000000000"
FAULT_KINDS = (
    "rate_limit",
    "lock_timeout",
    "api_error",
    "invalid",
    "drop",
    "lost_response",
    "hang",
)
_ID = r"(?P<id>[A-Za-z0-9_]+)"
ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (method, re.compile(f"^/v1/{pattern}$"), name)
    for method, pattern, name in (
        ("POST", "payment_intents", "payment_intents"),
        ("GET", "payment_intents/search", "payment_intents_search"),
        ("GET", f"payment_intents/{_ID}", "payment_intent"),
        ("POST", f"payment_intents/{_ID}/capture", "payment_intent_capture"),
        ("POST", f"payment_intents/{_ID}/cancel", "payment_intent_cancel"),
        (
            "POST",
            f"payment_intents/{_ID}/increment_authorization",
            "payment_intent_increment_authorization",
        ),
        ("POST", "refunds", "refunds"),
        ("GET", f"refunds/{_ID}", "refund"),
        ("POST", f"refunds/{_ID}/cancel", "refund_cancel"),
        ("POST", "payment_methods", "payment_methods"),
        ("GET", f"payment_methods/{_ID}", "payment_method"),
        ("POST", "customers", "customers"),
        ("GET", f"customers/{_ID}", "customer"),
        ("POST", "setup_intents", "setup_intents"),
        ("POST", f"setup_intents/{_ID}/confirm", "setup_intent_confirm"),
        ("GET", f"setup_intents/{_ID}", "setup_intent"),
        ("POST", f"setup_intents/{_ID}/cancel", "setup_intent_cancel"),
        ("GET", f"disputes/{_ID}", "dispute"),
        ("POST", f"disputes/{_ID}/close", "dispute_close"),
        ("POST", f"disputes/{_ID}", "dispute"),
        ("GET", "balance_transactions", "balance_transactions"),
        ("GET", f"balance_transactions/{_ID}", "balance_transaction"),
        ("GET", "payouts", "payouts"),
        ("GET", f"payouts/{_ID}", "payout"),
        ("GET", "events", "events"),
        ("POST", "terminal/readers", "terminal_readers"),
        ("GET", f"terminal/readers/{_ID}", "terminal_reader"),
        ("POST", f"terminal/readers/{_ID}/process_payment_intent", "reader_process"),
        ("POST", f"terminal/readers/{_ID}/refund_payment", "reader_refund"),
        ("POST", f"terminal/readers/{_ID}/set_reader_display", "reader_display"),
        ("POST", f"terminal/readers/{_ID}/cancel_action", "reader_cancel"),
        ("POST", "terminal/connection_tokens", "connection_tokens"),
        ("POST", f"test_helpers/terminal/readers/{_ID}/present_payment_method", "reader_present"),
    )
)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    params: Obj


@dataclass
class Fault:
    kind: str
    method: str | None
    path: str | None
    times: int
    code: str | None = None
    param: str | None = None
    status: int = 400


@dataclass
class _Stored:
    request: tuple[str, str, str]  # method, path, canonical params
    status: int = 0
    body: Obj = field(default_factory=dict)
    done: bool = False


class FakeStripe:
    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        require_version: str | None = None,
        hang_seconds: float = 10.0,
    ) -> None:
        self.api_key = api_key
        self.require_version = require_version
        self.hang_seconds = hang_seconds
        self.state = Account()
        self.requests: list[Recorded] = []
        self.errors: list[BaseException] = []
        self.lock = threading.RLock()
        self._faults: list[Fault] = []
        self._idempotency: dict[str, _Stored] = {}
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._sockets: set[socket.socket] = set()

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        assert self._server is not None, "FakeStripe is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeStripe:
        fake = self

        class Handler(_Handler):
            stripe = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            with self.lock:
                for sock in list(self._sockets):
                    _shutdown(sock)
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ test controls

    def inject(
        self,
        kind: str,
        *,
        method: str | None = "POST",
        path: str | None = "/v1/payment_intents",
        times: int = 1,
        code: str | None = None,
        param: str | None = None,
        status: int = 400,
    ) -> None:
        """Make the next ``times`` requests matching ``method`` and ``path`` fail."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}")
        with self.lock:
            self._faults.append(Fault(kind, method, path, times, code, param, status))

    def release(self) -> None:
        """Let hanging requests end (they close without a response)."""
        self._release.set()

    def count(self, kind: str) -> int:
        with self.lock:
            return self.state.count(kind)

    def calls(self, method: str, path: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.method == method and r.path == path]

    def complete_3ds(self, pi_id: str, *, succeed: bool = True) -> None:
        with self.lock:
            self.state.complete_3ds(pi_id, succeed)

    def authorize_local(self, pi_id: str, *, succeed: bool = True) -> None:
        """The customer authorizes (or fails) a local method payment (iDEAL, BLIK, ...)."""
        with self.lock:
            self.state.authorize_local(pi_id, succeed)

    def settle_sepa(self, pi_id: str) -> None:
        with self.lock:
            self.state.settle_sepa(pi_id)

    def open_dispute(
        self, pi_id: str, reason: str = "fraudulent", *, withdraw_after_created: bool = False
    ) -> str:
        with self.lock:
            dispute = self.state.open_dispute(
                pi_id, reason, withdraw_after_created=withdraw_after_created
            )
            return str(dispute["id"])

    def settle_in(self, currency: str, *, rate: tuple[int, int]) -> None:
        """Settle charges in other currencies into ``currency`` at ``rate`` (num, den):
        their balance transactions, fees included, are in ``currency``, as at Stripe."""
        with self.lock:
            self.state.settlement = (currency, *rate)

    def pay_out(self, currency: str = "eur", *, arrival_date: int | None = None) -> str:
        """An automatic payout of every balance transaction in ``currency`` not yet paid
        out (its id); ``paid`` on ``arrival_date`` (default: now)."""
        with self.lock:
            return str(self.state.pay_out(currency, arrival_date)["id"])

    def fail_refund(self, refund_id: str) -> None:
        with self.lock:
            self.state.fail_refund(refund_id)

    def require_refund_action(self, refund_id: str) -> None:
        with self.lock:
            self.state.require_refund_action(refund_id)

    # ------------------------------------------------------------------ request handling

    def _take_fault(self, method: str, path: str, phase: tuple[str, ...]) -> Fault | None:
        with self.lock:
            for fault in self._faults:
                if (
                    fault.kind in phase
                    and fault.times > 0
                    and fault.method in (None, method)
                    and (fault.path is None or fnmatchcase(path, fault.path))
                ):
                    fault.times -= 1
                    return fault
        return None

    def handle(self, method: str, path: str, headers: dict[str, str], body: str) -> Any:
        """Returns (status, body, extra headers), or a fault kind string to act on."""
        params = decode(body)
        with self.lock:
            self.requests.append(Recorded(method, path, headers, params))
        if headers.get("authorization") != f"Bearer {self.api_key}":
            key = headers.get("authorization", "").removeprefix("Bearer ")
            message = f"Invalid API Key provided: {key[:8]}****{key[-4:]}"
            return 401, o.error_body("invalid_request_error", message), {}
        version = headers.get("stripe-version")
        if not version or (self.require_version and version != self.require_version):
            message = f"Invalid Stripe API version: {version}"
            return 400, o.error_body("invalid_request_error", message), {}
        route = next(
            ((name, m) for verb, rx, name in ROUTES if verb == method and (m := rx.match(path))),
            None,
        )
        if route is None:
            message = f"Unrecognized request URL ({method}: {path})."
            return 404, o.error_body("invalid_request_error", message), {}
        name, match = route
        fault = self._take_fault(method, path, ("rate_limit", "lock_timeout", "api_error"))
        fault = fault or self._take_fault(method, path, ("invalid", "drop"))
        if fault is not None:
            return _fault_response(fault)
        key = headers.get("idempotency-key")
        if method == "POST" and not key:
            return 400, o.error_body("invalid_request_error", "fake: Idempotency-Key required"), {}
        canonical = (method, path, json.dumps(params, sort_keys=True))
        with self.lock:
            stored = self._idempotency.get(key or "") if method == "POST" else None
            if stored is not None:
                if stored.request != canonical:
                    message = (
                        "Keys for idempotent requests can only be used with the same parameters "
                        f"they were first used with. Try using a key other than '{key}'."
                    )
                    return 400, o.error_body("idempotency_error", message), {}
                if not stored.done:
                    message = "There is currently another in-progress request using this key."
                    return 409, o.error_body("idempotency_error", message), {}
                response = stored.status, stored.body, {"Idempotent-Replayed": "true"}
                return self._after(method, path, response)
            try:
                check(params, SCHEMAS[(method, name)])
                self.state.idempotency_key = key
                status, result = (
                    200,
                    self.state.dispatch(f"{method} {name}", match.groupdict().get("id"), params),
                )
            except ParamError as exc:
                return (
                    400,
                    o.error_body(
                        "invalid_request_error", exc.message, code=exc.code, param=exc.param
                    ),
                    {},
                )
            except ApiError as exc:
                status, result = exc.status, exc.body
            if method == "POST" and key and status in (200, 402):
                self._idempotency[key] = _Stored(canonical, status, result, done=True)
        return self._after(method, path, (status, result, {}))

    def _after(self, method: str, path: str, response: Any) -> Any:
        """Processed: a ``lost_response`` / ``hang`` fault now loses the response."""
        fault = self._take_fault(method, path, ("lost_response", "hang"))
        return fault.kind if fault is not None else response


def _fault_response(fault: Fault) -> Any:
    if fault.kind == "drop":
        return "drop"
    if fault.kind == "rate_limit":
        message = "Too many requests hit the API too quickly."
        return 429, o.error_body("invalid_request_error", message, code="rate_limit"), {}
    if fault.kind == "lock_timeout":
        message = (
            "This object cannot be accessed right now because another API request is using it."
        )
        body = o.error_body("invalid_request_error", message, code="lock_timeout")
        return 429, body, {"Stripe-Should-Retry": "true"}
    if fault.kind == "api_error":
        return 500, o.error_body("api_error", "An unknown error occurred (fake)."), {}
    message = f"Injected invalid request ({fault.code})."
    body = o.error_body("invalid_request_error", message, code=fault.code, param=fault.param)
    return fault.status, body, {}


def _shutdown(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    stripe: FakeStripe
    protocol_version = "HTTP/1.1"
    timeout = 30

    def setup(self) -> None:
        super().setup()
        with self.stripe.lock:
            self.stripe._sockets.add(self.connection)

    def finish(self) -> None:
        with self.stripe.lock:
            self.stripe._sockets.discard(self.connection)
        with suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        try:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            body = url.query if method == "GET" else body
            headers = {k.lower(): v for k, v in self.headers.items()}
            outcome = self.stripe.handle(method, url.path, headers, body)
        except Exception as exc:  # a bug in the fake: make the test see it
            self.stripe.errors.append(exc)
            outcome = (500, o.error_body("api_error", f"fake crashed: {exc!r}"), {})
        if outcome == "hang":
            self.stripe._release.wait(self.stripe.hang_seconds)
            outcome = "drop"
        if outcome == "drop":
            self.close_connection = True
            _shutdown(self.connection)
            return
        status, payload, extra = outcome
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", o.new_id("req"))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def running_fake_stripe(**kwargs: Any) -> Iterator[FakeStripe]:
    fake = FakeStripe(**kwargs).start()
    try:
        yield fake
    finally:
        fake.close()
    if fake.errors:
        raise AssertionError(f"the fake Stripe crashed: {fake.errors!r}")
