"""The VAT report: taxable amounts and VAT per country, category and rate, from invoices
and credit notes (pure).

A finalized invoice counts on its tax point, a credit note on its issue date, both with
their own VAT breakdown (seller country, EN 16931 category, rate); a credit note counts
negative. Voiding takes a document back on the day it is voided (a negative entry then),
as the ledger does. Sections:

- ``groups``: per country, category, rate and currency (a VAT return's lines);
- ``reverse_charge``: supplies to businesses in other member states, per customer VAT id
  (``AE`` reverse-charged services, ``K`` intra-Community supplies of goods): the EC
  Sales List (Zusammenfassende Meldung);
- ``oss``: cross-border supplies to consumers in other EU member states, per member state
  of consumption and rate (what the One-Stop-Shop return declares). The tax engine does
  not model OSS distance-sales rates (it charges the seller's rate, see
  :mod:`payments.tax.domain.treatment`): the rate shown is the one charged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from payments.tax.domain.countries import is_eu

REVERSE_CHARGE_CATEGORIES: Final = frozenset({"AE", "K"})
OSS_CATEGORIES: Final = frozenset({"S", "Z"})


@dataclass(frozen=True, slots=True)
class VatGroup:
    country: str
    category: str
    rate: str
    taxable_amount: int
    tax_amount: int


@dataclass(frozen=True, slots=True)
class VatDocument:
    """An invoice or credit note as the VAT report reads it, ``sign`` -1 for a credit
    note or a voiding, dated on the day it counts."""

    object: str  # invoice | credit_note
    id: str
    number: str | None
    day: date
    sign: int
    currency: str
    seller_country: str | None
    buyer_country: str | None
    buyer_vat_id: str | None
    groups: tuple[VatGroup, ...]


def vat_groups(breakdown: Iterable[dict[str, Any]]) -> tuple[VatGroup, ...]:
    return tuple(
        VatGroup(
            country=str(g["country"]),
            category=str(g["category"]),
            rate=str(g["rate"]),
            taxable_amount=int(g["taxable_amount"]),
            tax_amount=int(g["amount"]),
        )
        for g in breakdown
    )


@dataclass(frozen=True, slots=True)
class VatLine:
    """The VAT groups of equal key and equal buyer of one or more documents counted the
    same way (``sign``), summed; ``documents`` of them counted for the first time."""

    object: str  # invoice | credit_note
    sign: int
    currency: str
    seller_country: str | None
    buyer_country: str | None
    buyer_vat_id: str | None
    country: str
    category: str
    rate: str
    taxable_amount: int
    tax_amount: int
    documents: int


def vat_lines(documents: Iterable[VatDocument]) -> Iterator[VatLine]:
    """Each document's groups as lines; a document counts once per (country, category,
    rate, currency) however often it appears (issued and voided in the period)."""
    seen: set[tuple[str, str, str, str, str, str]] = set()
    for doc in documents:
        for g in doc.groups:
            mark = (g.country, g.category, g.rate, doc.currency, doc.object, doc.id)
            first = mark not in seen
            seen.add(mark)
            yield VatLine(
                doc.object,
                doc.sign,
                doc.currency,
                doc.seller_country,
                doc.buyer_country,
                doc.buyer_vat_id,
                g.country,
                g.category,
                g.rate,
                g.taxable_amount,
                g.tax_amount,
                int(first),
            )


def vat_report(documents: Iterable[VatDocument]) -> dict[str, list[dict[str, Any]]]:
    return vat_report_of_lines(vat_lines(documents))


def vat_report_of_lines(lines: Iterable[VatLine]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    reverse: dict[tuple[str, str, str, str], int] = defaultdict(int)
    oss: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for line in lines:
        cross_border_b2c = (
            line.buyer_vat_id is None
            and line.buyer_country is not None
            and line.seller_country is not None
            and line.buyer_country != line.seller_country
            and is_eu(line.buyer_country)
            and is_eu(line.seller_country)
        )
        key = (line.country, line.category, line.rate, line.currency)
        row = groups.setdefault(
            key,
            {
                "country": line.country,
                "category": line.category,
                "rate": line.rate,
                "currency": line.currency,
                "taxable_amount": 0,
                "tax_amount": 0,
                "invoices": 0,
                "credit_notes": 0,
            },
        )
        row["taxable_amount"] += line.sign * line.taxable_amount
        row["tax_amount"] += line.sign * line.tax_amount
        row["invoices" if line.object == "invoice" else "credit_notes"] += line.documents
        if line.category in REVERSE_CHARGE_CATEGORIES and line.buyer_vat_id:
            rkey = (line.buyer_vat_id, line.buyer_country or "", line.category, line.currency)
            reverse[rkey] += line.sign * line.taxable_amount
        if cross_border_b2c and line.category in OSS_CATEGORIES:
            okey = (line.buyer_country or "", line.rate, line.country, line.currency)
            oss[okey][0] += line.sign * line.taxable_amount
            oss[okey][1] += line.sign * line.tax_amount
    return {
        "groups": [groups[k] for k in sorted(groups)],
        "reverse_charge": [
            {
                "customer_vat_id": vat_id,
                "country": country,
                "category": category,
                "currency": currency,
                "taxable_amount": amount,
            }
            for (vat_id, country, category, currency), amount in sorted(reverse.items())
        ],
        "oss": [
            {
                "member_state": state,
                "rate": rate,
                "seller_country": seller,
                "currency": currency,
                "taxable_amount": amounts[0],
                "tax_amount": amounts[1],
            }
            for (state, rate, seller, currency), amounts in sorted(oss.items())
        ],
    }
