"""Posting rules: the balanced journal transaction for each money movement.

Pure functions: they take amounts and the :class:`~payments.ledger.domain.journal.Source`
that caused the movement and return a :class:`JournalTransaction`; the service
persists it in the same database transaction as the state change.

Each posting as ``debit -> credit`` (one line per balanced pair):

``charge_authorized`` (charge.authorized)
    customer_funds_authorized -> authorizations (memo): the hold; no money moves.
``charge_captured`` (charge.captured)
    gateway_receivable -> revenue_clearing for the captured amount: the gateway
    now owes us, and the customer has paid something to allocate; plus
    authorizations -> customer_funds_authorized for the captured part and, on a
    partial capture, again for the released rest: the hold is cleared in full.
``authorization_released`` (authorization.released)
    authorizations -> customer_funds_authorized: cancel or expiry of a hold.
``authorization_incremented`` (authorization.incremented)
    customer_funds_authorized -> authorizations (memo) for the increase of a hold
    (an incremental authorization); the capture or release then clears the whole hold.
``charge_succeeded`` (charge.succeeded)
    gateway_receivable -> revenue_clearing: automatic capture (authorize and
    capture at once, no memo hold) or an async method that settled.
``charge_fee`` (charge.fee)
    gateway_fees -> gateway_receivable: the gateway keeps its fee from our balance,
    in the currency it took the fee in (one pair per currency; not always the
    charge's: Stripe takes it in the settlement currency).
``overpayment_received`` (charge.overpayment)
    gateway_receivable -> customer_credit: a bank transfer brought more than was owed;
    the excess is the customer's until refunded or applied.
``payout_paid`` (payout.paid)
    bank -> gateway_receivable: the balance is paid out; if the bank received a
    different amount, the difference is debited (short) or credited (long) to
    suspense.
``refund_created`` (refund.created)
    revenue_clearing -> refunds_payable: we owe the customer.
``refund_succeeded`` (refund.succeeded)
    refunds_payable -> gateway_receivable: the gateway paid it from our balance.
``refund_failed`` (refund.failed)
    refunds_payable -> revenue_clearing: the money is the customer's payment again.
``dispute_funds_withdrawn`` (charge.dispute.funds_withdrawn)
    disputes -> gateway_receivable: the gateway took the disputed amount.
``dispute_funds_reinstated`` (charge.dispute.funds_reinstated)
    gateway_receivable -> disputes: dispute won, funds back.
``dispute_lost`` (charge.dispute.lost)
    chargeback_losses -> disputes: dispute lost, the funds are a loss.
``reversal`` (reversal)
    every entry of the original, negated: the append-only correction.
``invoice_finalized`` (invoice.finalized)
    accounts_receivable -> sales (net) and vat_payable (VAT), one pair per VAT group:
    the sale is recognised and the customer owes the total. Receivable entries carry
    the invoice as dimension, sales and VAT entries their VAT group.
``invoice_voided`` (invoice.voided)
    the finalization, negated (only an invoice nothing was paid or credited on).
``invoice_payment`` (invoice.payment)
    revenue_clearing -> accounts_receivable: a payment is allocated to its invoice;
    anything beyond what the invoice still owes -> customer_credit.
``invoice_paid_out_of_band`` (invoice.paid_out_of_band)
    bank -> accounts_receivable: paid outside the gateway (cash, a direct transfer);
    anything beyond what the invoice still owes -> customer_credit.
``advance_invoiced`` (invoice.finalized, an advance-payment invoice)
    accounts_receivable -> customer_advances for its total: the customer owes the
    deposit; no sale yet (``advance_voided`` negates it, kind invoice.voided).
``advance_vat_due`` (invoice.advance_vat_due)
    customer_advances -> vat_payable per VAT group: the VAT of what was received on an
    advance-payment invoice is due on receipt.
``advance_applied`` (invoice.advance_applied)
    customer_advances (its net) and vat_payable (its VAT, per group) ->
    accounts_receivable of the final invoice: the deposit pays the final invoice, whose
    finalization charged the full VAT; the VAT of the advance is reversed so it is not
    counted twice.
``credit_note_issued`` (credit_note.created)
    sales and vat_payable -> per VAT group, the sale reversed; credited to
    accounts_receivable (what the invoice still owed), revenue_clearing (to be
    refunded), customer_credit (the customer's balance) and bank (paid back outside).
``credit_note_voided`` (credit_note.voided)
    the credit note's posting, negated.

A refund of a payment already allocated to an invoice is preceded by the credit
note's posting (invoicing's job), which moves the amount from ``sales`` and
``vat_payable`` back to ``revenue_clearing``. Dispute fees are ``charge_fee``.

Errors: :class:`~payments.ledger.domain.journal.InvalidPosting` for non-positive
amounts or a capture above the hold; ``CurrencyMismatch`` for mixed currencies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from payments.kernel.money import CurrencyMismatch, Money
from payments.ledger.domain.accounts import Account
from payments.ledger.domain.journal import (
    Entry,
    InvalidPosting,
    JournalTransaction,
    Source,
    TransactionKind,
)

_K = TransactionKind
_A = Account


def charge_authorized(
    amount: Money, *, source: Source, description: str = ""
) -> JournalTransaction:
    """A manual-capture authorization: record the hold on the memo pair."""
    _positive(amount, "authorized amount")
    return _pairs(
        _K.CHARGE_AUTHORIZED,
        source,
        description or f"Authorization of {amount.format()}",
        (_A.CUSTOMER_FUNDS_AUTHORIZED, _A.AUTHORIZATIONS, amount),
    )


def charge_captured(
    authorized: Money, captured: Money, *, source: Source, description: str = ""
) -> JournalTransaction:
    """A (partial) capture of a hold of ``authorized``; the uncaptured rest is released."""
    _positive(authorized, "authorized amount")
    _positive(captured, "captured amount")
    _same_currency(authorized, captured)
    if captured.amount > authorized.amount:
        raise InvalidPosting(
            f"Cannot capture {captured.format()}: only {authorized.format()} is authorized"
        )
    rest = authorized - captured
    legs = [
        (_A.GATEWAY_RECEIVABLE, _A.REVENUE_CLEARING, captured),
        (_A.AUTHORIZATIONS, _A.CUSTOMER_FUNDS_AUTHORIZED, captured),
    ]
    if rest.amount:
        legs.append((_A.AUTHORIZATIONS, _A.CUSTOMER_FUNDS_AUTHORIZED, rest))
    text = f"Capture of {captured.format()} of {authorized.format()} authorized"
    return _pairs(_K.CHARGE_CAPTURED, source, description or text, *legs)


def authorization_released(
    amount: Money, *, source: Source, description: str = ""
) -> JournalTransaction:
    """An uncaptured authorization ends (cancel, expiry): clear the hold."""
    _positive(amount, "released amount")
    return _pairs(
        _K.AUTHORIZATION_RELEASED,
        source,
        description or f"Release of authorization of {amount.format()}",
        (_A.AUTHORIZATIONS, _A.CUSTOMER_FUNDS_AUTHORIZED, amount),
    )


def authorization_incremented(
    increase: Money, *, source: Source, description: str = ""
) -> JournalTransaction:
    """A hold raised by ``increase`` (incremental authorization): the memo pair grows."""
    _positive(increase, "increase of the authorization")
    return _pairs(
        _K.AUTHORIZATION_INCREMENTED,
        source,
        description or f"Authorization increased by {increase.format()}",
        (_A.CUSTOMER_FUNDS_AUTHORIZED, _A.AUTHORIZATIONS, increase),
    )


def charge_succeeded(amount: Money, *, source: Source, description: str = "") -> JournalTransaction:
    """Automatic capture (or an async method settling): the customer paid ``amount``."""
    _positive(amount, "charged amount")
    return _pairs(
        _K.CHARGE_SUCCEEDED,
        source,
        description or f"Payment of {amount.format()}",
        (_A.GATEWAY_RECEIVABLE, _A.REVENUE_CLEARING, amount),
    )


def charge_fee(*fees: Money, source: Source, description: str = "") -> JournalTransaction:
    """The gateway's fee, deducted from the balance it holds for us, in the currency the
    gateway took it in: one balanced pair per currency (a fee may be in another currency
    than the charge, or in several), so the transaction balances in each."""
    if not fees:
        raise InvalidPosting("A fee posting needs at least one fee")
    totals: dict[str, Money] = {}
    for fee in fees:
        _positive(fee, "fee")
        totals[fee.currency] = totals[fee.currency] + fee if fee.currency in totals else fee
    legs = [(_A.GATEWAY_FEES, _A.GATEWAY_RECEIVABLE, totals[cur]) for cur in sorted(totals)]
    text = " and ".join(money.format() for *_, money in legs)
    return _pairs(_K.CHARGE_FEE, source, description or f"Gateway fee of {text}", *legs)


def payout_paid(
    amount: Money, *, source: Source, received: Money | None = None, description: str = ""
) -> JournalTransaction:
    """A payout of ``amount`` from the gateway; ``received`` is what reached the bank.

    A difference between the two is parked in ``suspense`` for investigation.
    """
    _positive(amount, "payout amount")
    received = amount if received is None else received
    _positive(received, "received amount")
    _same_currency(amount, received)
    entries = [Entry.credit(_A.GATEWAY_RECEIVABLE, amount), Entry.debit(_A.BANK, received)]
    diff = amount - received
    if diff.amount > 0:
        entries.append(Entry.debit(_A.SUSPENSE, diff))
    elif diff.amount < 0:
        entries.append(Entry.credit(_A.SUSPENSE, -diff))
    text = f"Payout of {amount.format()}"
    if diff.amount:
        text += f", {received.format()} received"
    return JournalTransaction(_K.PAYOUT_PAID, source, tuple(entries), description or text)


def overpayment_received(
    amount: Money, *, source: Source, description: str = ""
) -> JournalTransaction:
    """A bank transfer brought more than was owed: the gateway holds the excess for us,
    and we owe it to the customer until it is refunded or applied."""
    _positive(amount, "over-payment")
    return _pairs(
        _K.CHARGE_OVERPAYMENT,
        source,
        description or f"Over-payment of {amount.format()} held as customer credit",
        (_A.GATEWAY_RECEIVABLE, _A.CUSTOMER_CREDIT, amount),
    )


def refund_created(amount: Money, *, source: Source, description: str = "") -> JournalTransaction:
    """A refund is requested: we now owe the customer ``amount``."""
    _positive(amount, "refund amount")
    return _pairs(
        _K.REFUND_CREATED,
        source,
        description or f"Refund of {amount.format()} requested",
        (_A.REVENUE_CLEARING, _A.REFUNDS_PAYABLE, amount),
    )


def refund_succeeded(amount: Money, *, source: Source, description: str = "") -> JournalTransaction:
    """The gateway paid the refund out of our balance."""
    _positive(amount, "refund amount")
    return _pairs(
        _K.REFUND_SUCCEEDED,
        source,
        description or f"Refund of {amount.format()} paid",
        (_A.REFUNDS_PAYABLE, _A.GATEWAY_RECEIVABLE, amount),
    )


def refund_failed(amount: Money, *, source: Source, description: str = "") -> JournalTransaction:
    """A requested refund failed: the money is the customer's payment again."""
    _positive(amount, "refund amount")
    return _pairs(
        _K.REFUND_FAILED,
        source,
        description or f"Refund of {amount.format()} failed",
        (_A.REFUNDS_PAYABLE, _A.REVENUE_CLEARING, amount),
    )


