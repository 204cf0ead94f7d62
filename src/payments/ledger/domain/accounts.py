"""Chart of accounts for a card-accepting merchant (MyComputer's repair shops).

The ledger records money from the merchant's point of view. Customers pay
through a gateway (Stripe or the simulator); the gateway holds captured funds,
deducts its fees and pays the rest out to our bank. Invoices (parts, labour,
VAT) are settled by allocating customer payments to them.

====  =========================  =========  ======  ==========================================
code  account                    type       normal  what its balance means
====  =========================  =========  ======  ==========================================
1000  bank                       asset      debit   money in our bank account; payouts land here
1100  gateway_receivable         asset      debit   what the gateway owes us: captured funds net
                                                    of fees, refunds and disputes, not yet paid
                                                    out (our mirror of the Stripe balance)
1200  disputes                   asset      debit   funds the gateway withdrew for open disputes;
                                                    reinstated if won, written off if lost
1300  accounts_receivable        asset      debit   what customers owe on finalized invoices:
                                                    total at finalization, less payments and
                                                    credit notes (one dimension per invoice)
1900  suspense                   asset      debit   unexplained differences (a payout arriving
                                                    short or long) awaiting investigation;
                                                    should return to zero
2000  revenue_clearing           liability  credit  customer payments received, not yet
                                                    allocated to an invoice; allocation moves
                                                    them to accounts_receivable
2100  refunds_payable            liability  credit  refunds owed to customers: requested, not
                                                    yet completed by the gateway
2200  vat_payable                liability  credit  VAT charged on invoices, owed to the state;
                                                    per country, category and rate (dimension)
2300  customer_credit            liability  credit  money held for a customer: over-payments and
                                                    credit notes credited to their balance
2400  customer_advances          liability  credit  advance-payment invoices: their total when
                                                    issued, less the VAT that became due as
                                                    they were paid, released when the final
                                                    invoice deducts them (dimension: the
                                                    advance invoice)
3000  retained_earnings          equity     credit  opening balances and period-close results
4000  sales                      revenue    credit  repair revenue net of VAT, recognised when an
                                                    invoice is finalized (dimension: its VAT group)
6000  gateway_fees               expense    debit   processing and dispute fees of the gateway
6100  chargeback_losses          expense    debit   disputed amounts lost to cardholders
9000  customer_funds_authorized  memo       debit   funds held on customers' cards for us:
                                                    authorized, not captured, not released
9100  authorizations             memo       credit  contra of customer_funds_authorized
====  =========================  =========  ======  ==========================================

Why a memo pair: an authorization moves no money, so it must not touch the
balance sheet, yet finance wants to see what is held and a capture or release
must be provably matched to a hold. The off-balance ("memo") accounts record
holds with the same double-entry discipline: in every journal transaction the
memo entries balance among themselves and so do the balance-sheet entries
(enforced in :mod:`payments.ledger.domain.journal`). The balance of
``customer_funds_authorized`` is exactly the amount currently held.

Dimensions: an entry may carry a ``dimension``, a sub-ledger key that splits an
account's balance without multiplying accounts. Invoicing uses it for
``accounts_receivable`` (the invoice id), ``sales`` and ``vat_payable`` (the VAT
group ``country:category:rate``, e.g. ``DE:S:19``) and ``customer_credit`` (the
customer id), so receivables per invoice and VAT per country and rate are one
``GROUP BY`` away.

Sign convention: amounts are signed minor units, debits positive and credits
negative. An account's *normal* balance is the side where it usually sits, so
its natural reading is ``signed balance * normal_balance.sign``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class Direction(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"

    @property
    def sign(self) -> int:
        """+1 for debits, -1 for credits (the signed-amount convention)."""
        return 1 if self is Direction.DEBIT else -1


class AccountType(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    REVENUE = "revenue"
    EXPENSE = "expense"
    MEMO = "memo"  # off-balance: tracks holds, never money

    @property
    def is_memo(self) -> bool:
        return self is AccountType.MEMO


class Account(StrEnum):
    """Ledger accounts by stable name (stored in the database and shown in reports)."""

    BANK = "bank"
    GATEWAY_RECEIVABLE = "gateway_receivable"
    DISPUTES = "disputes"
    ACCOUNTS_RECEIVABLE = "accounts_receivable"
    SUSPENSE = "suspense"
    REVENUE_CLEARING = "revenue_clearing"
    REFUNDS_PAYABLE = "refunds_payable"
    VAT_PAYABLE = "vat_payable"
    CUSTOMER_CREDIT = "customer_credit"
    CUSTOMER_ADVANCES = "customer_advances"
    RETAINED_EARNINGS = "retained_earnings"
    SALES = "sales"
    GATEWAY_FEES = "gateway_fees"
    CHARGEBACK_LOSSES = "chargeback_losses"
    CUSTOMER_FUNDS_AUTHORIZED = "customer_funds_authorized"
    AUTHORIZATIONS = "authorizations"

    @property
    def spec(self) -> AccountSpec:
        return CHART_OF_ACCOUNTS[self]

    @property
    def is_memo(self) -> bool:
        return CHART_OF_ACCOUNTS[self].type.is_memo


@dataclass(frozen=True, slots=True)
class AccountSpec:
    account: Account
    code: str
    title: str
    type: AccountType
    normal_balance: Direction
    description: str


def _spec(
    account: Account, code: str, title: str, type_: AccountType, normal: Direction, desc: str
) -> tuple[Account, AccountSpec]:
    return account, AccountSpec(account, code, title, type_, normal, desc)


_A, _T, _D = Account, AccountType, Direction

#: The chart of accounts; see the module docstring for the meaning of each account.
CHART_OF_ACCOUNTS: Final[Mapping[Account, AccountSpec]] = MappingProxyType(
    dict(
        [
            _spec(_A.BANK, "1000", "Bank", _T.ASSET, _D.DEBIT, "Money in our bank account."),
            _spec(
                _A.GATEWAY_RECEIVABLE,
                "1100",
                "Gateway receivable",
                _T.ASSET,
                _D.DEBIT,
                "Captured funds held by the gateway, net of fees, not yet paid out.",
            ),
            _spec(
                _A.DISPUTES,
                "1200",
                "Disputed funds",
                _T.ASSET,
                _D.DEBIT,
                "Funds withdrawn by the gateway for open disputes.",
            ),
            _spec(
                _A.ACCOUNTS_RECEIVABLE,
                "1300",
                "Accounts receivable",
                _T.ASSET,
                _D.DEBIT,
                "What customers owe on finalized invoices, per invoice (dimension).",
            ),
            _spec(
                _A.SUSPENSE,
                "1900",
                "Suspense",
                _T.ASSET,
                _D.DEBIT,
                "Unexplained differences awaiting investigation.",
            ),
            _spec(
                _A.REVENUE_CLEARING,
                "2000",
                "Revenue clearing",
                _T.LIABILITY,
                _D.CREDIT,
                "Customer payments not yet allocated to an invoice (or refunded).",
            ),
            _spec(
                _A.REFUNDS_PAYABLE,
                "2100",
                "Refunds payable",
                _T.LIABILITY,
                _D.CREDIT,
                "Refunds requested, not yet completed by the gateway.",
            ),
            _spec(
                _A.VAT_PAYABLE,
                "2200",
                "VAT payable",
                _T.LIABILITY,
                _D.CREDIT,
                "VAT charged on invoices, owed to the tax authority; per VAT group (dimension).",
            ),
            _spec(
                _A.CUSTOMER_CREDIT,
                "2300",
                "Customer credit",
                _T.LIABILITY,
                _D.CREDIT,
                "Money held for a customer (bank-transfer over-payments, credit notes "
                "credited to their balance) until it is refunded or applied.",
            ),
            _spec(
                _A.CUSTOMER_ADVANCES,
                "2400",
                "Customer advances",
                _T.LIABILITY,
                _D.CREDIT,
                "Advance-payment invoices: issued, net of the VAT due on what was received, "
                "until a final invoice deducts them; per advance invoice (dimension).",
            ),
            _spec(
                _A.RETAINED_EARNINGS,
                "3000",
                "Retained earnings",
                _T.EQUITY,
                _D.CREDIT,
                "Opening balances and period-close results.",
            ),
            _spec(
                _A.SALES,
                "4000",
                "Sales",
                _T.REVENUE,
                _D.CREDIT,
                "Repair revenue net of VAT, from finalized invoices; per VAT group (dimension).",
            ),
            _spec(
                _A.GATEWAY_FEES,
                "6000",
                "Gateway fees",
                _T.EXPENSE,
                _D.DEBIT,
                "Processing and dispute fees charged by the gateway.",
            ),
            _spec(
                _A.CHARGEBACK_LOSSES,
                "6100",
                "Chargeback losses",
                _T.EXPENSE,
                _D.DEBIT,
                "Disputed amounts lost to cardholders.",
            ),
            _spec(
                _A.CUSTOMER_FUNDS_AUTHORIZED,
                "9000",
                "Customer funds authorized (memo)",
                _T.MEMO,
                _D.DEBIT,
                "Funds held on customers' cards: authorized, not captured or released.",
            ),
            _spec(
                _A.AUTHORIZATIONS,
                "9100",
                "Authorizations (memo contra)",
                _T.MEMO,
                _D.CREDIT,
                "Contra of customer_funds_authorized; the pair nets to zero.",
            ),
        ]
    )
)


def account_by_code(code: str) -> Account:
    """The account with chart code ``code`` (e.g. ``"1100"``); ``KeyError`` if none."""
    for spec in CHART_OF_ACCOUNTS.values():
        if spec.code == code:
            return spec.account
    raise KeyError(code)
