"""IP address -> country from geoip2fast's shipped database (the offline default).

geoip2fast (MIT) ships a compact country database built from MaxMind's GeoLite2 Country
data (CC BY-SA 4.0, "This product includes GeoLite2 data created by MaxMind, available
from https://www.maxmind.com"); new releases of the package refresh it. It covers IPv4;
IPv6 addresses it does not know answer None, and the country signals stay silent for
them rather than guess. Loading takes about 50 ms, once per process, on first use.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any


class GeoIP2FastLookup:
    @cached_property
    def _db(self) -> Any:
        from geoip2fast import GeoIP2Fast

        return GeoIP2Fast(verbose=False)

    def country(self, ip: str | None) -> str | None:
        if not ip:
            return None
        try:
            found = self._db.lookup(ip)
        except Exception:  # an address it cannot parse is an unknown country
            return None
        code = getattr(found, "country_code", None)
        if isinstance(code, str) and len(code) == 2 and code.isalpha():
            return code.upper()
        return None
