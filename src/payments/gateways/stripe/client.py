"""Building ``stripe.StripeClient`` instances (never SDK globals) and tracing attempts.

The SDK retries a request itself (``max_network_retries``) on connection
errors, 409, 5xx and 429s that Stripe marks ``Stripe-Should-Retry: true``,
always with the same ``Idempotency-Key``. Only the last attempt's error
reaches us, yet "provably not processed" must hold for *every* attempt: a
read timeout followed by a refused connection is still an unknown outcome.
:class:`TracingHTTPXClient` therefore records how each attempt of the current
call ended (see :func:`traced`):

* ``NOT_SENT``: the connection could not be made (``httpx.ConnectError``,
  ``ConnectTimeout``, ``PoolTimeout``, ``UnsupportedProtocol``): the request
  never left this process.
* ``MAYBE_SENT``: any other transport error (read/write timeout, connection
  reset, server disconnected): Stripe may have processed it.
* an ``int``: the HTTP status Stripe answered with.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final

import httpx
import stripe

NOT_SENT: Final = "not_sent"
MAYBE_SENT: Final = "maybe_sent"
Attempt = str | int

CONNECT_TIMEOUT_SECONDS = 5.0
_NOT_SENT_ERRORS = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)
_ATTEMPTS: ContextVar[list[Attempt] | None] = ContextVar("stripe_attempts", default=None)


@contextmanager
def traced() -> Iterator[list[Attempt]]:
    """Record the attempts of the Stripe calls made inside the block (this task only)."""
    attempts: list[Attempt] = []
    token = _ATTEMPTS.set(attempts)
    try:
        yield attempts
    finally:
        _ATTEMPTS.reset(token)


class TracingHTTPXClient(stripe.HTTPXClient):
    """The SDK's async httpx client, noting how each attempt ended (async use only).

    It also hands the form-encoded body to httpx as ``content=``: the SDK passes the
    encoded string as ``data=``, which httpx deprecates (a DeprecationWarning per call).
    """

    def _get_request_args_kwargs(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any
    ) -> list[Any]:
        args = super()._get_request_args_kwargs(method, url, headers, post_data)
        kwargs = args[1]
        if isinstance(kwargs.get("data"), (str, bytes)):
            kwargs["content"] = kwargs.pop("data")
        elif not kwargs.get("data"):
            kwargs.pop("data", None)
        return args

    async def request_async(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        attempts = _ATTEMPTS.get()
        try:
            response = await super().request_async(method, url, headers, post_data)
        except stripe.APIConnectionError as exc:
            if attempts is not None:
                cause = exc.__cause__
                attempts.append(NOT_SENT if isinstance(cause, _NOT_SENT_ERRORS) else MAYBE_SENT)
            raise
        if attempts is not None:
            attempts.append(response[1])
        return response


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientConfig:
    secret_key: str
    api_version: str | None = None  # None: the version the SDK was generated for
    api_base: str | None = None  # None: https://api.stripe.com
    max_network_retries: int = 2
    timeout_seconds: float = 30.0

    def __repr__(self) -> str:  # the key never appears in logs or tracebacks
        return (
            f"ClientConfig(api_version={self.api_version!r}, api_base={self.api_base!r}, "
            f"max_network_retries={self.max_network_retries}, "
            f"timeout_seconds={self.timeout_seconds})"
        )


def build_client(config: ClientConfig) -> tuple[stripe.StripeClient, TracingHTTPXClient]:
    """A StripeClient using async httpx; the caller closes the HTTP client it gets back."""
    timeout = httpx.Timeout(
        config.timeout_seconds, connect=min(CONNECT_TIMEOUT_SECONDS, config.timeout_seconds)
    )
    http_client = TracingHTTPXClient(timeout=timeout)
    client = stripe.StripeClient(
        config.secret_key,
        stripe_version=config.api_version,
        base_addresses={"api": config.api_base.rstrip("/")} if config.api_base else None,
        max_network_retries=config.max_network_retries,
        http_client=http_client,
    )
    return client, http_client


def api_version_sent(config: ClientConfig) -> str:
    """The ``Stripe-Version`` a client built from ``config`` sends: the pin, or the SDK's."""
    return config.api_version or str(stripe.api_version)
