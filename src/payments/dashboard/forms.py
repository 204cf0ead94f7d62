"""Parsing what people type into the dashboard's forms."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from payments.kernel.errors import InvalidRequest
from payments.kernel.money import exponent
from payments.kernel.pagination import Created, PageRequest


def minor_units(text: str, currency: str, *, param: str = "amount") -> int | None:
    """``"20"``, ``"20.5"``, ``"20,50"`` in ``currency`` -> minor units; empty: None.
    More decimals than the currency has is refused (never rounded silently)."""
    text = text.strip().replace(" ", "")
    if not text:
        return None
    if "," in text and "." in text:  # 1.234,56 or 1,234.56: the last one is decimal
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal_sep == "," else ",", "")
    text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidRequest(f"Not an amount: {text!r}", param=param) from None
    exp = exponent(currency)
    scaled = value.scaleb(exp)
    if value <= 0 or scaled != scaled.to_integral_value():
        raise InvalidRequest(
            f"Not an amount in {currency.upper()} (at most {exp} decimals, more than 0): {text!r}",
            param=param,
        )
    return int(scaled)


def card_last4(text: str, *, param: str = "last4") -> str | None:
    """The last 4 digits of a card (spaces and dots around them ignored); empty: None."""
    digits = text.strip().lstrip("·.* ")
    if not digits:
        return None
    if len(digits) != 4 or not digits.isascii() or not digits.isdigit():
        raise InvalidRequest(f"Not the last 4 digits of a card: {text.strip()!r}", param=param)
    return digits


def a_day(value: str, *, param: str) -> date | None:
    """A ``YYYY-MM-DD`` date; empty: None."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidRequest(f"Not a date (YYYY-MM-DD): {value!r}", param=param) from None


def day_range(start: str, end: str) -> Created:
    """``YYYY-MM-DD`` dates (UTC), both included; empty: open."""

    def parse(value: str, param: str) -> datetime | None:
        if not value:
            return None
        try:
            return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise InvalidRequest(f"Not a date (YYYY-MM-DD): {value!r}", param=param) from None

    gte = parse(start, "from")
    lte = parse(end, "to")
    return Created(
        gte=gte, lte=lte + timedelta(days=1) - timedelta(microseconds=1) if lte else None
    )


PAGE_SIZE = 25


def page_of(starting_after: str | None, ending_before: str | None) -> PageRequest:
    if starting_after and ending_before:
        ending_before = None
    return PageRequest(
        limit=PAGE_SIZE,
        starting_after=starting_after or None,
        ending_before=ending_before or None,
    )
