"""Gateway attempts: record before the call, call with no transaction open, settle after.

The three phases of every money-moving gateway call (brandur's atomic phases):

1. In a transaction, the use case checks its rules, records a
   :class:`GatewayAttempt` (status ``started``) and commits.
2. :func:`call_gateway` sends the request described by the attempt, with the
   attempt id as the idempotency key. No database transaction is open.
3. :func:`settle_attempt` records the answer in a new transaction and applies
   it through :mod:`payments.intents.service.apply`.

If the process dies between 1 and 3, or the answer is lost, the attempt stays
``started``/``unknown`` and the recovery job (:mod:`payments.intents.service.recovery`)
repeats the call with the same key: the gateway replays its stored answer, so
money moves at most once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any, Protocol, assert_never

from payments.events.service import record_event
from payments.gateways.protocol import (
    ChargeRequest,
    ChargeResult,
    GatewayInvalidRequest,
    GatewayNotSent,
    GatewayOutcomeUnknown,
    IncrementalAuthorization,
    MandateAcceptance,
    PaymentGateway,
    PaymentMethodSetup,
    RefundCanceling,
    RefundResult,
    SetupRequest,
    SetupResult,
)
from payments.intents.domain.model import (
    AttemptOperation,
    AttemptStatus,
    Charge,
    ChargeStatus,
    GatewayAttempt,
    PaymentIntent,
)
from payments.intents.domain.payment_intent import Outcome as IntentOutcome
from payments.intents.domain.payment_intent import PaymentIntentStatus, next_status
from payments.intents.render import charge_object, payment_intent_object
from payments.intents.repository import (
    AttemptRepository,
    ChargeRepository,
    PaymentIntentRepository,
    PaymentMethodRepository,
)
from payments.intents.service.apply import apply_charge_result
from payments.intents.service.payment_methods import attach_in
from payments.intents.service.setup_apply import apply_setup_result, setup_not_processed
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import (
    GatewayUnavailable,
    InvalidRequest,
    InvariantViolation,
    must_exist,
)
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.platform.logs import get_logger


class RefundSettlement(Protocol):
    """How a refund attempt is settled. Refunds sit above payments, so the refunds
    capability registers this (:func:`register_refund_settlement`, called by the
    composition root) instead of this module importing it."""

    async def apply(
        self,
        uow: UnitOfWork,
        attempt: GatewayAttempt,
        result: RefundResult,
        *,
        clock: Clock,
        ctx: RequestContext,
    ) -> None:
        """The gateway answered a ``refund`` or ``cancel_refund`` call."""

    async def not_made(
        self, uow: UnitOfWork, attempt: GatewayAttempt, *, clock: Clock, ctx: RequestContext
    ) -> None:
        """A ``refund`` call provably never took effect."""


_refunds: list[RefundSettlement] = []


def register_refund_settlement(settlement: RefundSettlement) -> None:
    _refunds[:] = [settlement]


def _refund_settlement() -> RefundSettlement:
    if not _refunds:
        raise LookupError("no refund settlement is registered (see payments.app.capabilities)")
    return _refunds[0]


log = get_logger("payments.attempts")

Outcome = (
    ChargeResult
    | RefundResult
    | SetupResult
    | GatewayNotSent
    | GatewayOutcomeUnknown
    | GatewayInvalidRequest
)

# Recovery backoff for unknown outcomes: 10 s, 20 s, 40 s ... capped at 15 minutes.
RECOVERY_BASE = timedelta(seconds=10)
RECOVERY_CAP = timedelta(minutes=15)


def recovery_delay(count: int) -> timedelta:
    return min(RECOVERY_BASE * (2 ** min(count, 16)), RECOVERY_CAP)


async def call_gateway(attempt: GatewayAttempt, gateway: PaymentGateway) -> Outcome:
    """Phase 2: send the attempt's request. Never raises the gateway's exceptions."""
    req = attempt.request
    try:
        match attempt.operation:
            case AttemptOperation.charge:
                return await gateway.charge(
                    ChargeRequest(**req["charge"], idempotency_key=attempt.id)
                )
            case AttemptOperation.capture:
                return await gateway.capture(
                    req["reference"], amount=req.get("amount"), idempotency_key=attempt.id
                )
            case AttemptOperation.cancel:
                return await gateway.cancel(req["reference"], idempotency_key=attempt.id)
            case AttemptOperation.increment_authorization:
                if not isinstance(gateway, IncrementalAuthorization):
                    return GatewayInvalidRequest(
                        f"The {gateway.name} gateway does not offer incremental authorization.",
                        code="payment_intent_unexpected_state",
                    )
                return await gateway.increment_authorization(
                    req["reference"], amount=req["amount"], idempotency_key=attempt.id
                )
            case AttemptOperation.refund:
                return await gateway.refund(
                    req["reference"],
                    amount=req.get("amount"),
                    idempotency_key=attempt.id,
                    reason=req.get("reason"),
                )
            case AttemptOperation.cancel_refund:
                if not isinstance(gateway, RefundCanceling):
                    raise ValueError(f"the {gateway.name} gateway cannot cancel refunds")
                return await gateway.cancel_refund(req["reference"], idempotency_key=attempt.id)
            case AttemptOperation.setup | AttemptOperation.cancel_setup:
                if not isinstance(gateway, PaymentMethodSetup):
                    return GatewayInvalidRequest(
                        f"The {gateway.name} gateway does not offer SetupIntents.",
                        code="setup_intent_unexpected_state",
                    )
                if attempt.operation == AttemptOperation.cancel_setup:
                    return await gateway.cancel_setup(req["reference"], idempotency_key=attempt.id)
                return await gateway.setup(setup_request(req["setup"], attempt.id))
            case _:
                assert_never(attempt.operation)
    except (GatewayNotSent, GatewayOutcomeUnknown, GatewayInvalidRequest) as exc:
        return exc


def setup_request(stored: dict[str, Any], key: str) -> SetupRequest:
    """The setup call an attempt stored (``{"setup": {...}}``), keyed by the attempt."""
    mandate = stored.get("mandate")
    return SetupRequest(
        payment_method=stored["payment_method"],
        idempotency_key=key,
        customer=stored.get("customer"),
        usage=stored.get("usage") or "off_session",
        return_url=stored.get("return_url"),
        mandate=MandateAcceptance(**mandate) if mandate else None,
        metadata=stored.get("metadata") or {},
    )


def charge_request(**fields: Any) -> dict[str, Any]:
    """The stored form of a charge call (validated by building the dataclass)."""
    request = ChargeRequest(**fields, idempotency_key="-")
    data = asdict(request)
    data.pop("idempotency_key")
    data["metadata"] = dict(data["metadata"])
    return {"charge": data}


@dataclass(frozen=True, slots=True)
class Settlement:
    """What phase 3 did: the attempt as recorded, and the intent as committed when a
    charge result was applied to it (None otherwise: the caller reads it if it needs it)."""

    attempt: GatewayAttempt
    intent: PaymentIntent | None = None


async def settle_attempt(
    attempt_id: str,
    outcome: Outcome,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
    recovering: bool = False,
) -> Settlement:
    """Phase 3: record the outcome and apply it. Raises the client-facing error for a
    provably unsent call (502) or a refused request (400) after recording it."""
    error: Exception | None = None
    intent: PaymentIntent | None = None
    async with uow_factory() as uow:
        attempt = must_exist(
            await uow.repo(AttemptRepository).get(attempt_id, for_update=True),
            "gateway attempt",
            attempt_id,
        )
        if attempt.status in (AttemptStatus.done, AttemptStatus.not_sent):
            return Settlement(attempt)  # another path (worker, webhook) settled it first
        now = clock.now()
        # Once the recovery job has claimed (leased) or repeated this attempt, it may have
        # sent the same request itself: a "not sent" from this caller proves nothing then.
        shared = attempt.locked_until is not None or attempt.status == AttemptStatus.unknown
        attempt.locked_until = None
        match outcome:
            case ChargeResult():
                attempt.status = AttemptStatus.done
                attempt.completed_at = now
                attempt.result = {"status": outcome.status, "reference": outcome.reference}
                intent = await _apply(uow, attempt, outcome, clock=clock, ctx=ctx)
            case RefundResult():
                attempt.status = AttemptStatus.done
                attempt.completed_at = now
                attempt.result = {"status": outcome.status, "reference": outcome.reference}
                await _refund_settlement().apply(uow, attempt, outcome, clock=clock, ctx=ctx)
            case SetupResult():
                attempt.status = AttemptStatus.done
                attempt.completed_at = now
                attempt.result = {"status": outcome.status, "reference": outcome.reference}
                await apply_setup_result(
                    uow,
                    attempt.object_id or "",
                    outcome,
                    gateway=attempt.gateway,
                    clock=clock,
                    ctx=ctx,
                )
            case GatewayOutcomeUnknown() | GatewayNotSent() if (
                recovering or shared or isinstance(outcome, GatewayOutcomeUnknown)
            ):
                # after an unknown outcome, a later "not sent" proves nothing about the first
                attempt.status = AttemptStatus.unknown
                attempt.recovery_count += 1 if recovering else 0
                attempt.next_recovery_at = now + recovery_delay(attempt.recovery_count)
            case GatewayNotSent():
                attempt.status = AttemptStatus.not_sent
                attempt.completed_at = now
                error = GatewayUnavailable(
                    "The payment gateway could not be reached; no money moved. Retry the request.",
                    code="gateway_unavailable",
                )
                await _undo(uow, attempt, _NotProcessed.unreached(error), clock=clock, ctx=ctx)
            case GatewayInvalidRequest():
                attempt.status = AttemptStatus.done
                attempt.completed_at = now
                attempt.result = {"error": outcome.code, "message": outcome.message}
                await _undo(uow, attempt, _NotProcessed.refused(outcome), clock=clock, ctx=ctx)
                error = InvalidRequest(outcome.message, code=outcome.code, param=outcome.param)
        await uow.repo(AttemptRepository).save(attempt)
        await uow.commit()
    if error is not None:
        raise error
    return Settlement(attempt, intent)


async def _apply(
    uow: UnitOfWork,
    attempt: GatewayAttempt,
    result: ChargeResult,
    *,
    clock: Clock,
    ctx: RequestContext,
) -> PaymentIntent:
    if attempt.payment_intent_id is None or attempt.charge_id is None:
        raise InvariantViolation(f"charge attempt {attempt.id} has no intent or charge")
    applied = await apply_charge_result(
        uow, attempt.payment_intent_id, attempt.charge_id, result, clock=clock, ctx=ctx
    )
    await save_for_future_use(uow, applied.intent, clock=clock, ctx=ctx)
    return applied.intent


async def save_for_future_use(
    uow: UnitOfWork, pi: PaymentIntent, *, clock: Clock, ctx: RequestContext
) -> None:
    """``setup_future_usage``: a successful payment attaches its method to the customer."""
    if not (pi.setup_future_usage and pi.customer_id and pi.payment_method_id):
        return
    if pi.status not in (PaymentIntentStatus.SUCCEEDED, PaymentIntentStatus.REQUIRES_CAPTURE):
        return
    pm = await uow.repo(PaymentMethodRepository).get(pi.payment_method_id)
    if pm is not None and pm.customer_id is None:
        await attach_in(uow, pm, pi.customer_id, clock=clock, ctx=ctx)


@dataclass(frozen=True, slots=True)
class _NotProcessed:
    """Why a call provably took no effect, in Stripe's error shape."""

    type: str  # api_error | invalid_request_error | idempotency_error
    code: str
    message: str
    param: str | None = None

    @classmethod
    def unreached(cls, error: GatewayUnavailable) -> _NotProcessed:
        return cls("api_error", error.code, error.message)

    @classmethod
    def refused(cls, outcome: GatewayInvalidRequest) -> _NotProcessed:
        return cls(outcome.error_type, outcome.code, outcome.message, outcome.param)

    def as_error(self) -> dict[str, Any]:
        return {"type": self.type, "code": self.code, "message": self.message, "param": self.param}


