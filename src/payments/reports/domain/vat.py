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
from collections.abc import Iterable
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


def vat_report(documents: Iterable[VatDocument]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    reverse: dict[tuple[str, str, str, str], int] = defaultdict(int)
    oss: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    seen: dict[tuple[str, str, str, str], set[tuple[str, str]]] = defaultdict(set)
    for doc in documents:
        cross_border_b2c = (
            doc.buyer_vat_id is None
            and doc.buyer_country is not None
            and doc.seller_country is not None
            and doc.buyer_country != doc.seller_country
            and is_eu(doc.buyer_country)
            and is_eu(doc.seller_country)
        )
        for g in doc.groups:
            key = (g.country, g.category, g.rate, doc.currency)
            row = groups.setdefault(
                key,
                {
                    "country": g.country,
                    "category": g.category,
                    "rate": g.rate,
                    "currency": doc.currency,
                    "taxable_amount": 0,
                    "tax_amount": 0,
                    "invoices": 0,
                    "credit_notes": 0,
                },
            )
            row["taxable_amount"] += doc.sign * g.taxable_amount
            row["tax_amount"] += doc.sign * g.tax_amount
            if (doc.object, doc.id) not in seen[key]:
                seen[key].add((doc.object, doc.id))
                row["invoices" if doc.object == "invoice" else "credit_notes"] += 1
            if g.category in REVERSE_CHARGE_CATEGORIES and doc.buyer_vat_id:
                rkey = (doc.buyer_vat_id, doc.buyer_country or "", g.category, doc.currency)
                reverse[rkey] += doc.sign * g.taxable_amount
            if cross_border_b2c and g.category in OSS_CATEGORIES:
                okey = (doc.buyer_country or "", g.rate, g.country, doc.currency)
                oss[okey][0] += doc.sign * g.taxable_amount
                oss[okey][1] += doc.sign * g.tax_amount
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
