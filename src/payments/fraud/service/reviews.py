"""The review queue: payments a ``review`` rule held (authorized, not captured).

Approving captures the held payment; canceling releases the authorization with
``cancellation_reason=fraudulent``. Both go through the payments flows (record the
attempt, call the gateway with no transaction open, settle), and the review closes when
the payment's answer is applied (:meth:`FraudAssessment.charge_settled` via
:func:`close_settled_review`), whichever path captured or canceled it: this endpoint,
``POST /v1/payment_intents/{id}/capture``, or the job that cancels a review left open
for 7 days.
"""

from __future__ import annotations

from datetime import timedelta

from payments.events.service import record_event
from payments.fraud.domain.model import Review, ReviewClosedReason
from payments.fraud.render import review_object
from payments.fraud.repository import ReviewRepository
from payments.gateways.protocol import PaymentGateway
from payments.intents.domain.commands import CancelPaymentIntent, CapturePaymentIntent
from payments.intents.domain.model import PaymentIntent
from payments.intents.domain.payment_intent import CancellationReason, PaymentIntentStatus
from payments.intents.service.flow import cancel_payment_intent, capture_payment_intent
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import SYSTEM, RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.pagination import Page, PageRequest
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.platform.logs import get_logger

log = get_logger("payments.fraud.reviews")

S = PaymentIntentStatus


async def _visible(uow: UnitOfWork, review_id: str, ctx: RequestContext) -> Review:
    review = await uow.repo(ReviewRepository).get(review_id)
    if review is None:
        raise NotFound.of("review", review_id)
    ctx.check_location("review", review_id, review.location_id)
    return review


async def retrieve_review(
    review_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Review:
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        return await _visible(uow, review_id, ctx)


async def list_reviews(
    page: PageRequest,
    *,
    open_only: bool | None,
    location_id: str | None,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
) -> Page[Review]:
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        return await uow.repo(ReviewRepository).list_page(
            page,
            equals={"open": open_only} if open_only is not None else None,
            location_id=ctx.list_location(location_id),
        )


async def _open_review(
    review_id: str, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Review:
    ctx.require(Permission.manage_fraud)
    async with uow_factory() as uow:
        review = await _visible(uow, review_id, ctx)
    if not review.open:
        raise InvalidRequest(
            f"This review is closed ({review.closed_reason}).",
            code="review_closed",
            param="id",
        )
    return review


async def approve_review(
    review_id: str,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> Review:
    """Capture the held payment (the review closes as ``approved`` when it is captured)."""
    review = await _open_review(review_id, uow_factory, ctx)
    pi = await capture_payment_intent(
        review.payment_intent_id,
        CapturePaymentIntent(),
        uow_factory=uow_factory,
        gateway=gateway,
        clock=clock,
        ctx=ctx,
    )
    return await _after(review, pi, uow_factory=uow_factory, clock=clock, ctx=ctx)


async def cancel_review(
    review_id: str,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
    reason: CancellationReason = CancellationReason.FRAUDULENT,
) -> Review:
    """Release the held authorization (nothing is taken); the review closes as
    ``canceled``."""
    review = await _open_review(review_id, uow_factory, ctx)
    pi = await cancel_payment_intent(
        review.payment_intent_id,
        CancelPaymentIntent(cancellation_reason=reason),
        uow_factory=uow_factory,
        gateway=gateway,
        clock=clock,
        ctx=ctx,
    )
    return await _after(review, pi, uow_factory=uow_factory, clock=clock, ctx=ctx)


async def _after(
    review: Review,
    pi: PaymentIntent,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> Review:
    """The review as it is now. Closed by the settlement in the usual case; closed here
    when the payment had ended before (e.g. captured, then the review approved)."""
    async with uow_factory() as uow:
        current = await uow.repo(ReviewRepository).get(review.id, for_update=True)
        if current is None:
            raise NotFound.of("review", review.id)
        if current.open:
            changed = await close_settled_review(uow, current, pi, clock=clock, ctx=ctx)
            if changed:
                await uow.commit()
        return current


async def close_settled_review(
    uow: UnitOfWork, review: Review, pi: PaymentIntent, *, clock: Clock, ctx: RequestContext
) -> bool:
    """Close ``review`` (open, in ``uow``) when its payment was captured or canceled."""
    if pi.status == S.SUCCEEDED:
        reason = ReviewClosedReason.approved
    elif pi.status == S.CANCELED:
        reason = ReviewClosedReason.canceled
    else:
        return False
    review.open = False
    review.closed_reason = reason
    review.reason = reason.value
    review.closed_at = clock.now()
    await uow.repo(ReviewRepository).save(review)
    await record_event(
        uow,
        "review.closed",
        review_object(review),
        ctx=ctx,
        clock=clock,
        location_id=review.location_id,
    )
    return True


EXPIRY_LEASE = timedelta(minutes=5)


async def cancel_expired_reviews(
    *, uow_factory: UnitOfWorkFactory, gateway: PaymentGateway, clock: Clock, limit: int = 50
) -> int:
    """Cancel the authorization of every review left open past its 7 days."""
    async with uow_factory() as uow:
        claimed = await uow.repo(ReviewRepository).claim_expired(
            now=clock.now(), lease=EXPIRY_LEASE, limit=limit
        )
        await uow.commit()
    done = 0
    for review in claimed:
        try:
            await cancel_review(
                review.id,
                uow_factory=uow_factory,
                gateway=gateway,
                clock=clock,
                ctx=SYSTEM,
                reason=CancellationReason.ABANDONED,
            )
            done += 1
        except Exception:  # one stuck payment must not stop the others; retried after the lease
            log.exception("review auto-cancel failed", review=review.id)
    return done
