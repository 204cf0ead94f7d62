"""``expand[]`` on invoices and credit notes, and invoices wherever payments name them.

An invoice expands ``customer``, ``default_payment_method`` and ``payment_intent``; a
credit note ``customer`` and ``invoice`` (Stripe's expandable fields of these objects
that exist here). :func:`rendered_invoices` is the loader registered with payments
(:func:`payments.intents.api.expand.register_expansion`), so a PaymentIntent's
``invoice`` (and a credit note's) expands too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Depends

from payments.invoices.render import invoice_object
from payments.invoices.service.drafts import invoices_by_id
from payments.kernel.context import RequestContext
from payments.platform.db.uow import UnitOfWorkFactory
from payments.platform.http.params import expandable

INVOICE_EXPANDABLE = ("customer", "default_payment_method", "payment_intent")
CREDIT_NOTE_EXPANDABLE = ("customer", "invoice")

InvoiceExpand = Annotated[tuple[str, ...], Depends(expandable(*INVOICE_EXPANDABLE))]
InvoiceExpandList = Annotated[tuple[str, ...], Depends(expandable(*INVOICE_EXPANDABLE, lists=True))]
CreditNoteExpand = Annotated[tuple[str, ...], Depends(expandable(*CREDIT_NOTE_EXPANDABLE))]
CreditNoteExpandList = Annotated[
    tuple[str, ...], Depends(expandable(*CREDIT_NOTE_EXPANDABLE, lists=True))
]


async def rendered_invoices(
    ids: Sequence[str], *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> dict[str, dict[str, Any]]:
    """The invoices among ``ids`` the key may see, as their JSON, by id."""
    found = await invoices_by_id(ids, uow_factory=uow_factory, ctx=ctx)
    return {invoice_id: invoice_object(*pair) for invoice_id, pair in found.items()}
