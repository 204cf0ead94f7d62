"""Which country an IP address is in: a port, and its offline default (a range table).

The table reads the Regional Internet Registries' "delegated" statistics format
(``registry|cc|type|start|value|date|status``; the RIRs publish these files freely at
ftp.ripe.net/pub/stats/, ftp.arin.net/pub/stats/, ...: point
``PAYMENTS_FRAUD_IP_COUNTRY_FILE`` at one or a concatenation of them). The service
ships ``fraud/data/ip_country_sample.txt`` in that format, holding only the IPv4
documentation ranges of RFC 5737 (TEST-NET-1/2/3, never allocated to anyone) assigned to
countries for tests and demos. With no file configured, real addresses are looked up in
geoip2fast's shipped database (``payments.fraud.adapters.geoip2fast_lookup``, GeoLite2
country data); addresses neither knows have no country, and the country signals stay
silent rather than guess.
"""

from __future__ import annotations

import bisect
import ipaddress
from collections.abc import Iterable
from typing import Protocol


class IpCountryLookup(Protocol):
    def country(self, ip: str | None) -> str | None:
        """ISO 3166-1 alpha-2 (upper case), or None when unknown."""


class FirstKnown:
    """Asks each lookup in turn; the first country found wins."""

    def __init__(self, *lookups: IpCountryLookup) -> None:
        self._lookups = lookups

    def country(self, ip: str | None) -> str | None:
        for lookup in self._lookups:
            found = lookup.country(ip)
            if found is not None:
                return found
        return None


class RangeTable:
    """Sorted IPv4/IPv6 ranges (start, end, country), looked up by bisection."""

    def __init__(self, ranges: Iterable[tuple[int, int, str]]) -> None:
        ordered = sorted(ranges)
        self._starts = [r[0] for r in ordered]
        self._ranges = ordered

    def __len__(self) -> int:
        return len(self._ranges)

    def country(self, ip: str | None) -> str | None:
        if not ip:
            return None
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return None
        # IPv6 values are shifted past the IPv4 space so both live in one sorted list
        value = int(address) + (1 << 32 if address.version == 6 else 0)
        index = bisect.bisect_right(self._starts, value) - 1
        if index < 0:
            return None
        start, end, country = self._ranges[index]
        return country if start <= value <= end else None

    @classmethod
    def from_delegated(cls, lines: Iterable[str]) -> RangeTable:
        """Parse RIR delegated statistics (``ipv4`` lines count addresses, ``ipv6`` lines
        give a prefix length); headers, summaries and comments are skipped."""
        ranges: list[tuple[int, int, str]] = []
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split("|")
            if len(parts) < 7 or parts[2] not in ("ipv4", "ipv6") or parts[1] in ("*", ""):
                continue
            if parts[6] not in ("allocated", "assigned"):
                continue
            country, kind, start, value = parts[1].upper(), parts[2], parts[3], int(parts[4])
            if kind == "ipv4":
                first = int(ipaddress.IPv4Address(start))
                ranges.append((first, first + value - 1, country))
            else:
                network = ipaddress.IPv6Network(f"{start}/{value}", strict=False)
                shift = 1 << 32
                ranges.append(
                    (
                        int(network.network_address) + shift,
                        int(network.broadcast_address) + shift,
                        country,
                    )
                )
        return cls(ranges)
