"""The payment's attributes as rules see them, built from what the service gathered."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from payments.kernel.money import exponent

# Indicative euro rates (units of the currency per euro) for risk scoring only: amounts
# are compared in euros, nothing is converted for money movement. Currencies not listed
# have no euro amount (rules on :amount_in_eur: do not match them).
EUR_RATES: Mapping[str, Decimal] = {
    "eur": Decimal(1),
    "usd": Decimal("1.08"),
    "gbp": Decimal("0.85"),
    "chf": Decimal("0.95"),
    "dkk": Decimal("7.46"),
    "sek": Decimal("11.5"),
    "nok": Decimal("11.6"),
    "pln": Decimal("4.30"),
    "czk": Decimal("25.0"),
    "huf": Decimal("390"),
    "ron": Decimal("4.97"),
    "bgn": Decimal("1.95583"),
}


def amount_eur_cents(amount: int, currency: str) -> int | None:
    """The amount in euro cents, rounded half to even (None: no rate for the currency)."""
    rate = EUR_RATES.get(currency.lower())
    if rate is None:
        return None
    major = Decimal(amount).scaleb(-exponent(currency))
    return int((major / rate * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def ratio(value: int, average: float | None) -> Decimal | None:
    if average is None or average <= 0:
        return None
    return (Decimal(value) / Decimal(str(average))).quantize(Decimal("0.01"), ROUND_HALF_EVEN)


def jsonable(facts: Mapping[str, Any]) -> dict[str, Any]:
    """The facts as stored (decimals as strings, exact)."""
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in facts.items()}
