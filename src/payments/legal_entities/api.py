"""Legal entities: ``/v1/legal_entities`` (admins write; every key reads)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from payments.legal_entities import service as uc
from payments.legal_entities.domain import CreateLegalEntity, UpdateLegalEntity
from payments.legal_entities.render import legal_entity_object
from payments.legal_entities.schemas import (
    LegalEntityCreate,
    LegalEntityList,
    LegalEntityOut,
    LegalEntityUpdate,
)
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep, services
from payments.platform.http.openapi import Responses
from payments.platform.http.responses import json_response, list_response

router = APIRouter(prefix="/v1/legal_entities", tags=["legal_entities"])

ONE: Responses = {200: {"model": LegalEntityOut}}


def _update(entity_id: str, body: LegalEntityUpdate) -> UpdateLegalEntity:
    address = body.given_not_null("address")
    return UpdateLegalEntity(
        id=entity_id,
        legal_name=body.given_not_null("legal_name"),
        address=address if body.address is None else body.address.model_dump(),
        iban=body.given_not_null("iban"),
        bic=body.given("bic"),
        vat_id=body.given("vat_id"),
        tax_number=body.given("tax_number"),
        registration_number=body.given("registration_number"),
        email=body.given("email"),
        phone=body.given("phone"),
        invoice_footer=body.given("invoice_footer"),
        logo=body.given("logo"),
        invoice_prefix=body.given_not_null("invoice_prefix"),
        invoice_number_pattern=body.given_not_null("invoice_number_pattern"),
        credit_note_number_pattern=body.given_not_null("credit_note_number_pattern"),
        retention_years=body.given_not_null("retention_years"),
        metadata=body.given("metadata"),
    )


@router.post(
    "",
    responses=ONE,
    summary="Create a legal entity (a seller; admin)",
    description=(
        "The company that issues a shop's invoices: legal name, address, VAT ID, bank "
        "account and its numbering patterns. Link a shop with `POST /v1/locations/{id}` "
        "`legal_entity=le_...`."
    ),
)
async def create_legal_entity(
    body: LegalEntityCreate, c: ContainerDep, ctx: ContextDep
) -> Response:
    cmd = CreateLegalEntity(**body.model_dump(exclude_unset=True))
    entity = await uc.create_legal_entity(cmd, ctx=ctx, **services(c))
    return json_response(legal_entity_object(entity))


@router.get(
    "", responses={200: {"model": LegalEntityList}}, summary="List legal entities (newest first)"
)
async def list_legal_entities(c: ContainerDep, ctx: ContextDep, page: PageDep) -> Response:
    result = await uc.list_legal_entities(page, uow_factory=c.uow_factory, ctx=ctx)
    return list_response("/v1/legal_entities", result, legal_entity_object)


@router.get("/{entity_id}", responses=ONE, summary="Retrieve a legal entity")
async def retrieve_legal_entity(entity_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    entity = await uc.retrieve_legal_entity(entity_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(legal_entity_object(entity))


@router.post("/{entity_id}", responses=ONE, summary="Update a legal entity (admin)")
async def update_legal_entity(
    entity_id: str, body: LegalEntityUpdate, c: ContainerDep, ctx: ContextDep
) -> Response:
    entity = await uc.update_legal_entity(_update(entity_id, body), ctx=ctx, **services(c))
    return json_response(legal_entity_object(entity))
