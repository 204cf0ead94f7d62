"""Line rules: quantities are exact decimals, line amounts are rounded once, half up.

``amount = quantity x unit_amount``, rounded half up (ties away from zero) to the
currency's minor unit: :data:`LINE_AMOUNT_ROUNDING`, the one rounding of a line.
VAT is not rounded per line: the tax engine rounds it once per category (EN 16931).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Final

from payments.kernel.errors import InvalidRequest

LINE_AMOUNT_ROUNDING: Final = ROUND_HALF_UP
MAX_QUANTITY: Final = Decimal(10) ** 6  # exclusive
MAX_QUANTITY_DECIMALS: Final = 4
MAX_UNIT_AMOUNT: Final = 99_999_999_999  # minor units: below 10^9 EUR per unit
MAX_LINES: Final = 250
_PLAIN_DECIMAL: Final = re.compile(r"[0-9]{1,7}(\.[0-9]{1,12})?")


class LineKind(StrEnum):
    GOODS = "goods"
    SERVICES = "services"


class LineUnit(StrEnum):
    """The unit of a line's quantity, with its UN/ECE Rec. 20 code for e-invoices."""

    PIECE = "piece"
    HOUR = "hour"

    @property
    def code(self) -> str:
        return "HUR" if self is LineUnit.HOUR else "C62"


def parse_quantity(value: object, *, param: str) -> Decimal:
    """A quantity: a decimal string (``"1.5"`` hours), more than 0 and less than 10^6,
    with at most four decimals; anything else is a 400 naming ``param``."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidRequest(f'Invalid {param}: a decimal string such as "1.5"', param=param)
    text = str(value).strip()
    if not _PLAIN_DECIMAL.fullmatch(text):
        raise InvalidRequest(
            f'Invalid {param}: {value!r} is not a plain decimal number such as "1.5"',
            param=param,
        )
    try:
        quantity = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise InvalidRequest(f"Invalid {param}: {value!r}", param=param) from None
    if not quantity.is_finite() or quantity <= 0 or quantity >= MAX_QUANTITY:
        raise InvalidRequest(
            f"Invalid {param}: must be more than 0 and less than 1000000", param=param
        )
    exponent = quantity.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_QUANTITY_DECIMALS:
        raise InvalidRequest(
            f"Invalid {param}: at most {MAX_QUANTITY_DECIMALS} decimal places", param=param
        )
    return quantity


def format_quantity(quantity: Decimal) -> str:
    """The canonical text of a quantity: no exponent, no trailing zeros (``"1.5"``, ``"2"``)."""
    text = format(quantity.normalize(), "f")
    return text


def line_amount(quantity: Decimal, unit_amount: int) -> int:
    """``quantity x unit_amount`` in minor units, rounded half up once."""
    return int((quantity * unit_amount).to_integral_value(rounding=LINE_AMOUNT_ROUNDING))


def check_unit_amount(unit_amount: object, *, param: str) -> int:
    if isinstance(unit_amount, bool) or not isinstance(unit_amount, int):
        raise InvalidRequest(f"Invalid {param}: an integer of minor units", param=param)
    if unit_amount < 0 or unit_amount > MAX_UNIT_AMOUNT:
        raise InvalidRequest(
            f"Invalid {param}: must be between 0 and {MAX_UNIT_AMOUNT} minor units",
            code="parameter_invalid_integer",
            param=param,
        )
    return unit_amount


def check_discount(discount: object, amount: int, *, param: str) -> int:
    if isinstance(discount, bool) or not isinstance(discount, int) or discount < 0:
        raise InvalidRequest(
            f"Invalid {param}: a non-negative integer of minor units",
            code="parameter_invalid_integer",
            param=param,
        )
    if discount > max(amount, 0):  # a credit line (negative) takes no discount
        raise InvalidRequest(
            f"Invalid {param}: the discount ({discount}) is more than the line's amount ({amount})",
            code="amount_too_large",
            param=param,
        )
    return discount
