"""Pure rules of erasure: what a pseudonym looks like, when retention ends, how personal
values are scrubbed out of stored documents (event payloads, stored responses)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

ERASED = "[erased]"


class ErasureStatus(StrEnum):
    SCHEDULED = "scheduled"  # done but for records kept by law; finished when they expire
    COMPLETED = "completed"


@dataclass(frozen=True, slots=True)
class Erasure:
    id: str
    customer_id: str
    status: ErasureStatus
    source: str  # api | customer_base | cli
    requested_at: datetime
    completed_at: datetime | None
    retained_until: date | None  # the last day invoices must keep their billing details
    counts: dict[str, int]


def retention_end(issued: date, years: int) -> date:
    """The last day a record issued on ``issued`` is kept: ``years`` full years after the
    end of the calendar year it was issued in (HGB 257 (5), AO 147 (4))."""
    return date(issued.year + years, 12, 31)


def personal_values(values: Iterable[object]) -> frozenset[str]:
    """The strings to scrub: every non-empty personal value of at least 3 characters
    (shorter ones, like a country code, identify nobody and would scrub too much)."""
    out: set[str] = set()
    for value in values:
        if isinstance(value, str) and len(value.strip()) >= 3:
            out.add(value.strip())
        elif isinstance(value, dict):
            out |= personal_values(v for k, v in value.items() if k != "country")
    return frozenset(out)


def scrub(document: Any, values: frozenset[str]) -> Any:
    """``document`` with every occurrence of a personal value replaced by the pseudonym
    (whole strings and inside longer strings); other content untouched."""
    if isinstance(document, str):
        if document in values:
            return ERASED
        for value in values:
            if value in document:
                document = document.replace(value, ERASED)
        return document
    if isinstance(document, dict):
        return {k: scrub(v, values) for k, v in document.items()}
    if isinstance(document, list):
        return [scrub(v, values) for v in document]
    return document


def scrub_address(address: dict[str, Any] | None) -> dict[str, Any] | None:
    """An address with only its country kept (VAT and reports need where, not who)."""
    if not address:
        return None
    return {"country": address["country"]} if address.get("country") else None