async def _undo(
    uow: UnitOfWork,
    attempt: GatewayAttempt,
    why: _NotProcessed,
    *,
    clock: Clock,
    ctx: RequestContext,
) -> None:
    """A call that provably took no effect (never sent, or refused before any effect)."""
    if (
        attempt.operation == AttemptOperation.refund
    ):  # the refund fails; its money is the payment's again
        await _refund_settlement().not_made(uow, attempt, clock=clock, ctx=ctx)
        return
    if attempt.operation == AttemptOperation.cancel:
        await _withdraw_cancellation(uow, attempt)
        return
    if attempt.operation == AttemptOperation.setup:
        await setup_not_processed(
            uow, attempt.object_id or "", why.as_error(), clock=clock, ctx=ctx
        )
        return
    if attempt.operation != AttemptOperation.charge:
        return  # a refused capture leaves the intent as it was
    pi = await uow.repo(PaymentIntentRepository).get(
        attempt.payment_intent_id or "", for_update=True
    )
    charge = await uow.repo(ChargeRepository).get(attempt.charge_id or "", for_update=True)
    if pi is None or charge is None:
        return
    await _charge_not_processed(uow, pi, charge, why, clock=clock, ctx=ctx)


async def _charge_not_processed(
    uow: UnitOfWork,
    pi: PaymentIntent,
    charge: Charge,
    why: _NotProcessed,
    *,
    clock: Clock,
    ctx: RequestContext,
) -> None:
    """The attempt (charge) failed without reaching the gateway's money: the intent goes
    back to before the confirm along the transition table (``not_processed``: to
    ``requires_confirmation``, its payment method kept, so the confirm can be retried).

    Events: ``charge.failed`` and ``payment_intent.payment_failed``, with
    ``last_payment_error`` saying why. Stripe has no event for a return to
    ``requires_confirmation``; ``payment_failed`` is its event for an attempt that
    failed, and what a client waiting on a ``processing`` intent is told to wait for
    (with ``succeeded``). Inventing ``payment_intent.requires_confirmation`` would break
    Stripe's vocabulary; ``requires_action`` would wrongly ask the customer to act."""
    charge.status = ChargeStatus.failed
    charge.failure_code = why.code
    charge.failure_message = why.message
    await uow.repo(ChargeRepository).save(charge)
    events = [("charge.failed", charge_object(charge))]
    current = pi.status
    target = next_status(current, IntentOutcome.NOT_PROCESSED)
    if target is None:  # the intent moved on (cannot happen while the attempt was open)
        log.warning("undo_not_applied", intent=pi.id, charge=charge.id, status=current)
    else:
        pi.status = target
        pi.last_payment_error = {
            "type": why.type,
            "code": why.code,
            "message": why.message,
            "param": why.param,
            "charge": charge.id,
            "payment_method": {"id": pi.payment_method_id},
        }
        await uow.repo(PaymentIntentRepository).save(pi)
        events.append(("payment_intent.payment_failed", payment_intent_object(pi)))
    for event_type, obj in events:
        await record_event(uow, event_type, obj, ctx=ctx, clock=clock, location_id=pi.location_id)


async def _withdraw_cancellation(uow: UnitOfWork, attempt: GatewayAttempt) -> None:
    """A cancel that never took effect: drop the reason recorded when it was accepted."""
    pi = await uow.repo(PaymentIntentRepository).get(
        attempt.payment_intent_id or "", for_update=True
    )
    if (
        pi is not None
        and pi.status != PaymentIntentStatus.CANCELED
        and pi.cancellation_reason is not None
    ):
        pi.cancellation_reason = None
        await uow.repo(PaymentIntentRepository).save(pi)
