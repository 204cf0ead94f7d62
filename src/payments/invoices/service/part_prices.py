"""Invoice lines priced from the part catalogue (ours, or the Inventory Service).

A line with a ``sku`` and no ``unit_amount`` or no ``description`` takes the part's
description, net unit price and (unless the line names one) tax category *when it is
added*; the line keeps them, so a later price change never alters an invoice. What the
caller gave explicitly wins. The catalogue is asked before any transaction is opened
(it may be another service over HTTP): a catalogue that does not answer fails the
request with 503 and nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from payments.invoices.domain.commands import LineInput
from payments.kernel.errors import InvalidRequest
from payments.parts.domain import PartCatalogue
from payments.parts.service import checked_sku


def needs_pricing(lines: Sequence[LineInput]) -> bool:
    return any(line.sku and (line.unit_amount is None or not line.description) for line in lines)


async def priced_lines(
    lines: Sequence[LineInput],
    parts: PartCatalogue | None,
    *,
    currency: str,
    location_id: str,
    param: str = "lines",
) -> tuple[LineInput, ...]:
    priced = []
    for i, line in enumerate(lines):
        if not (line.sku and (line.unit_amount is None or not line.description)):
            priced.append(line)
            continue
        where = f"{param}[{i}][sku]"
        checked_sku(line.sku, param=where)
        found = (
            None
            if parts is None
            else await parts.price(line.sku, currency=currency, location_id=location_id)
        )
        if found is None:
            raise InvalidRequest(
                f"The part catalogue has no {currency.upper()} price for sku {line.sku!r}: "
                "give the line's description and unit_amount, or add the part.",
                code="resource_missing",
                param=where,
            )
        priced.append(
            replace(
                line,
                description=line.description or found.description,
                unit_amount=found.unit_amount if line.unit_amount is None else line.unit_amount,
                tax_category=line.tax_category or found.tax_category,
            )
        )
    return tuple(priced)
