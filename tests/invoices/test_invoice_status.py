"""The invoice and credit note transition tables, exhaustively."""

from __future__ import annotations

import itertools

import pytest

from payments.invoices.domain.status import (
    CREDIT_NOTE_TRANSITIONS,
    INVOICE_TRANSITIONS,
    CreditNoteOperation,
    CreditNoteStatus,
    InvalidInvoiceTransition,
    InvoiceOperation,
    InvoiceStatus,
    credit_note_transition,
    invoice_transition,
)

S, Op = InvoiceStatus, InvoiceOperation

EXPECTED = {
    (S.DRAFT, Op.UPDATE): S.DRAFT,
    (S.DRAFT, Op.FINALIZE): S.OPEN,
    (S.DRAFT, Op.FINALIZE_ZERO): S.PAID,
    (S.OPEN, Op.PAY): S.PAID,
    (S.OPEN, Op.CREDIT): S.PAID,
    (S.OPEN, Op.VOID): S.VOID,
    (S.OPEN, Op.MARK_UNCOLLECTIBLE): S.UNCOLLECTIBLE,
    (S.OPEN, Op.SEND): S.OPEN,
    (S.UNCOLLECTIBLE, Op.PAY): S.PAID,
    (S.UNCOLLECTIBLE, Op.CREDIT): S.PAID,
    (S.UNCOLLECTIBLE, Op.VOID): S.VOID,
    (S.UNCOLLECTIBLE, Op.SEND): S.UNCOLLECTIBLE,
    (S.PAID, Op.SEND): S.PAID,
}


@pytest.mark.parametrize(("status", "operation"), list(itertools.product(S, Op)))
def test_every_invoice_status_and_operation_is_allowed_or_refused_as_the_table_says(
    status: InvoiceStatus, operation: InvoiceOperation
) -> None:
    expected = EXPECTED.get((status, operation))
    if expected is None:
        with pytest.raises(InvalidInvoiceTransition) as refused:
            invoice_transition(status, operation)
        assert refused.value.code == "invoice_unexpected_state"
        assert status.value in refused.value.message
    else:
        assert invoice_transition(status, operation) is expected


def test_the_table_is_exactly_the_documented_lifecycle() -> None:
    assert dict(INVOICE_TRANSITIONS) == EXPECTED


def test_a_finalized_invoice_is_never_edited_and_void_is_terminal() -> None:
    for status in (S.OPEN, S.PAID, S.VOID, S.UNCOLLECTIBLE):
        assert (status, Op.UPDATE) not in INVOICE_TRANSITIONS
        assert (status, Op.FINALIZE) not in INVOICE_TRANSITIONS
    assert not [key for key in INVOICE_TRANSITIONS if key[0] is S.VOID]
    with pytest.raises(InvalidInvoiceTransition, match="credit note"):
        invoice_transition(S.OPEN, Op.UPDATE)


@pytest.mark.parametrize(
    ("status", "operation"), list(itertools.product(CreditNoteStatus, CreditNoteOperation))
)
def test_every_credit_note_status_and_operation_follows_its_table(
    status: CreditNoteStatus, operation: CreditNoteOperation
) -> None:
    if (status, operation) in CREDIT_NOTE_TRANSITIONS:
        assert credit_note_transition(status, operation) is CreditNoteStatus.VOID
    else:
        with pytest.raises(InvalidInvoiceTransition) as refused:
            credit_note_transition(status, operation)
        assert refused.value.code == "credit_note_unexpected_state"