def dispute_funds_withdrawn(
    amount: Money, *, source: Source, description: str = ""
) -> JournalTransaction:
    """The gateway withdrew the disputed amount from our balance."""
    _positive(amount, "disputed amount")
    return _pairs(
        _K.DISPUTE_FUNDS_WITHDRAWN,
        source,
        description or f"Dispute of {amount.format()}: funds withdrawn",
        (_A.DISPUTES, _A.GATEWAY_RECEIVABLE, amount),
    )


def dispute_funds_reinstated(
    amount: Money, *, source: Source, description: str = ""
) -> JournalTransaction:
    """We won the dispute: the gateway gives the funds back."""
    _positive(amount, "reinstated amount")
    return _pairs(
        _K.DISPUTE_FUNDS_REINSTATED,
        source,
        description or f"Dispute of {amount.format()}: funds reinstated",
        (_A.GATEWAY_RECEIVABLE, _A.DISPUTES, amount),
    )


def dispute_lost(amount: Money, *, source: Source, description: str = "") -> JournalTransaction:
    """We lost the dispute: the withdrawn funds are a loss."""
    _positive(amount, "disputed amount")
    return _pairs(
        _K.DISPUTE_LOST,
        source,
        description or f"Dispute of {amount.format()} lost",
        (_A.CHARGEBACK_LOSSES, _A.DISPUTES, amount),
    )


