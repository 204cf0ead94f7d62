"""Invoice and credit note lifecycles: Stripe's statuses, one transition table each.

Invoice::

    draft --update--> draft          (lines and fields change; no number yet)
    draft --finalize--> open         (numbered, seller and buyer frozen, posted)
          --finalize_zero--> paid    (a total of zero owes nothing)
    open --pay--> paid               (a payment, out of band or through the gateway,
                                      covers what is left)
         --credit--> paid            (credit notes bring what is left to zero)
         --void--> void              (nothing paid or credited: the sale is reversed)
         --mark_uncollectible--> uncollectible
         --send--> open
    uncollectible --pay | credit--> paid; --void--> void; --send--> uncollectible
    paid --send--> paid              (a copy for the customer's records)
    void: terminal

A finalized invoice is never edited (GoBD): corrections are credit notes, and every
operation not in the table is refused with ``invoice_unexpected_state``.

Credit note: ``issued --void--> void``; void is terminal.

Errors::

    InvalidRequest                        (payments.kernel.errors)
     └── StateConflict
          └── InvalidInvoiceTransition    invoice_unexpected_state / credit_note_unexpected_state
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from payments.kernel.errors import StateConflict


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


class InvoiceOperation(StrEnum):
    UPDATE = "update"
    FINALIZE = "finalize"
    FINALIZE_ZERO = "finalize_zero"
    PAY = "pay"
    CREDIT = "credit"
    VOID = "void"
    MARK_UNCOLLECTIBLE = "mark_uncollectible"
    SEND = "send"


class CreditNoteStatus(StrEnum):
    ISSUED = "issued"
    VOID = "void"


class CreditNoteOperation(StrEnum):
    VOID = "void"


_S = InvoiceStatus
_Op = InvoiceOperation

#: (status, operation) -> next status. Absent: refused.
INVOICE_TRANSITIONS: Final[Mapping[tuple[InvoiceStatus, InvoiceOperation], InvoiceStatus]] = (
    MappingProxyType(
        {
            (_S.DRAFT, _Op.UPDATE): _S.DRAFT,
            (_S.DRAFT, _Op.FINALIZE): _S.OPEN,
            (_S.DRAFT, _Op.FINALIZE_ZERO): _S.PAID,
            (_S.OPEN, _Op.PAY): _S.PAID,
            (_S.OPEN, _Op.CREDIT): _S.PAID,
            (_S.OPEN, _Op.VOID): _S.VOID,
            (_S.OPEN, _Op.MARK_UNCOLLECTIBLE): _S.UNCOLLECTIBLE,
            (_S.OPEN, _Op.SEND): _S.OPEN,
            (_S.UNCOLLECTIBLE, _Op.PAY): _S.PAID,
            (_S.UNCOLLECTIBLE, _Op.CREDIT): _S.PAID,
            (_S.UNCOLLECTIBLE, _Op.VOID): _S.VOID,
            (_S.UNCOLLECTIBLE, _Op.SEND): _S.UNCOLLECTIBLE,
            (_S.PAID, _Op.SEND): _S.PAID,
        }
    )
)

CREDIT_NOTE_TRANSITIONS: Final[
    Mapping[tuple[CreditNoteStatus, CreditNoteOperation], CreditNoteStatus]
] = MappingProxyType({(CreditNoteStatus.ISSUED, CreditNoteOperation.VOID): CreditNoteStatus.VOID})

_WHY: Final[Mapping[InvoiceStatus, str]] = MappingProxyType(
    {
        _S.DRAFT: "it is a draft: finalize it first",
        _S.OPEN: "it is finalized: a finalized invoice is never edited; correct it with a "
        "credit note",
        _S.PAID: "it is paid: correct it with a credit note",
        _S.VOID: "it is void",
        _S.UNCOLLECTIBLE: "it is marked uncollectible",
    }
)


class InvalidInvoiceTransition(StateConflict):
    default_code = "invoice_unexpected_state"


def invoice_transition(status: InvoiceStatus, operation: InvoiceOperation) -> InvoiceStatus:
    """The status after ``operation``, or :class:`InvalidInvoiceTransition`."""
    found = INVOICE_TRANSITIONS.get((status, operation))
    if found is None:
        verb = operation.value.replace("_", " ").replace("finalize zero", "finalize")
        raise InvalidInvoiceTransition(
            f"You cannot {verb} this invoice because {_WHY[status]} (status {status.value}).",
            code="invoice_unexpected_state",
        )
    return found


def credit_note_transition(
    status: CreditNoteStatus, operation: CreditNoteOperation
) -> CreditNoteStatus:
    found = CREDIT_NOTE_TRANSITIONS.get((status, operation))
    if found is None:
        raise InvalidInvoiceTransition(
            f"You cannot {operation.value} this credit note (status {status.value}).",
            code="credit_note_unexpected_state",
        )
    return found
