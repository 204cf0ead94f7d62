"""Credit notes: Stripe's ``/v1/credit_notes``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.gateways.runtime import GatewayDep
from payments.invoices.domain.commands import CreateCreditNote, CreditLineInput, ListCreditNotes
from payments.invoices.render import credit_note_object
from payments.invoices.schemas import CreditNoteCreate
from payments.invoices.service import credit_notes as uc
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep, services
from payments.platform.http.params import CreatedRange
from payments.platform.http.responses import json_response, list_object
from payments.refunds.api import policy

router = APIRouter(prefix="/v1/credit_notes", tags=["credit_notes"])


@router.post("", summary="Issue a credit note against a finalized invoice (refunds it too)")
async def create(body: CreditNoteCreate, c: GatewayDep, ctx: ContextDep) -> Response:
    fields = body.model_dump(exclude_unset=True, exclude={"lines"})
    lines = tuple(CreditLineInput(**item.model_dump()) for item in body.lines)
    cmd = CreateCreditNote(**fields, lines=lines)
    note, note_lines = await uc.create_credit_note(
        cmd, gateway=c.gateway, ctx=ctx, policy=policy(c), **services(c)
    )
    return json_response(credit_note_object(note, note_lines))


@router.get("", summary="List credit notes (newest first), e.g. of one invoice")
async def list_all(
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    created: CreatedRange,
    invoice: Annotated[str | None, Query(max_length=64)] = None,
    customer: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    query = ListCreditNotes(
        invoice=invoice, customer=customer, created_gte=created.gte, created_lte=created.lte
    )
    result = await uc.list_credit_notes(query, page, uow_factory=c.uow_factory, ctx=ctx)
    data = [credit_note_object(n, lines) for n, lines in result.data]
    return json_response(list_object("/v1/credit_notes", data, result.has_more))


@router.get("/{note_id}", summary="Retrieve a credit note")
async def retrieve(note_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    note, lines = await uc.retrieve_credit_note(note_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(credit_note_object(note, lines))


@router.post("/{note_id}/void", summary="Void a credit note nothing was refunded of")
async def void(note_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    note, lines = await uc.void_credit_note(note_id, ctx=ctx, **services(c))
    return json_response(credit_note_object(note, lines))