def reversal(
    original: JournalTransaction, *, source: Source | None = None, description: str = ""
) -> JournalTransaction:
    """The correcting transaction that cancels ``original`` (the journal is append-only)."""
    return JournalTransaction(
        _K.REVERSAL,
        source or original.source,
        tuple(Entry(e.account, -e.money, e.dimension) for e in original.entries),
        description or f"Reversal of {original.kind} for {original.source}",
    )


@dataclass(frozen=True, slots=True)
class SaleGroup:
    """One VAT group of a sale: its net amount and VAT, and the dimension naming the group."""

    dimension: str
    net: Money
    tax: Money


@dataclass(frozen=True, slots=True)
class CreditSettlement:
    """Where a credit note's total goes (the four parts sum to it; zero parts are skipped)."""

    receivable: Money  # reduces what the invoice still owes
    refund: Money  # back to revenue_clearing, from where the refunds pay it out
    credit: Money  # to the customer's credit balance
    out_of_band: Money  # paid back outside the gateway

    @property
    def total(self) -> Money:
        return self.receivable + self.refund + self.credit + self.out_of_band


def _sale_entries(groups: Sequence[SaleGroup], sign: int) -> list[Entry]:
    """Per group, sales and VAT credited (sign -1, a sale) or debited (+1, a reversal)."""
    entries: list[Entry] = []
    for group in groups:
        for account, money in ((_A.SALES, group.net), (_A.VAT_PAYABLE, group.tax)):
            if money.amount < 0:
                raise InvalidPosting(f"A sale's {account.value} amount cannot be negative")
            if money.amount:
                entries.append(Entry(account, money if sign > 0 else -money, group.dimension))
    return entries


