"""Legal entities: the companies that sell, and so issue invoices, in a country.

A shop (location) belongs to one legal entity; several shops in one country usually
share one. The entity is what an invoice names as its seller (EN 16931 BG-4): legal
name, postal address, VAT identifier, tax and commercial-register numbers, and the bank
account (IBAN, BIC) a buyer pays a bank transfer to. It also holds the invoice numbering
patterns of its series and how long its invoices are kept (GoBD / EU: 10 years).

Numbers are rendered from a pattern with ``{prefix}``, ``{year}`` and ``{seq}``
placeholders (``{seq:06d}`` pads to six digits): :func:`render_number`.

Errors::

    ValueError
     └── InvalidPattern     a numbering pattern that cannot number invoices
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from payments.kernel.unset import UNSET, Unset

DEFAULT_INVOICE_NUMBER_PATTERN = "{prefix}-{year}-{seq:06d}"
DEFAULT_CREDIT_NOTE_NUMBER_PATTERN = "{prefix}-CN-{year}-{seq:06d}"
DEFAULT_RETENTION_YEARS = 10
MAX_NUMBER_LENGTH = 40
PATTERN_FIELDS = frozenset({"prefix", "year", "seq"})


class InvalidPattern(ValueError):
    """A numbering pattern without ``{seq}``, with an unknown field or a bad format."""


@dataclass(frozen=True, slots=True)
class LegalEntity:
    id: str
    legal_name: str
    address: dict[str, Any]
    iban: str
    created: datetime
    vat_id: str | None = None
    tax_number: str | None = None
    registration_number: str | None = None
    bic: str | None = None
    email: str | None = None
    phone: str | None = None
    invoice_footer: str | None = None
    logo: str | None = None  # a data: URI (PNG, JPEG or SVG)
    invoice_prefix: str = ""
    invoice_number_pattern: str = DEFAULT_INVOICE_NUMBER_PATTERN
    credit_note_number_pattern: str = DEFAULT_CREDIT_NOTE_NUMBER_PATTERN
    retention_years: int = DEFAULT_RETENTION_YEARS
    metadata: dict[str, str] = field(default_factory=dict)
    livemode: bool = False

    @property
    def country(self) -> str:
        return str(self.address["country"])


# ----------------------------------------------------------------- commands


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateLegalEntity:
    legal_name: str
    address: Mapping[str, Any]
    iban: str
    bic: str | None = None
    vat_id: str | None = None
    tax_number: str | None = None
    registration_number: str | None = None
    email: str | None = None
    phone: str | None = None
    invoice_footer: str | None = None
    logo: str | None = None
    invoice_prefix: str | None = None
    invoice_number_pattern: str | None = None
    credit_note_number_pattern: str | None = None
    retention_years: int | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateLegalEntity:
    """``UNSET``: unchanged. ``None`` (or an empty string) clears an optional field;
    ``metadata`` merges (``""`` removes a key) and ``None`` clears it."""

    id: str
    legal_name: str | Unset = UNSET
    address: Mapping[str, Any] | Unset = UNSET
    iban: str | Unset = UNSET
    bic: str | Unset | None = UNSET  # cleared: looked up from the IBAN's bank code
    vat_id: str | Unset | None = UNSET
    tax_number: str | Unset | None = UNSET
    registration_number: str | Unset | None = UNSET
    email: str | Unset | None = UNSET
    phone: str | Unset | None = UNSET
    invoice_footer: str | Unset | None = UNSET
    logo: str | Unset | None = UNSET
    invoice_prefix: str | Unset = UNSET
    invoice_number_pattern: str | Unset = UNSET
    credit_note_number_pattern: str | Unset = UNSET
    retention_years: int | Unset = UNSET
    metadata: Mapping[str, str] | Unset | None = UNSET


def render_number(pattern: str, *, prefix: str, year: int, seq: int) -> str:
    """The document number ``seq`` of a series, e.g. ``DE1-2026-000123``."""
    return pattern.format(prefix=prefix, year=year, seq=seq)


def check_pattern(pattern: str, *, prefix: str) -> str:
    """``pattern`` if it numbers documents uniquely; else :class:`InvalidPattern`.

    It must contain ``{seq}`` exactly once (the counter makes numbers unique within a
    series: one per entity and year), use only ``prefix``, ``year`` and ``seq``, and
    render to at most 40 characters for sequence numbers up to 10^9."""
    fields: list[str] = []
    try:
        for _literal, name, _spec, conversion in string.Formatter().parse(pattern):
            if name is None:
                continue
            if conversion is not None or name not in PATTERN_FIELDS:
                raise InvalidPattern(
                    f"Unknown placeholder {{{name}}}: use {{prefix}}, {{year}} and {{seq}}"
                )
            fields.append(name)
        sample = render_number(pattern, prefix=prefix, year=2026, seq=999_999_999)
    except (ValueError, IndexError, KeyError) as exc:
        raise InvalidPattern(f"Not a valid numbering pattern: {exc}") from None
    if fields.count("seq") != 1:
        raise InvalidPattern("A numbering pattern needs {seq} exactly once")
    if len(sample) > MAX_NUMBER_LENGTH:
        raise InvalidPattern(f"Numbers from this pattern exceed {MAX_NUMBER_LENGTH} characters")
    return pattern


def default_prefix(country: str) -> str:
    """``DE1`` for the first entity in Germany (the shops' usual series prefix)."""
    return f"{country}1"
