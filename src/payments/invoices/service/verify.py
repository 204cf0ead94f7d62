"""What ``payments ledger verify`` proves of invoices and credit notes.

* every finalized invoice's receivable (``accounts_receivable``, its dimension) equals
  its ``amount_remaining`` (zero once void), and no receivable belongs to no invoice;
* every invoice's ``amount_paid`` is the sum of its invoice payments' ``amount_paid``,
  and every out-of-band invoice payment was posted ``invoice.paid_out_of_band`` once;
* every invoice with a total was posted ``invoice.finalized`` once, and a void one
  ``invoice.voided`` once; every credit note ``credit_note.created`` once, and a void one
  ``credit_note.voided`` once;
* every advance-payment invoice's ``customer_advances`` (its dimension) holds its total
  less the VAT due on what it received (zero once void or deducted), the ``vat_payable``
  posted on its receipt is exactly that VAT, and every final invoice that deducts one
  was posted ``invoice.advance_applied`` once with ``prepaid_amount`` the advance's total.
"""

from __future__ import annotations

from collections import defaultdict

from payments.invoices.domain.advance import vat_received
from payments.invoices.domain.invoice_payment import InvoicePaymentType
from payments.invoices.domain.status import CreditNoteStatus, InvoiceStatus
from payments.invoices.repository import (
    CreditNoteRepository,
    InvoicePaymentRepository,
    InvoiceRepository,
)
from payments.ledger.domain.accounts import Account
from payments.ledger.domain.checks import Balances, expect_account, expect_postings
from payments.ledger.domain.journal import TransactionKind
from payments.ledger.repository import LedgerRepository
from payments.platform.db.uow import UnitOfWork

_K = TransactionKind


async def verify_invoices(uow: UnitOfWork, balances: Balances) -> list[str]:
    problems: list[str] = []
    ledger = uow.repo(LedgerRepository)
    receivable = {
        (dimension, currency): amount
        for dimension, currency, amount in await ledger.dimension_sums(
            Account.ACCOUNTS_RECEIVABLE.value
        )
    }
    invoices = await uow.repo(InvoiceRepository).ledger_view()
    expected_total: dict[str, int] = defaultdict(int)
    posted = await ledger.posting_counts("invoice")
    paid_by: dict[str, int] = defaultdict(int)
    posted_payments = await ledger.posting_counts("invoice_payment")
    for payment_id, of_invoice, payment_type, amount_paid in await uow.repo(
        InvoicePaymentRepository
    ).ledger_view():
        paid_by[of_invoice] += amount_paid
        if payment_type == InvoicePaymentType.OUT_OF_BAND.value:
            expect_postings(
                problems,
                "invoice payment",
                posted_payments,
                _K.INVOICE_PAID_OUT_OF_BAND,
                payment_id,
                1,
            )
    for invoice_id, status, currency, remaining, total, amount_paid in invoices:
        if paid_by.get(invoice_id, 0) != amount_paid:
            problems.append(
                f"invoice {invoice_id} has amount_paid {amount_paid} but its payments "
                f"applied {paid_by.get(invoice_id, 0)}"
            )
        expected = 0 if status is InvoiceStatus.VOID else remaining
        expected_total[currency] += expected
        got = receivable.pop((invoice_id, currency), 0)
        if got != expected:
            problems.append(
                f"invoice {invoice_id} owes {expected} {currency} but its receivable is {got}"
            )
        expect_postings(
            problems, "invoice", posted, _K.INVOICE_FINALIZED, invoice_id, 1 if total > 0 else 0
        )
        expect_postings(
            problems,
            "invoice",
            posted,
            _K.INVOICE_VOIDED,
            invoice_id,
            1 if status is InvoiceStatus.VOID and total > 0 else 0,
        )
    for (dimension, currency), amount in sorted(receivable.items(), key=str):
        if amount:
            problems.append(
                f"receivable of {amount} {currency} belongs to no invoice ({dimension})"
            )
    problems += expect_account(
        balances, Account.ACCOUNTS_RECEIVABLE, dict(expected_total), "invoices' amount_remaining"
    )
    notes = await uow.repo(CreditNoteRepository).ledger_view()
    posted_notes = await ledger.posting_counts("credit_note")
    for note_id, note_status in notes:
        expect_postings(problems, "credit note", posted_notes, _K.CREDIT_NOTE_ISSUED, note_id, 1)
        expect_postings(
            problems,
            "credit note",
            posted_notes,
            _K.CREDIT_NOTE_VOIDED,
            note_id,
            1 if note_status is CreditNoteStatus.VOID else 0,
        )
    problems += await _verify_advances(uow, balances)
    return problems


async def _verify_advances(uow: UnitOfWork, balances: Balances) -> list[str]:
    problems: list[str] = []
    ledger = uow.repo(LedgerRepository)
    held = {
        (dimension, currency): amount
        for dimension, currency, amount in await ledger.dimension_sums(
            Account.CUSTOMER_ADVANCES.value
        )
    }
    vat_posted = {
        (source_id, currency): amount
        for source_id, currency, amount in await ledger.source_sums(
            Account.VAT_PAYABLE.value, "invoice_payment", _K.ADVANCE_VAT_DUE.value
        )
    }
    payments_of: dict[str, list[str]] = defaultdict(list)
    for payment_id, of_invoice, _type, _paid in await uow.repo(
        InvoicePaymentRepository
    ).ledger_view():
        payments_of[of_invoice].append(payment_id)
    advances, finals = await uow.repo(InvoiceRepository).advances_view()
    posted = await ledger.posting_counts("invoice")
    expected_total: dict[str, int] = defaultdict(int)
    for advance in advances:
        final = finals.get(advance.id)
        due = sum(
            vat_received(advance.tax_breakdown, total=advance.total, paid=advance.amount_paid)
        )
        got_vat = -sum(vat_posted.get((p, advance.currency), 0) for p in payments_of[advance.id])
        if got_vat != due:
            problems.append(
                f"advance invoice {advance.id} received {advance.amount_paid} whose VAT is "
                f"{due} but {got_vat} was posted as due on receipt"
            )
        expected = advance.total - due
        if advance.status is InvoiceStatus.VOID or final is not None or advance.total == 0:
            expected = 0
        expected_total[advance.currency] += expected
        got = -held.pop((advance.id, advance.currency), 0)
        if got != expected:
            problems.append(
                f"advance invoice {advance.id} holds {expected} {advance.currency} of "
                f"customer advances but the ledger {got}"
            )
    for final in finals.values():
        advance_total = next((a.total for a in advances if a.id == final.advance_invoice_id), 0)
        if final.prepaid_amount != advance_total:
            problems.append(
                f"invoice {final.id} shows prepaid_amount {final.prepaid_amount} but its "
                f"advance {final.advance_invoice_id} is of {advance_total}"
            )
        expect_postings(problems, "invoice", posted, _K.ADVANCE_APPLIED, final.id, 1)
    for (dimension, currency), amount in sorted(held.items(), key=str):
        if amount:
            problems.append(
                f"customer advances of {-amount} {currency} belong to no advance invoice "
                f"({dimension})"
            )
    problems += expect_account(
        balances, Account.CUSTOMER_ADVANCES, dict(expected_total), "advance invoices'"
    )
    return problems