def invoice_finalized(
    groups: Sequence[SaleGroup], *, source: Source, receivable_dimension: str, description: str = ""
) -> JournalTransaction:
    """The customer owes the invoice's total: receivable against sales and VAT per group."""
    sale = _sale_entries(groups, -1)
    total = _sum([g.net + g.tax for g in groups])
    _positive(total, "invoice total")
    return JournalTransaction(
        _K.INVOICE_FINALIZED,
        source,
        (Entry.debit(_A.ACCOUNTS_RECEIVABLE, total, receivable_dimension), *sale),
        description or f"Invoice of {total.format()}",
    )


def invoice_voided(
    groups: Sequence[SaleGroup], *, source: Source, receivable_dimension: str, description: str = ""
) -> JournalTransaction:
    """A voided invoice: its finalization, negated."""
    finalized = invoice_finalized(groups, source=source, receivable_dimension=receivable_dimension)
    return JournalTransaction(
        _K.INVOICE_VOIDED,
        source,
        tuple(Entry(e.account, -e.money, e.dimension) for e in finalized.entries),
        description or "Invoice voided",
    )


def invoice_payment(
    applied: Money,
    *,
    source: Source,
    receivable_dimension: str,
    excess: Money | None = None,
    customer_dimension: str | None = None,
    description: str = "",
) -> JournalTransaction:
    """A payment allocated to its invoice; ``excess`` (beyond what was owed) is the
    customer's credit. ``applied`` may be zero when the invoice owed nothing any more."""
    legs: list[Entry] = []
    if applied.amount:
        _positive(applied, "applied amount")
        legs += [
            Entry.debit(_A.REVENUE_CLEARING, applied),
            Entry.credit(_A.ACCOUNTS_RECEIVABLE, applied, receivable_dimension),
        ]
    if excess is not None and excess.amount:
        _positive(excess, "excess")
        _same_currency(applied, excess)
        legs += [
            Entry.debit(_A.REVENUE_CLEARING, excess),
            Entry.credit(_A.CUSTOMER_CREDIT, excess, customer_dimension),
        ]
    return JournalTransaction(
        _K.INVOICE_PAYMENT,
        source,
        tuple(legs),
        description or f"Payment of {applied.format()} allocated to an invoice",
    )


