"""Credit notes: Stripe's ``/v1/credit_notes``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from starlette.responses import Response

from payments.gateways.runtime import GatewayDep
from payments.intents.api.expand import expanded_list_response, expanded_response
from payments.invoices.api.expand import CreditNoteExpand, CreditNoteExpandList
from payments.invoices.domain.commands import CreateCreditNote, CreditLineInput, ListCreditNotes
from payments.invoices.domain.credit_note import CreditNoteReason
from payments.invoices.domain.model import CreditNote, CreditNoteLine
from payments.invoices.render import credit_note_object
from payments.invoices.schemas import CreditNoteCreate, CreditNoteList, CreditNoteOut
from payments.invoices.service import credit_notes as uc
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep, services
from payments.platform.http.openapi import GATEWAY_ERRORS, Responses
from payments.platform.http.params import CreatedRange, LocationFilter
from payments.platform.http.responses import json_response
from payments.refunds.api import policy

router = APIRouter(prefix="/v1/credit_notes", tags=["credit_notes"])

ONE: Responses = {200: {"model": CreditNoteOut}}

CREATE_EXAMPLES = {
    "warranty": {
        "summary": "Credit half an hour of labour as a warranty case and refund it",
        "value": {
            "invoice": "in_01JD8ZQ0V8Y3J6T4W9B2C5D7FG",
            "reason": "warranty",
            "lines": [
                {
                    "type": "invoice_line_item",
                    "invoice_line_item": "il_01JD8ZQ0V8Y3J6T4W9B2C5D7FG",
                    "quantity": "0.5",
                }
            ],
            "refund_amount": 4760,
        },
    }
}


def _shown(pair: tuple[CreditNote, Sequence[CreditNoteLine]]) -> dict[str, Any]:
    return credit_note_object(*pair)


@router.post(
    "",
    responses=ONE | GATEWAY_ERRORS,
    summary="Issue a credit note against a finalized invoice (and refund it)",
    description=(
        "Corrects a finalized invoice by lines or by `amount`: what it still owes is "
        "reduced first; `refund_amount` is refunded through the invoice's payments (the "
        "refund approval policy applies), `credit_amount` goes to the customer's credit "
        "and `out_of_band_amount` was paid back outside the service."
    ),
)
async def create(
    body: Annotated[CreditNoteCreate, Body(openapi_examples=CREATE_EXAMPLES)],
    c: GatewayDep,
    ctx: ContextDep,
) -> Response:
    fields = body.model_dump(exclude_unset=True, exclude={"lines", "reason"})
    lines = tuple(CreditLineInput(**item.model_dump()) for item in body.lines)
    reason = CreditNoteReason(body.reason) if body.reason else None
    cmd = CreateCreditNote(**fields, lines=lines, reason=reason)
    note, note_lines = await uc.create_credit_note(
        cmd, gateway=c.gateway, ctx=ctx, policy=policy(c), **services(c)
    )
    return json_response(credit_note_object(note, note_lines))


@router.get(
    "",
    responses={200: {"model": CreditNoteList}},
    summary="List credit notes (newest first), e.g. of one invoice",
)
async def list_all(
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    created: CreatedRange,
    expand: CreditNoteExpandList,
    location: LocationFilter = None,
    invoice: Annotated[str | None, Query(max_length=64)] = None,
    customer: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    query = ListCreditNotes(invoice=invoice, customer=customer, created=created, location=location)
    result = await uc.list_credit_notes(query, page, uow_factory=c.uow_factory, ctx=ctx)
    return await expanded_list_response(
        "/v1/credit_notes", result, _shown, expand, uow_factory=c.uow_factory, ctx=ctx
    )


@router.get("/{note_id}", responses=ONE, summary="Retrieve a credit note")
async def retrieve(
    note_id: str, c: ContainerDep, ctx: ContextDep, expand: CreditNoteExpand
) -> Response:
    found = await uc.retrieve_credit_note(note_id, uow_factory=c.uow_factory, ctx=ctx)
    return await expanded_response(_shown(found), expand, uow_factory=c.uow_factory, ctx=ctx)


@router.post("/{note_id}/void", responses=ONE, summary="Void a credit note nothing was refunded of")
async def void(note_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    note, lines = await uc.void_credit_note(note_id, ctx=ctx, **services(c))
    return json_response(credit_note_object(note, lines))
