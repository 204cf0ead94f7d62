"""The ledger's invoicing postings: balanced, with sub-ledger dimensions."""

from __future__ import annotations

import pytest

from payments.kernel.money import Money
from payments.ledger.domain.accounts import Account
from payments.ledger.domain.journal import InvalidPosting, Source, TransactionKind
from payments.ledger.domain.postings import (
    CreditSettlement,
    SaleGroup,
    credit_note_issued,
    credit_note_voided,
    invoice_finalized,
    invoice_paid_out_of_band,
    invoice_payment,
    invoice_voided,
)

EUR = "eur"
GROUPS = [
    SaleGroup("DE:S:19", Money(10_000, EUR), Money(1_900, EUR)),
    SaleGroup("DE:S:7", Money(2_000, EUR), Money(140, EUR)),
    SaleGroup("DE:AE:0", Money(500, EUR), Money(0, EUR)),
]
SOURCE = Source("invoice", "in_1")


def _by(tx, account: Account) -> dict[str | None, int]:
    """The transaction's signed amounts on ``account``, summed per dimension."""
    out: dict[str | None, int] = {}
    for e in tx.entries:
        if e.account == account:
            out[e.dimension] = out.get(e.dimension, 0) + e.amount
    return out


def test_a_finalized_invoice_owes_its_total_against_sales_and_vat_per_group() -> None:
    tx = invoice_finalized(GROUPS, source=SOURCE, receivable_dimension="in_1")
    assert tx.kind is TransactionKind.INVOICE_FINALIZED
    assert _by(tx, Account.ACCOUNTS_RECEIVABLE) == {"in_1": 14_540}
    assert _by(tx, Account.SALES) == {"DE:S:19": -10_000, "DE:S:7": -2_000, "DE:AE:0": -500}
    # a zero-rated group has no VAT entry (entries are never zero)
    assert _by(tx, Account.VAT_PAYABLE) == {"DE:S:19": -1_900, "DE:S:7": -140}


def test_voiding_an_invoice_negates_its_finalization() -> None:
    finalized = invoice_finalized(GROUPS, source=SOURCE, receivable_dimension="in_1")
    voided = invoice_voided(GROUPS, source=SOURCE, receivable_dimension="in_1")
    assert voided.kind is TransactionKind.INVOICE_VOIDED
    assert sorted((e.account, e.dimension, -e.amount) for e in voided.entries) == sorted(
        (e.account, e.dimension, e.amount) for e in finalized.entries
    )


def test_a_payment_clears_the_receivable_and_its_excess_is_the_customers_credit() -> None:
    tx = invoice_payment(
        Money(14_540, EUR),
        source=Source("payment_intent", "pi_1"),
        receivable_dimension="in_1",
        excess=Money(460, EUR),
        customer_dimension="cus_1",
    )
    assert _by(tx, Account.REVENUE_CLEARING) == {None: 15_000}
    assert _by(tx, Account.ACCOUNTS_RECEIVABLE) == {"in_1": -14_540}
    assert _by(tx, Account.CUSTOMER_CREDIT) == {"cus_1": -460}
    out_of_band = invoice_paid_out_of_band(
        Money(100, EUR), source=SOURCE, receivable_dimension="in_1"
    )
    assert _by(out_of_band, Account.BANK) == {None: 100}


def test_a_credit_note_reverses_the_sale_per_group_and_settles_its_four_parts() -> None:
    groups = [SaleGroup("DE:S:19", Money(1_000, EUR), Money(190, EUR))]
    settlement = CreditSettlement(
        receivable=Money(190, EUR),
        refund=Money(500, EUR),
        credit=Money(300, EUR),
        out_of_band=Money(200, EUR),
    )
    tx = credit_note_issued(
        groups,
        settlement,
        source=Source("credit_note", "cn_1"),
        receivable_dimension="in_1",
        customer_dimension="cus_1",
    )
    assert _by(tx, Account.SALES) == {"DE:S:19": 1_000}
    assert _by(tx, Account.VAT_PAYABLE) == {"DE:S:19": 190}
    assert _by(tx, Account.ACCOUNTS_RECEIVABLE) == {"in_1": -190}
    assert _by(tx, Account.REVENUE_CLEARING) == {None: -500}
    assert _by(tx, Account.CUSTOMER_CREDIT) == {"cus_1": -300}
    assert _by(tx, Account.BANK) == {None: -200}
    voided = credit_note_voided(
        groups,
        settlement,
        source=Source("credit_note", "cn_1"),
        receivable_dimension="in_1",
        customer_dimension="cus_1",
    )
    assert sum(e.amount for e in voided.entries) == 0
    assert _by(voided, Account.SALES) == {"DE:S:19": -1_000}


def test_a_credit_note_that_does_not_settle_its_total_cannot_be_posted() -> None:
    groups = [SaleGroup("DE:S:19", Money(1_000, EUR), Money(190, EUR))]
    short = CreditSettlement(
        receivable=Money(1_000, EUR),
        refund=Money(0, EUR),
        credit=Money(0, EUR),
        out_of_band=Money(0, EUR),
    )
    with pytest.raises(InvalidPosting):
        credit_note_issued(groups, short, source=SOURCE, receivable_dimension="in_1")
    with pytest.raises(InvalidPosting):
        invoice_finalized(
            [SaleGroup("DE:S:19", Money(0, EUR), Money(0, EUR))],
            source=SOURCE,
            receivable_dimension="in_1",
        )
