"""Our amounts (ISO 4217 minor units) to Stripe's ``amount`` integers and back.

Stripe's rules, from docs.stripe.com/currencies ("Specify amounts in API
requests", "Special cases", "Minimum and maximum charge amounts"):

* Currencies are two-decimal unless listed otherwise.
* Zero-decimal: BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF VND VUV XAF XOF XPF
  (Stripe also lists UGX here, but its special-case row governs, see below).
* Three-decimal (BHD JOD KWD OMR TND): the last digit must be 0, i.e. the
  amount is a multiple of 10 thousandths.
* ISK and UGX "transitioned to a zero-decimal currency, but backward
  compatibility requires you to represent it as a two-decimal value, where the
  decimal amount is always 00": 5 ISK is ``500``. ISO 4217 (our exponent) says
  0 decimals, so we multiply by 100 and Stripe's amount is always a multiple
  of 100.
* HUF and TWD are two-decimal for charges (as in ISO 4217, so amounts pass
  unchanged); Stripe "treats HUF/TWD as a zero-decimal currency for payouts":
  a payout amount must be a multiple of 100 (see :func:`payout_to_stripe`).
* Minimum charge amounts per currency (in major units), for the currencies
  Stripe lists; others are checked by Stripe after conversion to the
  settlement currency, and its ``amount_too_small`` error is mapped like any
  other invalid request.

Conversion is exact: a value that cannot be represented on the other side
raises :class:`CurrencyRuleError` (never silently rounded). Fees are the one
named exception: :func:`fee_from_stripe` rounds ``ROUND_HALF_UP`` to our minor
unit, because Stripe computes fees to its own unit (e.g. hundredths of ISK).
"""

from __future__ import annotations

from typing import Literal

from payments.kernel.money import exponent, normalize_currency

ZERO_DECIMAL = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)
THREE_DECIMAL = frozenset(["bhd", "jod", "kwd", "omr", "tnd"])
WHOLE_UNITS_AS_TWO_DECIMALS = frozenset({"isk", "ugx"})  # "decimal amount is always 00"
PAYOUT_WHOLE_UNITS = frozenset({"huf", "twd"})  # payouts only: multiples of 100

# Stripe's documented minimum charge amounts, as (numerator, denominator) of major units.
MINIMUM_CHARGE: dict[str, tuple[int, int]] = {
    "usd": (50, 100),
    "aed": (200, 100),
    "ars": (50, 100),
    "aud": (50, 100),
    "brl": (50, 100),
    "cad": (50, 100),
    "chf": (50, 100),
    "cop": (50, 100),
    "czk": (1500, 100),
    "dkk": (250, 100),
    "eur": (50, 100),
    "gbp": (30, 100),
    "hkd": (400, 100),
    "huf": (17500, 100),
    "idr": (50, 100),
    "ils": (50, 100),
    "inr": (50, 100),
    "jpy": (50, 1),
    "krw": (50, 1),
    "mxn": (10, 1),
    "myr": (200, 100),
    "nok": (300, 100),
    "nzd": (50, 100),
    "php": (50, 100),
    "pln": (200, 100),
    "ron": (200, 100),
    "rub": (50, 100),
    "sek": (300, 100),
    "sgd": (50, 100),
    "thb": (10, 1),
    "zar": (50, 100),
}

RuleCode = Literal[
    "amount_too_small",
    "invalid_charge_amount_no_decimal_compatible",
    "invalid_charge_amount_precision",
    "payout_amount_not_whole",
]


class CurrencyRuleError(ValueError):
    """An amount that breaks one of Stripe's currency rules (``code`` is Stripe-style)."""

    def __init__(self, message: str, *, code: RuleCode) -> None:
        super().__init__(message)
        self.code = code


def stripe_exponent(currency: str) -> int:
    """Decimals Stripe's ``amount`` carries for ``currency`` (JPY 0, EUR 2, ISK 2, KWD 3)."""
    cur = normalize_currency(currency)
    if cur in ZERO_DECIMAL:
        return 0
    if cur in THREE_DECIMAL:
        return 3
    return 2


def granularity(currency: str) -> int:
    """Stripe amounts of ``currency`` must be a multiple of this (ISK 100, KWD 10, EUR 1)."""
    cur = normalize_currency(currency)
    if cur in WHOLE_UNITS_AS_TWO_DECIMALS:
        return 100
    if cur in THREE_DECIMAL:
        return 10
    return 1


def to_stripe(amount: int, currency: str) -> int:
    """Our minor units -> Stripe's ``amount`` (exact, or :class:`CurrencyRuleError`)."""
    cur = normalize_currency(currency)
    shift = stripe_exponent(cur) - exponent(cur)
    if shift >= 0:
        value = amount * 10**shift
    else:
        value, rest = divmod(amount, 10**-shift)
        if rest:
            raise CurrencyRuleError(
                f"{cur.upper()} amounts must be whole units at Stripe; {amount} minor units is not",
                code="invalid_charge_amount_no_decimal_compatible",
            )
    step = granularity(cur)
    if value % step:
        raise CurrencyRuleError(
            f"{cur.upper()} amounts at Stripe must be a multiple of {step} "
            f"(got {value} in Stripe units)",
            code="invalid_charge_amount_no_decimal_compatible"
            if step == 100
            else "invalid_charge_amount_precision",
        )
    return value


def from_stripe(amount: int, currency: str) -> int:
    """Stripe's ``amount`` -> our minor units (exact, or :class:`CurrencyRuleError`)."""
    cur = normalize_currency(currency)
    shift = stripe_exponent(cur) - exponent(cur)
    if shift <= 0:
        return amount * 10**-shift
    value, rest = divmod(amount, 10**shift)
    if rest:
        raise CurrencyRuleError(
            f"Stripe amount {amount} {cur.upper()} has a fraction of our minor unit",
            code="invalid_charge_amount_no_decimal_compatible",
        )
    return value


def fee_from_stripe(fee: int, currency: str) -> int:
    """A Stripe fee -> our minor units. Rounding: ROUND_HALF_UP to our minor unit."""
    cur = normalize_currency(currency)
    shift = stripe_exponent(cur) - exponent(cur)
    if shift <= 0:
        return fee * 10**-shift
    divisor = 10**shift
    return (2 * fee + divisor) // (2 * divisor)  # ROUND_HALF_UP for fee >= 0


def minimum_charge(currency: str) -> int | None:
    """Stripe's documented minimum charge in our minor units, or None if not listed.

    Rounding: ROUND_UP (ceiling) to a whole minor unit, never below Stripe's minimum.
    """
    cur = normalize_currency(currency)
    if cur not in MINIMUM_CHARGE:
        return None
    num, den = MINIMUM_CHARGE[cur]
    return -(-num * 10 ** exponent(cur) // den)


def check_charge_amount(amount: int, currency: str) -> int:
    """Validate a charge amount against Stripe's rules; return it in Stripe units."""
    minimum = minimum_charge(currency)
    if minimum is not None and amount < minimum:
        raise CurrencyRuleError(
            f"Amount must be at least {minimum} minor units of {currency.lower()} at Stripe",
            code="amount_too_small",
        )
    return to_stripe(amount, currency)


def payout_to_stripe(amount: int, currency: str) -> int:
    """A payout amount in Stripe units: HUF and TWD payouts must be whole units."""
    value = to_stripe(amount, currency)
    if normalize_currency(currency) in PAYOUT_WHOLE_UNITS and value % 100:
        raise CurrencyRuleError(
            f"{currency.upper()} payouts must be whole units (a multiple of 100 at Stripe)",
            code="payout_amount_not_whole",
        )
    return value