def invoice_paid_out_of_band(
    amount: Money,
    *,
    source: Source,
    receivable_dimension: str,
    excess: Money | None = None,
    customer_dimension: str | None = None,
    description: str = "",
) -> JournalTransaction:
    """The invoice was paid outside the gateway (cash at the counter, a direct transfer):
    ``amount`` is applied to it; ``excess`` (more than it owed) is the customer's credit."""
    _positive(amount, "amount paid out of band")
    legs = [
        Entry.debit(_A.BANK, amount),
        Entry.credit(_A.ACCOUNTS_RECEIVABLE, amount, receivable_dimension),
    ]
    if excess is not None and excess.amount:
        _positive(excess, "excess")
        _same_currency(amount, excess)
        legs += [
            Entry.debit(_A.BANK, excess),
            Entry.credit(_A.CUSTOMER_CREDIT, excess, customer_dimension),
        ]
    return JournalTransaction(
        _K.INVOICE_PAID_OUT_OF_BAND,
        source,
        tuple(legs),
        description or f"Invoice paid out of band: {amount.format()}",
    )


def advance_invoiced(
    total: Money, *, source: Source, receivable_dimension: str, description: str = ""
) -> JournalTransaction:
    """An advance-payment invoice is issued: the customer owes ``total``, held in
    customer_advances (its dimension: the advance invoice) until a final invoice uses it."""
    _positive(total, "advance invoice total")
    return JournalTransaction(
        _K.INVOICE_FINALIZED,
        source,
        (
            Entry.debit(_A.ACCOUNTS_RECEIVABLE, total, receivable_dimension),
            Entry.credit(_A.CUSTOMER_ADVANCES, total, receivable_dimension),
        ),
        description or f"Advance invoice of {total.format()}",
    )


def advance_voided(
    total: Money, *, source: Source, receivable_dimension: str, description: str = ""
) -> JournalTransaction:
    """A voided advance-payment invoice (nothing received): its issue, negated."""
    issued = advance_invoiced(total, source=source, receivable_dimension=receivable_dimension)
    return JournalTransaction(
        _K.INVOICE_VOIDED,
        source,
        tuple(Entry(e.account, -e.money, e.dimension) for e in issued.entries),
        description or "Advance invoice voided",
    )


def advance_vat_due(
    taxes: Sequence[SaleGroup], *, source: Source, advance_dimension: str, description: str = ""
) -> JournalTransaction:
    """VAT of money received on an advance-payment invoice becomes payable: per group,
    customer_advances -> vat_payable (``tax`` of each group; ``net`` is ignored)."""
    entries: list[Entry] = []
    for group in taxes:
        if group.tax.amount < 0:
            raise InvalidPosting("An advance's VAT cannot be negative")
        if group.tax.amount:
            entries += [
                Entry.debit(_A.CUSTOMER_ADVANCES, group.tax, advance_dimension),
                Entry.credit(_A.VAT_PAYABLE, group.tax, group.dimension),
            ]
    if not entries:
        raise InvalidPosting("No VAT became due")
    return JournalTransaction(
        _K.ADVANCE_VAT_DUE,
        source,
        tuple(entries),
        description or "VAT due on an advance payment",
    )


