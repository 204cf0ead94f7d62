"""Early fraud warnings (Stripe Radar's ``radar.early_fraud_warning``).

The gateway reports them (Stripe's ``radar.early_fraud_warning.*`` webhooks, the
simulator's feed), and :func:`apply_early_fraud_warning` keeps ours in step through the
gateway-events store-and-apply path: created once per charge, then only ever moved from
actionable to not actionable (events ``radar.early_fraud_warning.created|updated``).
A warning is kept with the charge's card fingerprint and customer, so that the history
signals of later payments (``early_fraud_warnings_for_card`` / ``_for_customer``) raise
their score. :func:`refund_and_block` is the one call a manager makes on an actionable
warning: release or refund the payment as fraudulent, and add its card to a block list.
"""

from __future__ import annotations

from payments.events.service import record_event
from payments.fraud.domain.model import CreateValueListItem, EarlyFraudWarning
from payments.fraud.render import early_fraud_warning_object
from payments.fraud.repository import AssessmentRepository, EarlyFraudWarningRepository
from payments.fraud.service.lists import create_value_list_item
from payments.gateways.protocol import EarlyFraudWarning as GatewayWarning
from payments.gateways.protocol import PaymentGateway
from payments.intents.domain.commands import CancelPaymentIntent
from payments.intents.domain.model import Charge
from payments.intents.domain.payment_intent import CancellationReason, PaymentIntentStatus
from payments.intents.repository import (
    ChargeRepository,
    PaymentIntentRepository,
    PaymentMethodRepository,
)
from payments.intents.service.flow import cancel_payment_intent
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import SYSTEM, RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.ids import new_id
from payments.kernel.pagination import Page, PageRequest
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.refunds.domain.commands import CreateRefund
from payments.refunds.domain.policy import RefundPolicy
from payments.refunds.domain.refund import Reason
from payments.refunds.service.refunds import create_refund


def _still_actionable(reported: bool, charge: Charge) -> bool:
    """Stripe's rule: actionable while neither disputed nor fully refunded."""
    return reported and not charge.disputed and not charge.refunded


async def _emit(
    uow: UnitOfWork, kind: str, warning: EarlyFraudWarning, *, clock: Clock, ctx: RequestContext
) -> None:
    await record_event(
        uow,
        f"radar.early_fraud_warning.{kind}",
        early_fraud_warning_object(warning),
        ctx=ctx,
        clock=clock,
        location_id=warning.location_id,
    )


async def apply_early_fraud_warning(
    reported: GatewayWarning, *, gateway: str, uow_factory: UnitOfWorkFactory, clock: Clock
) -> str | None:
    """Record or update the gateway's warning; returns why it could not be applied (its
    charge is not ours yet: the caller retries later)."""
    async with uow_factory() as uow:
        charge = await uow.repo(ChargeRepository).by_gateway_ref(gateway, reported.charge)
        if charge is None:
            return "no charge of ours has this reference"
        warnings = uow.repo(EarlyFraudWarningRepository)
        existing = await warnings.by_gateway_ref(gateway, reported.reference, for_update=True)
        actionable = _still_actionable(reported.actionable, charge)
        if existing is not None:
            if existing.actionable and not actionable:  # only ever forwards
                existing.actionable = False
                await warnings.save(existing)
                await _emit(uow, "updated", existing, clock=clock, ctx=SYSTEM)
                await uow.commit()
            return None
        pi = await uow.repo(PaymentIntentRepository).get(charge.payment_intent_id)
        assessment = await uow.repo(AssessmentRepository).for_charge(charge.id)
        fingerprint = assessment.card_fingerprint if assessment else None
        if fingerprint is None and charge.payment_method_id:  # a charge fraud did not assess
            method = await uow.repo(PaymentMethodRepository).get(charge.payment_method_id)
            found = method.details.get("fingerprint") if method is not None else None
            fingerprint = str(found) if found else None
        warning = EarlyFraudWarning(
            id=new_id("issfr"),
            gateway=gateway,
            gateway_ref=reported.reference,
            charge_id=charge.id,
            payment_intent_id=charge.payment_intent_id,
            location_id=charge.location_id,
            fraud_type=reported.fraud_type,
            actionable=actionable,
            created=clock.now(),
            card_fingerprint=fingerprint,
            customer_id=pi.customer_id if pi is not None else None,
            livemode=pi.livemode if pi is not None else False,
        )
        await warnings.add(warning)
        await _emit(uow, "created", warning, clock=clock, ctx=SYSTEM)
        await uow.commit()
    return None


