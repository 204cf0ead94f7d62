"""The SSRF guard: webhooks go to public addresses only, checked at connect time.

:class:`GuardedBackend` is an ``httpcore`` network backend that resolves the host
itself, refuses the connection when any address it resolves to is private,
loopback, link-local, multicast, reserved or unspecified (see
:func:`payments.webhooks.domain.endpoint.forbidden_reason`), and then connects to the very
address it checked, so DNS cannot be changed between the check and the connect
(DNS rebinding). Hosts on the allow-list (``PAYMENTS_WEBHOOK_ALLOW_HTTP_HOSTS``)
skip the address check. TLS still verifies the certificate against the host name.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Iterable

import httpcore

from payments.webhooks.domain.endpoint import forbidden_reason, parse_address

Resolver = Callable[[str, int], Awaitable[list[str]]]


class AddressRefused(Exception):
    """The webhook's host resolves to an address webhooks may not be sent to."""


async def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the system resolver, off the event loop)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, allowed_hosts: Iterable[str], resolver: Resolver = resolve) -> None:
        self._allowed = frozenset(allowed_hosts)
        self._resolve = resolver
        self._inner = httpcore.AnyIOBackend()

    async def vet(self, host: str, port: int) -> str:
        """The address to connect to, or :class:`AddressRefused`."""
        host = host.strip("[]").lower()
        literal = parse_address(host)
        addresses = [str(literal)] if literal is not None else await self._resolve(host, port)
        if not addresses:
            raise AddressRefused(f"{host} did not resolve to any address")
        if host in self._allowed:
            return addresses[0]
        for address in addresses:
            parsed = parse_address(address.split("%", 1)[0])
            reason = forbidden_reason(parsed) if parsed is not None else "not an IP address"
            if reason is not None:
                raise AddressRefused(
                    f"Refused to connect to {host}: it resolves to {address}, {reason} "
                    "(SSRF protection; allow the host with PAYMENTS_WEBHOOK_ALLOW_HTTP_HOSTS "
                    "if this is intended)."
                )
        return addresses[0]

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's backend interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            address = await asyncio.wait_for(self.vet(host, port), timeout)
        except OSError as exc:
            raise httpcore.ConnectError(f"could not resolve {host}: {exc}") from exc
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        return await self._inner.connect_tcp(
            address,
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's backend interface
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("webhooks are never sent to unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
