"""Countries, locales and time zones, checked against CLDR (Babel) and the tz database."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale, UnknownLocaleError
from babel.numbers import get_territory_currencies

from payments.kernel.errors import InvalidRequest

# Two-letter CLDR territories where nobody lives at an address: groupings (the EU, the euro
# area, the UN, outlying Oceania), the unknown region and the pseudo-locales' regions.
# Places ISO 3166 reserves but CLDR lists (AC, IC, TA, ...) and Kosovo (XK) stay countries.
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    return frozenset(
        t
        for t in Locale("en").territories  # CLDR keys: str, or int/None for no region
        if isinstance(t, str) and len(t) == 2 and t.isalpha() and t not in NOT_COUNTRIES
    )


def normalize_country(code: str, *, param: str = "country") -> str:
    """ISO 3166-1 alpha-2, upper case, or :class:`InvalidRequest` naming ``param``."""
    upper = code.upper() if isinstance(code, str) else ""
    if len(upper) != 2 or upper not in _countries():
        raise InvalidRequest(
            f"Invalid country: {code!r} is not an ISO 3166-1 alpha-2 country code",
            code="country_invalid",
            param=param,
        )
    return upper


def country_currency(country: str) -> str:
    """The currency in use in a country today, lower case (DE -> eur, CH -> chf)."""
    currencies = get_territory_currencies(country, tender=True)
    if not currencies:
        raise InvalidRequest(f"No current currency for country {country}", param="country")
    return str(currencies[0]).lower()


def normalize_locale(tag: str, *, param: str = "preferred_locales") -> str:
    try:
        locale = Locale.parse(tag.replace("_", "-"), sep="-")
    except (ValueError, UnknownLocaleError, TypeError):
        raise InvalidRequest(
            f"Invalid locale: {tag!r}", code="locale_invalid", param=param
        ) from None
    return str(locale).replace("_", "-")


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_timezone(name: str, *, param: str = "timezone") -> str:
    if name not in _zones():
        raise InvalidRequest(f"Invalid IANA time zone: {name!r}", param=param)
    try:
        ZoneInfo(name)
    except ZoneInfoNotFoundError:
        raise InvalidRequest(f"Invalid IANA time zone: {name!r}", param=param) from None
    return name
