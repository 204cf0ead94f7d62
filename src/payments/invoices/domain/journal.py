"""What invoicing posts: its VAT groups and settlements in the ledger's terms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from payments.invoices.domain.pricing import vat_group
from payments.kernel.money import Money
from payments.ledger.domain.postings import CreditSettlement, SaleGroup


def sale_groups(breakdown: Sequence[dict[str, Any]], currency: str) -> list[SaleGroup]:
    """The VAT breakdown of an invoice or credit note as the ledger's sale groups, each
    named by its VAT group dimension (``DE:S:19``)."""
    return [
        SaleGroup(
            dimension=vat_group(group["country"], group["category"], group["rate"]),
            net=Money(int(group["taxable_amount"]), currency),
            tax=Money(int(group["amount"]), currency),
        )
        for group in breakdown
    ]


def credit_settlement(
    currency: str, *, pre_payment: int, refund: int, credit: int, out_of_band: int
) -> CreditSettlement:
    return CreditSettlement(
        receivable=Money(pre_payment, currency),
        refund=Money(refund, currency),
        credit=Money(credit, currency),
        out_of_band=Money(out_of_band, currency),
    )
