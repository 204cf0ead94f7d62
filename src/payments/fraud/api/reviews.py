"""The review queue: ``/v1/reviews`` (Stripe's Review), approve or cancel held payments."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from payments.fraud.render import review_object
from payments.fraud.schemas import ReviewCancel, ReviewList, ReviewOut
from payments.fraud.service import reviews as uc
from payments.gateways.runtime import GatewayDep
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep
from payments.platform.http.openapi import GATEWAY_ERRORS, Responses
from payments.platform.http.params import LocationFilter
from payments.platform.http.responses import json_response, list_response

router = APIRouter(prefix="/v1/reviews", tags=["fraud"])

ONE: Responses = {200: {"model": ReviewOut}}


@router.get("", responses={200: {"model": ReviewList}}, summary="List reviews (newest first)")
async def list_reviews(
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    location: LocationFilter = None,
    open: bool | None = None,
) -> Response:
    result = await uc.list_reviews(
        page, open_only=open, location_id=location, uow_factory=c.uow_factory, ctx=ctx
    )
    return list_response("/v1/reviews", result, review_object)


@router.get("/{review_id}", responses=ONE, summary="Retrieve a review")
async def retrieve_review(review_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    review = await uc.retrieve_review(review_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(review_object(review))


@router.post(
    "/{review_id}/approve",
    responses=ONE | GATEWAY_ERRORS,
    summary="Approve a review: capture the held payment (admin, finance)",
)
async def approve_review(review_id: str, c: GatewayDep, ctx: ContextDep) -> Response:
    review = await uc.approve_review(
        review_id, uow_factory=c.uow_factory, gateway=c.gateway, clock=c.clock, ctx=ctx
    )
    return json_response(review_object(review))


@router.post(
    "/{review_id}/cancel",
    responses=ONE | GATEWAY_ERRORS,
    summary="Cancel a review: release the held payment as fraudulent (admin, finance)",
)
async def cancel_review(
    review_id: str, c: GatewayDep, ctx: ContextDep, body: ReviewCancel | None = None
) -> Response:
    review = await uc.cancel_review(
        review_id, uow_factory=c.uow_factory, gateway=c.gateway, clock=c.clock, ctx=ctx
    )
    return json_response(review_object(review))
