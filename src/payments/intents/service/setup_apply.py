"""Apply a gateway's answer about a SetupIntent, in the caller's transaction.

Called by phase 3 of a ``setup`` attempt (:func:`payments.intents.service.attempts.
settle_attempt`) and by the 3-D Secure page when the customer answered. The rule is the
pure :func:`payments.intents.domain.setup_intent.apply_answer`; this module loads, asks
it, stores the result, attaches the payment method to the customer on success, and
records the event. Applying the same answer twice changes nothing the second time.
"""

from __future__ import annotations

from typing import Any

from payments.events.service import record_event
from payments.gateways.protocol import SetupResult
from payments.intents.domain.setup_intent import (
    SetupAnswer,
    SetupIntent,
    SetupIntentStatus,
    apply_answer,
)
from payments.intents.render import setup_intent_object
from payments.intents.repository import PaymentMethodRepository, SetupIntentRepository
from payments.intents.service.payment_methods import attach_in
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvariantViolation
from payments.platform.db.uow import UnitOfWork


def answer_of(result: SetupResult) -> SetupAnswer:
    decline = result.decline
    return SetupAnswer(
        status=result.status,
        reference=result.reference,
        redirect_url=result.redirect_url,
        mandate=result.mandate,
        decline_code=decline.code if decline else None,
        decline_reason=decline.decline_code if decline else None,
        decline_message=decline.message if decline else None,
    )


async def apply_setup_result(
    uow: UnitOfWork,
    si_id: str,
    result: SetupResult,
    *,
    gateway: str,
    clock: Clock,
    ctx: RequestContext,
) -> SetupIntent:
    si = await uow.repo(SetupIntentRepository).get(si_id, for_update=True)
    if si is None:
        raise InvariantViolation(f"setup attempt for unknown SetupIntent {si_id}")
    if si.gateway_ref not in (None, result.reference):
        return si  # an answer about an earlier confirm: the intent moved on
    outcome = apply_answer(si, answer_of(result))
    if outcome.event is None and outcome.status is si.status:
        return si
    si.status = outcome.status
    si.gateway, si.gateway_ref = gateway, result.reference
    si.next_action = outcome.next_action
    si.last_setup_error = outcome.last_setup_error
    si.mandate = outcome.mandate or si.mandate
    if outcome.status is SetupIntentStatus.REQUIRES_PAYMENT_METHOD:
        si.gateway_ref = None  # a new confirm starts a new setup at the gateway
    if outcome.attach and si.payment_method_id is not None:
        pm = await uow.repo(PaymentMethodRepository).get(si.payment_method_id, for_update=True)
        if pm is not None and pm.customer_id is None:
            await attach_in(uow, pm, si.customer_id, clock=clock, ctx=ctx)
    await uow.repo(SetupIntentRepository).save(si)
    if outcome.event is not None:
        await record_event(
            uow,
            outcome.event,
            setup_intent_object(si),
            ctx=ctx,
            clock=clock,
            location_id=si.location_id,
        )
    return si


async def setup_not_processed(
    uow: UnitOfWork,
    si_id: str,
    error: dict[str, Any],
    *,
    clock: Clock,
    ctx: RequestContext,
) -> None:
    """A setup call that provably took no effect (never sent, or refused before any
    effect): the SetupIntent waits to be confirmed again, its payment method kept, with
    ``last_setup_error`` saying why (``setup_intent.setup_failed``)."""
    si = await uow.repo(SetupIntentRepository).get(si_id, for_update=True)
    if si is None or si.status in (SetupIntentStatus.SUCCEEDED, SetupIntentStatus.CANCELED):
        return
    si.status = SetupIntentStatus.REQUIRES_CONFIRMATION
    si.last_setup_error = {**error, "payment_method": {"id": si.payment_method_id}}
    si.next_action = None
    si.gateway_ref = None
    await uow.repo(SetupIntentRepository).save(si)
    await record_event(
        uow,
        "setup_intent.setup_failed",
        setup_intent_object(si),
        ctx=ctx,
        clock=clock,
        location_id=si.location_id,
    )