def advance_applied(
    groups: Sequence[SaleGroup],
    *,
    source: Source,
    advance_dimension: str,
    receivable_dimension: str,
    description: str = "",
) -> JournalTransaction:
    """A paid advance-payment invoice (its VAT groups) is deducted on the final invoice:
    customer_advances released (the net) and the advance's VAT reversed (vat_payable,
    per group) against the final invoice's receivable (the gross)."""
    total = _sum([g.net + g.tax for g in groups])
    _positive(total, "advance applied")
    net = _sum([g.net for g in groups])
    entries: list[Entry] = []
    if net.amount:
        entries.append(Entry.debit(_A.CUSTOMER_ADVANCES, net, advance_dimension))
    for group in groups:
        if group.tax.amount:
            entries.append(Entry.debit(_A.VAT_PAYABLE, group.tax, group.dimension))
    entries.append(Entry.credit(_A.ACCOUNTS_RECEIVABLE, total, receivable_dimension))
    return JournalTransaction(
        _K.ADVANCE_APPLIED,
        source,
        tuple(entries),
        description or f"Advance of {total.format()} deducted on the final invoice",
    )


def credit_note_issued(
    groups: Sequence[SaleGroup],
    settlement: CreditSettlement,
    *,
    source: Source,
    receivable_dimension: str,
    customer_dimension: str | None = None,
    description: str = "",
) -> JournalTransaction:
    """A credit note reverses part of a sale per VAT group and settles it (see
    :class:`CreditSettlement`)."""
    total = _sum([g.net + g.tax for g in groups])
    _positive(total, "credit note total")
    if settlement.total != total:
        raise InvalidPosting(
            f"A credit note of {total.format()} cannot settle {settlement.total.format()}"
        )
    entries = _sale_entries(groups, +1)
    for account, money, dimension in (
        (_A.ACCOUNTS_RECEIVABLE, settlement.receivable, receivable_dimension),
        (_A.REVENUE_CLEARING, settlement.refund, None),
        (_A.CUSTOMER_CREDIT, settlement.credit, customer_dimension),
        (_A.BANK, settlement.out_of_band, None),
    ):
        if money.amount < 0:
            raise InvalidPosting(f"A credit note cannot settle a negative {account.value} part")
        if money.amount:
            entries.append(Entry.credit(account, money, dimension))
    return JournalTransaction(
        _K.CREDIT_NOTE_ISSUED,
        source,
        tuple(entries),
        description or f"Credit note of {total.format()}",
    )


def credit_note_voided(
    groups: Sequence[SaleGroup],
    settlement: CreditSettlement,
    *,
    source: Source,
    receivable_dimension: str,
    customer_dimension: str | None = None,
    description: str = "",
) -> JournalTransaction:
    """A voided credit note: its posting, negated."""
    issued = credit_note_issued(
        groups,
        settlement,
        source=source,
        receivable_dimension=receivable_dimension,
        customer_dimension=customer_dimension,
    )
    return JournalTransaction(
        _K.CREDIT_NOTE_VOIDED,
        source,
        tuple(Entry(e.account, -e.money, e.dimension) for e in issued.entries),
        description or "Credit note voided",
    )


def _sum(amounts: Sequence[Money]) -> Money:
    if not amounts:
        raise InvalidPosting("A sale needs at least one VAT group")
    total = amounts[0]
    for money in amounts[1:]:
        total = total + money
    return total


def _pairs(
    kind: TransactionKind,
    source: Source,
    description: str,
    *legs: tuple[Account, Account, Money],
) -> JournalTransaction:
    entries: list[Entry] = []
    for debit, credit, money in legs:
        entries += [Entry.debit(debit, money), Entry.credit(credit, money)]
    return JournalTransaction(kind, source, tuple(entries), description)


def _positive(money: Money, what: str) -> None:
    if not isinstance(money, Money):
        raise TypeError(f"The {what} must be Money")
    if money.amount <= 0:
        raise InvalidPosting(f"The {what} must be positive, got {money.amount} {money.currency}")


def _same_currency(a: Money, b: Money) -> None:
    if a.currency != b.currency:
        raise CurrencyMismatch(a.currency, b.currency)
