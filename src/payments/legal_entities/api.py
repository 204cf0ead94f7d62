from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from payments.legal_entities import service as uc
from payments.legal_entities.domain import CreateLegalEntity, UpdateLegalEntity
from payments.legal_entities.render import legal_entity_object
from payments.legal_entities.schemas import LegalEntityCreate, LegalEntityOut, LegalEntityUpdate
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep, services
from payments.platform.http.responses import json_response, list_response

router = APIRouter(prefix="/v1/legal_entities", tags=["legal_entities"])


@router.post("", responses={200: {"model": LegalEntityOut}}, summary="Create a seller (admin)")
async def create_legal_entity(
    body: LegalEntityCreate, c: ContainerDep, ctx: ContextDep
) -> Response:
    cmd = CreateLegalEntity(**body.model_dump(exclude_unset=True))
    entity = await uc.create_legal_entity(cmd, ctx=ctx, **services(c))
    return json_response(legal_entity_object(entity))


@router.get("", summary="List legal entities")
async def list_legal_entities(c: ContainerDep, ctx: ContextDep, page: PageDep) -> Response:
    result = await uc.list_legal_entities(page, uow_factory=c.uow_factory, ctx=ctx)
    return list_response("/v1/legal_entities", result, legal_entity_object)


@router.get(
    "/{entity_id}", responses={200: {"model": LegalEntityOut}}, summary="Retrieve a legal entity"
)
async def retrieve_legal_entity(entity_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    entity = await uc.retrieve_legal_entity(entity_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(legal_entity_object(entity))


@router.post("/{entity_id}", responses={200: {"model": LegalEntityOut}}, summary="Update (admin)")
async def update_legal_entity(
    entity_id: str, body: LegalEntityUpdate, c: ContainerDep, ctx: ContextDep
) -> Response:
    cmd = UpdateLegalEntity(id=entity_id, **body.model_dump(exclude_unset=True))
    entity = await uc.update_legal_entity(cmd, ctx=ctx, **services(c))
    return json_response(legal_entity_object(entity))
