"""Webhook endpoints: what they subscribe to and where they may point.

Pure rules, no I/O:

- ``enabled_events`` holds exact types from :data:`payments.events.domain.EVENT_TYPES`,
  ``*`` (everything) or a resource wildcard such as ``customer.*``; anything else is
  refused, naming ``enabled_events[i]``.
- An endpoint receives an event when it subscribes to its type, is enabled, has the
  same ``livemode``, already existed when the event happened, and (for an endpoint
  registered with a shop-restricted key) the event belongs to that shop.
- URLs are ``https``; plain ``http`` and private, loopback, link-local, multicast,
  reserved or unspecified addresses are allowed only for hosts on the allow-list
  (``PAYMENTS_WEBHOOK_ALLOW_HTTP_HOSTS``), so a webhook cannot be aimed at the
  service's own network (SSRF). The same address rule is applied again at send time
  to whatever the host name resolves to.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from payments.events.domain import EVENT_TYPES
from payments.kernel.errors import InvalidRequest

MAX_URL_LENGTH = 2048
WILDCARD = "*"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class EndpointStatus(StrEnum):
    enabled = "enabled"
    disabled = "disabled"


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    id: str
    url: str
    enabled_events: list[str]
    created: datetime
    description: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    status: EndpointStatus = EndpointStatus.enabled
    location_id: str | None = None
    livemode: bool = False
    failing_since: datetime | None = None

    @property
    def enabled(self) -> bool:
        return self.status is EndpointStatus.enabled

    def receives(
        self,
        event_type: str,
        *,
        location_id: str | None,
        livemode: bool,
        created: datetime,
    ) -> bool:
        """Whether an event fans out to this endpoint (see the module docstring)."""
        return (
            self.enabled
            and livemode == self.livemode
            and created >= self.created
            and (self.location_id is None or self.location_id == location_id)
            and subscribes(self.enabled_events, event_type)
        )


def _wildcard_prefix(pattern: str) -> str | None:
    return pattern[:-1] if pattern.endswith(".*") and len(pattern) > 2 else None


def subscribes(enabled_events: Iterable[str], event_type: str) -> bool:
    for pattern in enabled_events:
        if pattern in (WILDCARD, event_type):
            return True
        prefix = _wildcard_prefix(pattern)
        if prefix is not None and event_type.startswith(prefix):
            return True
    return False


def validate_enabled_events(enabled_events: Sequence[str]) -> list[str]:
    """Known types, ``*`` or ``resource.*``; duplicates dropped, order kept."""
    if not enabled_events:
        raise InvalidRequest(
            "enabled_events must name at least one event type (or '*')",
            param="enabled_events",
        )
    cleaned: list[str] = []
    for i, pattern in enumerate(enabled_events):
        prefix = _wildcard_prefix(pattern)
        known = (
            pattern == WILDCARD
            or pattern in EVENT_TYPES
            or (prefix is not None and any(t.startswith(prefix) for t in EVENT_TYPES))
        )
        if not known:
            raise InvalidRequest(
                f"Invalid enabled_events[{i}]: '{pattern}' is not a known event type, "
                "'*', or a wildcard such as 'customer.*'. See docs/reference/webhook-events.md.",
                param=f"enabled_events[{i}]",
            )
        if pattern not in cleaned:
            cleaned.append(pattern)
    return cleaned


def forbidden_reason(address: IPAddress) -> str | None:
    """Why a webhook may not be sent to this address, or None when it is a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("not globally routable", not address.is_global),
    )
    return next((f"a {name} address" for name, hit in checks if hit), None)


def parse_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def validate_endpoint_url(url: str, *, allowed_hosts: frozenset[str]) -> str:
    """Refuse URLs a webhook may not be sent to; return the URL unchanged otherwise."""

    def bad(message: str) -> InvalidRequest:
        return InvalidRequest(f"Invalid url: {message}", code="url_invalid", param="url")

    if len(url) > MAX_URL_LENGTH:
        raise bad(f"it may be at most {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise bad(str(exc)) from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise bad("it must be an absolute https:// URL")
    if port == 0:
        raise bad("port 0 is not a valid port")
    allowed = host in allowed_hosts
    if parts.scheme == "http" and not allowed:
        raise bad(
            "webhook URLs must use https (plain http is allowed only for hosts listed in "
            "PAYMENTS_WEBHOOK_ALLOW_HTTP_HOSTS)"
        )
    address = parse_address(host)
    reason = forbidden_reason(address) if address is not None else None
    if reason is not None and not allowed:
        raise bad(f"{host} is {reason}; webhooks are only sent to public addresses")
    return url
