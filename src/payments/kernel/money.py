"""Money: integer minor units plus an ISO 4217 currency code.

Nothing here ever uses floats. The number of decimals of a currency (its
*exponent*) is ISO 4217's, from the ``iso4217`` package, never a guess (CLDR's
"usage" digits differ for a few, e.g. HUF 0 vs ISO 4217's 2, and are only used
for display). Which currencies are current comes from CLDR (Babel). Currency codes travel in lower case on the API (``"eur"``), as Stripe
does, and are normalised with :func:`normalize_currency`.

Errors::

    ValueError
     └── MoneyError
          ├── UnknownCurrency      code is not a current ISO 4217 currency
          ├── CurrencyMismatch     arithmetic across two currencies
          └── AmountOutOfRange     below the minimum / above the maximum
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency, get_territory_currencies
from iso4217 import Currency


class MoneyError(ValueError):
    """Base class for money rule violations."""


class UnknownCurrency(MoneyError):
    def __init__(self, code: str) -> None:
        super().__init__(f"Unknown or unsupported currency: {code!r}")
        self.code = code


class CurrencyMismatch(MoneyError):
    def __init__(self, left: str, right: str) -> None:
        super().__init__(f"Currency mismatch: {left} vs {right}")


class AmountOutOfRange(MoneyError):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@lru_cache(maxsize=1)
def _current_currencies() -> frozenset[str]:
    """Every currency that is legal tender somewhere today, per CLDR."""
    codes: set[str] = set()
    for territory in Locale("en").territories:  # CLDR keys: str, or int/None for no region
        if isinstance(territory, str) and len(territory) == 2 and territory.isalpha():
            codes.update(get_territory_currencies(territory, tender=True))
    return frozenset(codes)


def is_supported_currency(code: str) -> bool:
    return code.upper() in _current_currencies()


def normalize_currency(code: str) -> str:
    """Return the lower-case ISO 4217 code, or raise :class:`UnknownCurrency`."""
    if not isinstance(code, str) or len(code) != 3 or not code.isalpha():
        raise UnknownCurrency(str(code))
    if not is_supported_currency(code):
        raise UnknownCurrency(code)
    return code.lower()


def exponent(currency: str) -> int:
    """Decimals of the currency's minor unit per ISO 4217 (EUR 2, JPY 0, KWD 3, HUF 2)."""
    return _exponent(normalize_currency(currency).upper())


@lru_cache(maxsize=512)
def _exponent(code: str) -> int:
    value = Currency(code).exponent
    if value is None:
        raise UnknownCurrency(code)
    return int(value)


# Stripe's documented minimum charge amounts, in our minor units. Currencies
# not listed default to the equivalent of 0.50 major units.
_MINIMUM_CHARGE_MAJOR: dict[str, tuple[int, int]] = {
    # currency: (numerator, denominator) of major units
    "usd": (50, 100),
    "eur": (50, 100),
    "gbp": (30, 100),
    "chf": (50, 100),
    "sek": (300, 100),
    "nok": (300, 100),
    "dkk": (250, 100),
    "pln": (200, 100),
    "czk": (1500, 100),
    "huf": (17500, 100),
    "ron": (200, 100),
    "bgn": (100, 100),
    "jpy": (50, 1),
    "isk": (100, 1),
}


def minimum_charge_amount(currency: str) -> int:
    """Smallest chargeable amount in minor units (Stripe's minimums).

    Rounding: ``ROUND_UP`` to the next whole minor unit, so that the minimum we
    enforce is never below the gateway's.
    """
    cur = normalize_currency(currency)
    num, den = _MINIMUM_CHARGE_MAJOR.get(cur, (50, 100))
    scale: int = 10 ** exponent(cur)  # int ** int is typed Any (a negative power is a float)
    return -(-num * scale // den)  # ROUND_UP (ceiling division)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units of one currency. Immutable; never a float."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError("Money.amount must be an int of minor units")
        object.__setattr__(self, "currency", normalize_currency(self.currency))

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(self.currency, other.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def format(self, locale: str = "en") -> str:
        """Human display, e.g. ``€19.99``; exact (decimal string, no float)."""
        exp = exponent(self.currency)
        sign = "-" if self.amount < 0 else ""
        whole, frac = divmod(abs(self.amount), 10**exp)
        text = f"{sign}{whole}.{frac:0{exp}d}" if exp else f"{sign}{whole}"
        return format_currency(
            text,
            self.currency.upper(),
            locale=locale,
            currency_digits=True,
            decimal_quantization=False,
        )


def check_amount(amount: int, currency: str, *, maximum: int) -> None:
    """Validate a charge amount: at least the currency minimum, at most ``maximum``."""
    minimum = minimum_charge_amount(currency)
    if amount < minimum:
        raise AmountOutOfRange(
            f"Amount must be at least {Money(minimum, currency).format()} "
            f"({minimum} in minor units of {currency})",
            code="amount_too_small",
        )
    if amount > maximum:
        raise AmountOutOfRange(
            f"Amount must be no more than {maximum} minor units of {currency}",
            code="amount_too_large",
        )
