"""Exact EN 16931 arithmetic on the document model, to the minor unit.

The official Schematron checks the VAT of each category (BR-S-09, BR-CO-17
...) with a tolerance of one whole currency unit either way (``TaxAmount - 1 <
round(...) < TaxAmount + 1``), so a tax engine that is a cent off, or rounds
per line instead of per category, still passes it. These checks are exact:

- ``EXACT-BR-CO-10`` BT-106 is the sum of the line net amounts;
- ``EXACT-BR-CO-13`` BT-109 equals BT-106 (the model has no document-level
  allowances or charges);
- ``EXACT-BR-CO-14`` BT-110 is the sum of the category tax amounts;
- ``EXACT-BR-CO-15`` BT-112 = BT-109 + BT-110;
- ``EXACT-BR-CO-16`` BT-115 = BT-112 - BT-113;
- ``EXACT-BR-08`` each breakdown's taxable amount is the sum of the line nets of
  its category and rate, and every line has its breakdown;
- ``EXACT-BR-09`` each breakdown's tax is taxable x rate, rounded half-up
  (ROUND_HALF_UP, away from zero) to the minor unit, once per category;
- ``EXACT-LINE-NET`` (warning) a line's net differs from quantity x unit price
  - discount by a minor unit or more: expected for consumer gross prices
  resolved to net, worth a look otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from .model import InvoiceDocument
from .problems import Problem

_DOCUMENT = "document"


def category_tax(taxable: int, rate: Decimal) -> int:
    """VAT of one category in minor units: taxable x rate %, rounded half-up once."""
    return int((Decimal(taxable) * rate / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _fail(rule: str, location: str, text: str, flag: str = "fatal") -> Problem:
    return Problem(rule, location, text, flag)


def figure_problems(doc: InvoiceDocument) -> list[Problem]:
    """Every exact arithmetic rule the document's figures break (empty when consistent)."""
    problems: list[Problem] = []
    line_sum = sum(line.net_amount for line in doc.lines)
    if doc.line_total != line_sum:
        problems.append(
            _fail(
                "EXACT-BR-CO-10",
                _DOCUMENT,
                f"line_total {doc.line_total} != sum of line net amounts {line_sum}",
            )
        )
    if doc.tax_exclusive_total != doc.line_total:
        problems.append(
            _fail(
                "EXACT-BR-CO-13",
                _DOCUMENT,
                f"tax_exclusive_total {doc.tax_exclusive_total} != line_total {doc.line_total}",
            )
        )
    tax_sum = sum(tax.tax_amount for tax in doc.taxes)
    if doc.tax_total != tax_sum:
        problems.append(
            _fail(
                "EXACT-BR-CO-14",
                _DOCUMENT,
                f"tax_total {doc.tax_total} != sum of category tax amounts {tax_sum}",
            )
        )
    if doc.tax_inclusive_total != doc.tax_exclusive_total + doc.tax_total:
        problems.append(
            _fail(
                "EXACT-BR-CO-15",
                _DOCUMENT,
                f"tax_inclusive_total {doc.tax_inclusive_total} != "
                f"{doc.tax_exclusive_total} + {doc.tax_total}",
            )
        )
    if doc.payable_amount != doc.tax_inclusive_total - doc.prepaid_amount:
        problems.append(
            _fail(
                "EXACT-BR-CO-16",
                _DOCUMENT,
                f"payable_amount {doc.payable_amount} != "
                f"{doc.tax_inclusive_total} - {doc.prepaid_amount}",
            )
        )

    nets: dict[tuple[str, Decimal], int] = defaultdict(int)
    for line in doc.lines:
        nets[(line.category_code, line.rate.normalize())] += line.net_amount
        expected = Decimal(line.unit_price) * line.quantity - line.discount_amount
        if abs(expected - line.net_amount) >= 1:
            problems.append(
                _fail(
                    "EXACT-LINE-NET",
                    f"line {line.line_id}",
                    f"net_amount {line.net_amount} != quantity x unit_price - discount "
                    f"= {expected}",
                    "warning",
                )
            )
    seen: set[tuple[str, Decimal]] = set()
    for tax in doc.taxes:
        key = (tax.category_code, tax.rate.normalize())
        seen.add(key)
        where = f"tax {tax.category_code} {tax.rate}%"
        if tax.taxable_amount != nets.get(key, 0):
            problems.append(
                _fail(
                    "EXACT-BR-08",
                    where,
                    f"taxable_amount {tax.taxable_amount} != sum of its lines' net amounts "
                    f"{nets.get(key, 0)}",
                )
            )
        expected_tax = category_tax(tax.taxable_amount, tax.rate)
        if tax.tax_amount != expected_tax:
            problems.append(
                _fail(
                    "EXACT-BR-09",
                    where,
                    f"tax_amount {tax.tax_amount} != {tax.taxable_amount} x {tax.rate}% "
                    f"rounded half-up = {expected_tax}",
                )
            )
    for category, rate in sorted(set(nets) - seen):
        problems.append(
            _fail(
                "EXACT-BR-08",
                f"tax {category} {rate}%",
                "lines of this category and rate have no VAT breakdown",
            )
        )
    return problems