async def warning_of_gateway(
    reference: str, *, gateway: str, uow_factory: UnitOfWorkFactory
) -> EarlyFraudWarning:
    """Ours for the gateway's warning ``reference`` (applied before)."""
    async with uow_factory() as uow:
        found = await uow.repo(EarlyFraudWarningRepository).by_gateway_ref(gateway, reference)
    if found is None:
        raise NotFound.of("early_fraud_warning", reference)
    return found


async def _visible(uow: UnitOfWork, warning_id: str, ctx: RequestContext) -> EarlyFraudWarning:
    warning = await uow.repo(EarlyFraudWarningRepository).get(warning_id)
    if warning is None:
        raise NotFound.of("early_fraud_warning", warning_id)
    ctx.check_location("early_fraud_warning", warning_id, warning.location_id)
    return warning


async def retrieve_early_fraud_warning(
    warning_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> EarlyFraudWarning:
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        return await _visible(uow, warning_id, ctx)


async def list_early_fraud_warnings(
    page: PageRequest,
    *,
    charge: str | None,
    payment_intent: str | None,
    location_id: str | None,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
) -> Page[EarlyFraudWarning]:
    """Newest first; ``charge`` / ``payment_intent`` keep one payment's warnings."""
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        return await uow.repo(EarlyFraudWarningRepository).list_page(
            page,
            equals={"charge_id": charge, "payment_intent_id": payment_intent},
            location_id=ctx.list_location(location_id),
        )


async def actionable_early_fraud_warnings(
    *, uow_factory: UnitOfWorkFactory, ctx: RequestContext, limit: int = 50
) -> list[EarlyFraudWarning]:
    """The actionable warnings the person may act on (the review queue shows them)."""
    ctx.require(Permission.manage_fraud)
    async with uow_factory() as uow:
        return await uow.repo(EarlyFraudWarningRepository).actionable(
            location_id=ctx.principal.location_id, limit=limit
        )


async def refund_and_block(
    warning_id: str,
    *,
    value_list_id: str,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
    policy: RefundPolicy,
) -> EarlyFraudWarning:
    """One call on an actionable warning: a held (uncaptured) payment is canceled as
    fraudulent, a captured one refunded in full as fraudulent (then no dispute follows),
    and the charge's card is added to the card-fingerprint list ``value_list_id`` (as from
    a review or a dispute). The warning is then no longer actionable."""
    ctx.require(Permission.manage_fraud)
    async with uow_factory() as uow:
        warning = await _visible(uow, warning_id, ctx)
        pi = await uow.repo(PaymentIntentRepository).get(warning.payment_intent_id)
    if not warning.actionable:
        raise InvalidRequest(
            "This early fraud warning is not actionable (its charge was disputed or refunded).",
            code="early_fraud_warning_not_actionable",
            param="id",
        )
    if pi is None:
        raise NotFound.of("payment_intent", warning.payment_intent_id)
    # the block-list item first: it checks the list (400 before any money moves)
    await create_value_list_item(
        CreateValueListItem(value_list_id=value_list_id, charge_id=warning.charge_id),
        uow_factory=uow_factory,
        clock=clock,
        ctx=ctx,
    )
    if pi.status == PaymentIntentStatus.REQUIRES_CAPTURE:
        await cancel_payment_intent(
            pi.id,
            CancelPaymentIntent(cancellation_reason=CancellationReason.FRAUDULENT),
            uow_factory=uow_factory,
            gateway=gateway,
            clock=clock,
            ctx=ctx,
        )
    elif pi.status == PaymentIntentStatus.SUCCEEDED:
        await create_refund(
            CreateRefund(payment_intent=pi.id, reason=Reason.FRAUDULENT),
            uow_factory=uow_factory,
            gateway=gateway,
            clock=clock,
            ctx=ctx,
            policy=policy,
        )
    async with uow_factory() as uow:
        warnings = uow.repo(EarlyFraudWarningRepository)
        current = await warnings.get(warning.id, for_update=True)
        if current is None:
            raise NotFound.of("early_fraud_warning", warning.id)
        if current.actionable:
            current.actionable = False
            await warnings.save(current)
            await _emit(uow, "updated", current, clock=clock, ctx=ctx)
            await uow.commit()
        return current
