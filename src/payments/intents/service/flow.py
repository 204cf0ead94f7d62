"""Confirm, capture and cancel: the use cases that move money through the gateway.

Each follows the three phases of :mod:`payments.intents.service.attempts`: record the
attempt (one transaction), call the gateway (no transaction), settle (one
transaction). Concurrent requests on one intent serialise on its row lock in
phase 1, where the second finds an attempt in flight or a status that no
longer allows the operation, and is refused: exactly one charge.

Create with ``confirm=true`` writes the intent, its new payment method, the
charge and the attempt in ONE phase-1 transaction: nobody else can see the
intent before then, so there is nothing to lock or re-read.
"""

from __future__ import annotations

from typing import Any

from payments.audit.service import record_audit
from payments.events.service import record_event
from payments.gateways.protocol import ChargeResult, Decline, PaymentGateway
from payments.idempotency.service import created_earlier, remember_created
from payments.intents.domain.commands import (
    CancelPaymentIntent,
    CapturePaymentIntent,
    ConfirmPaymentIntent,
    CreatePaymentIntent,
    IncrementAuthorization,
)
from payments.intents.domain.local_methods import (
    check_confirm,
    check_currency,
    check_intent_options,
    check_return_url,
)
from payments.intents.domain.model import (
    AttemptOperation,
    AttemptStatus,
    Charge,
    ChargeStatus,
    GatewayAttempt,
    PaymentIntent,
    PaymentMethod,
)
from payments.intents.domain.payment_intent import (
    CaptureMethod,
    InvalidTransition,
    Operation,
    PaymentIntentStatus,
    can_confirm,
    transition,
    validate_cancel,
    validate_capture,
)
from payments.intents.render import payment_intent_object
from payments.intents.repository import (
    AttemptRepository,
    ChargeRepository,
    PaymentIntentRepository,
    PaymentMethodRepository,
)
from payments.intents.service.apply import apply_charge_result
from payments.intents.service.attempts import (
    call_gateway,
    charge_request,
    save_for_future_use,
    settle_attempt,
)
from payments.intents.service.collectors import refuse_if_collected
from payments.intents.service.gateway_call import gateway_call
from payments.intents.service.payment_intents import (
    check_method_fits,
    check_type_fits,
    new_payment_intent,
    payment_method_for_create,
    prepare_payment_method,
    validate_amount,
    visible_intent,
)
from payments.intents.service.payment_methods import (
    inline_payment_method,
    known_payment_method,
)
from payments.intents.service.risk import RiskVerdict, risk_assessment
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import CardError, InvalidRequest, InvariantViolation, must_exist
from payments.kernel.ids import id_for, looks_like
from payments.kernel.money import Money
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory

S = PaymentIntentStatus


async def _refuse_if_in_flight(uow: UnitOfWork, pi: PaymentIntent, verb: str) -> None:
    await refuse_if_collected(uow, pi, verb)  # e.g. a card reader waiting for the card
    if await uow.repo(AttemptRepository).open_for(pi.id):
        raise InvalidRequest(
            f"You cannot {verb} this PaymentIntent while a previous request for it is "
            "still being processed by the gateway.",
            code="payment_intent_unexpected_state",
        )


def _new_attempt(
    operation: AttemptOperation,
    pi: PaymentIntent,
    charge_id: str,
    gateway: str,
    request: dict[str, Any],
    clock: Clock,
) -> GatewayAttempt:
    return GatewayAttempt(
        id=id_for("attempt"),
        operation=operation,
        status=AttemptStatus.started,
        gateway=gateway,
        request=request,
        created=clock.now(),
        payment_intent_id=pi.id,
        charge_id=charge_id,
    )


async def _run(
    attempt: GatewayAttempt,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> PaymentIntent:
    outcome = await call_gateway(attempt, gateway)
    settled = await settle_attempt(
        attempt.id, outcome, uow_factory=uow_factory, clock=clock, ctx=ctx
    )
    pi = settled.intent
    if pi is None:  # nothing applied (outcome unknown, or another path settled it): read it
        pi_id = _intent_of(attempt)
        async with uow_factory() as uow:
            pi = must_exist(
                await uow.repo(PaymentIntentRepository).get(pi_id), "payment_intent", pi_id
            )
    if attempt.operation == AttemptOperation.charge and pi.status == S.REQUIRES_PAYMENT_METHOD:
        raise _decline_error(pi)
    return pi


def _intent_of(attempt: GatewayAttempt) -> str:
    if attempt.payment_intent_id is None:
        raise InvariantViolation(f"attempt {attempt.id} ({attempt.operation}) has no intent")
    return attempt.payment_intent_id


def _decline_error(pi: PaymentIntent) -> CardError:
    """Stripe answers a declined confirm with 402 and the intent inside the error."""
    err = pi.last_payment_error or {}
    return CardError(
        err.get("message") or "Your card was declined.",
        code=err.get("code") or "card_declined",
        decline_code=err.get("decline_code"),
        payment_intent=payment_intent_object(pi),
    )


async def confirm_payment_intent(
    pi_id: str,
    cmd: ConfirmPaymentIntent,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> PaymentIntent:
    ctx.require(Permission.write_payments)
    # one of our own methods is read in phase 1's transaction; anything else (a gateway
    # test id, inline data) is tokenized first, with no transaction open
    own = cmd.payment_method_data is None and looks_like("pm", cmd.payment_method or "")
    pm, new = (None, False)
    if not own:
        pm, new = await _method_for_confirm(
            pi_id, cmd, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx
        )
    async with uow_factory() as uow:  # phase 1
        if own:
            pm = await _own_method(uow, cmd.payment_method or "", ctx)
        if pm is not None and new:
            await uow.repo(PaymentMethodRepository).add(pm)
        pi = await visible_intent(uow, pi_id, ctx, for_update=True)
        await _refuse_if_in_flight(uow, pi, "confirm")
        status = pi.status
        if pm is not None:
            check_method_fits(pi, pm, param=_method_param(cmd))
            status = transition(status, Operation.ATTACH_PAYMENT_METHOD)
            pi.payment_method_id = pm.id
        elif pi.payment_method_id is None:
            raise InvalidRequest(
                "You cannot confirm this PaymentIntent because it's missing a payment method. "
                "Pass payment_method.",
                code="payment_intent_unexpected_state",
                param="payment_method",
            )
        pi.status = status
        method = pm or must_exist(
            await uow.repo(PaymentMethodRepository).get(pi.payment_method_id or ""),
            "payment_method",
            pi.payment_method_id or "",
        )
        charge, attempt = _begin_charge(pi, method, cmd, gateway.name, clock)
        verdict = await _assess(uow, pi, method, charge, attempt, clock=clock, ctx=ctx)
        await uow.repo(ChargeRepository).add(charge)
        if verdict.action != "block":
            await uow.repo(AttemptRepository).add(attempt)
        await uow.repo(PaymentIntentRepository).save(pi)
        if verdict.action == "block":
            blocked = await _block(uow, pi, charge, clock=clock, ctx=ctx)
            await uow.commit()
            raise _decline_error(blocked)
        await uow.commit()
    return await _run(attempt, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx)


async def _assess(
    uow: UnitOfWork,
    pi: PaymentIntent,
    method: PaymentMethod,
    charge: Charge,
    attempt: GatewayAttempt,
    *,
    clock: Clock,
    ctx: RequestContext,
) -> RiskVerdict:
    """Ask the registered risk assessment about the charge about to be made, and obey:
    a review holds a card payment (manual capture forced), 3-D Secure is requested."""
    verdict = await risk_assessment().assess(uow, pi, method, charge, clock=clock, ctx=ctx)
    charge.outcome, charge.risk = verdict.outcome, verdict.risk
    request = attempt.request["charge"]
    if verdict.action == "review" and method.type == "card":
        pi.capture_method = CaptureMethod.MANUAL
        request["capture_method"] = "manual"
    elif verdict.action == "request_three_d_secure" and method.type == "card":
        request["request_three_d_secure"] = True
    return verdict


async def _block(
    uow: UnitOfWork, pi: PaymentIntent, charge: Charge, *, clock: Clock, ctx: RequestContext
) -> PaymentIntent:
    """A blocked charge fails as a decline (``fraudulent``) that never reached the
    gateway: the intent waits for another payment method, nothing is charged."""
    declined = ChargeResult(
        reference="",
        status="failed",
        amount=charge.amount,
        currency=charge.currency,
        created=clock.now(),
        decline=Decline(
            code="card_declined", decline_code="fraudulent", message="Your card was declined."
        ),
    )
    applied = await apply_charge_result(uow, pi.id, charge.id, declined, clock=clock, ctx=ctx)
    stored = await uow.repo(ChargeRepository).get(charge.id)
    if stored is not None and stored.gateway_ref == "":  # the gateway never saw it
        stored.gateway_ref = None
        await uow.repo(ChargeRepository).save(stored)
    return applied.intent


async def _own_method(uow: UnitOfWork, pm_id: str, ctx: RequestContext) -> PaymentMethod:
    """One of our payment methods, named by its id (as the gateway would answer for an id
    it does not know: ``resource_missing``)."""
    pm = await known_payment_method(uow, pm_id, ctx, param="payment_method")
    if pm is None:
        raise InvalidRequest(
            f"No such payment_method: {pm_id!r}", code="resource_missing", param="payment_method"
        )
    return pm


def _method_param(cmd: ConfirmPaymentIntent) -> str:
    return "payment_method_data[type]" if cmd.payment_method_data else "payment_method"


async def _method_for_confirm(
    pi_id: str,
    cmd: ConfirmPaymentIntent,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> tuple[PaymentMethod | None, bool]:
    """The method a confirm names or brings (unsaved when new). Inline data is checked
    against the intent before the gateway tokenizes it, so a refusal leaves no trace."""
    data = cmd.payment_method_data
    if data is None:
        if not cmd.payment_method:
            return None, False
        return await prepare_payment_method(
            cmd.payment_method, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx
        )
    if cmd.payment_method:
        raise InvalidRequest(
            "Pass payment_method or payment_method_data, not both.",
            code="parameter_invalid",
            param="payment_method_data",
        )
    async with uow_factory() as uow:
        pi = await visible_intent(uow, pi_id, ctx)
    if not can_confirm(pi.status, with_payment_method=True):
        raise InvalidTransition(pi.status, Operation.CONFIRM)
    check_type_fits(pi, data.type, param="payment_method_data[type]")
    check_return_url(cmd.return_url)
    off_session = pi.off_session if cmd.off_session is None else cmd.off_session
    check_confirm(
        data.type,
        return_url=cmd.return_url or pi.return_url,
        blik_code=cmd.payment_method_options.blik_code,
        off_session=bool(off_session),
    )
    pm = await inline_payment_method(data, gateway=gateway, clock=clock, ctx=ctx)
    return pm, True


async def create_and_confirm_payment_intent(
    cmd: CreatePaymentIntent,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
    max_amount: int,
) -> PaymentIntent:
    """Create with ``confirm=true``: phase 1 of the confirm shares the create's transaction.

    Without a payment method the intent is created alone and the confirm refuses it,
    exactly as a separate confirm would."""
    ctx.require(Permission.write_payments)
    confirm = ConfirmPaymentIntent(
        off_session=cmd.off_session, payment_method_options=cmd.payment_method_options
    )
    pm, new = await payment_method_for_create(
        cmd,
        uow_factory=uow_factory,
        gateway=gateway,
        clock=clock,
        ctx=ctx,
        max_amount=max_amount,
        confirming=True,
    )
    charge, attempt = None, None
    async with uow_factory() as uow:
        earlier = await created_earlier(uow, ctx, "payment_intent")
        if earlier is not None:
            # A retry after the first run died: that run's intent and attempt exist (the
            # recovery job settles the attempt). Answer with the intent, charge nothing.
            return await visible_intent(uow, earlier, ctx)
        if pm is not None and new:
            await uow.repo(PaymentMethodRepository).add(pm)
        pi = await new_payment_intent(uow, cmd, pm, ctx=ctx, clock=clock, max_amount=max_amount)
        await remember_created(uow, ctx, "payment_intent", pi.id)
        created = payment_intent_object(pi)  # the event shows the intent as created
        if pm is not None and pi.status == S.REQUIRES_CONFIRMATION:
            charge, attempt = _begin_charge(pi, pm, confirm, gateway.name, clock)
        await uow.repo(PaymentIntentRepository).add(pi)
        await record_event(
            uow, "payment_intent.created", created, ctx=ctx, clock=clock, location_id=pi.location_id
        )
        if charge is not None and attempt is not None and pm is not None:
            verdict = await _assess(uow, pi, pm, charge, attempt, clock=clock, ctx=ctx)
            await uow.repo(PaymentIntentRepository).save(pi)  # a review forces manual capture
            await uow.repo(ChargeRepository).add(charge)
            if verdict.action == "block":
                blocked = await _block(uow, pi, charge, clock=clock, ctx=ctx)
                await uow.commit()
                raise _decline_error(blocked)
            await uow.repo(AttemptRepository).add(attempt)
        await uow.commit()
    if attempt is None:
        return await confirm_payment_intent(
            pi.id, confirm, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx
        )
    return await _run(attempt, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx)


def _begin_charge(
    pi: PaymentIntent,
    method: PaymentMethod,
    cmd: ConfirmPaymentIntent,
    gateway: str,
    clock: Clock,
) -> tuple[Charge, GatewayAttempt]:
    """Phase 1 of a confirm, its method attached: the intent moves on (in memory) and its
    charge and attempt are built. The caller stores all three in one transaction (a
    method that cannot be confirmed so is refused first: nothing is stored)."""
    check_return_url(cmd.return_url)
    check_currency(method.type, pi.currency)  # however the intent was changed since
    check_intent_options(
        method.type,
        capture_method=pi.capture_method,
        setup_future_usage=pi.setup_future_usage
        if cmd.setup_future_usage is None
        else cmd.setup_future_usage,
    )
    check_confirm(
        method.type,
        return_url=cmd.return_url or pi.return_url,
        blik_code=cmd.payment_method_options.blik_code,
        off_session=bool(pi.off_session if cmd.off_session is None else cmd.off_session),
    )
    pi.status = transition(pi.status, Operation.CONFIRM)
    if cmd.return_url is not None:
        pi.return_url = cmd.return_url
    if cmd.setup_future_usage is not None:
        pi.setup_future_usage = cmd.setup_future_usage
    if cmd.off_session is not None:
        pi.off_session = cmd.off_session
    if cmd.radar_session is not None:
        pi.radar_session = cmd.radar_session
    charge = Charge(
        id=id_for("charge"),
        payment_intent_id=pi.id,
        location_id=pi.location_id,
        amount=pi.amount,
        currency=pi.currency,
        status=ChargeStatus.pending,
        gateway=gateway,
        created=clock.now(),
        customer_id=pi.customer_id,
        payment_method_id=method.id,
        livemode=pi.livemode,
    )
    pi.latest_charge_id = charge.id
    pi.last_payment_error = None
    request = charge_request(
        amount=pi.amount,
        currency=pi.currency,
        payment_method=method.gateway_ref,
        capture_method="manual" if pi.capture_method == CaptureMethod.MANUAL else "automatic",
        off_session=bool(pi.off_session),
        return_url=pi.return_url,
        description=pi.description,
        metadata={"payment_intent": pi.id, "charge": charge.id, "location": pi.location_id},
        blik_code=cmd.payment_method_options.blik_code,
    )
    return charge, _new_attempt(AttemptOperation.charge, pi, charge.id, gateway, request, clock)


async def capture_payment_intent(
    pi_id: str,
    cmd: CapturePaymentIntent,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> PaymentIntent:
    ctx.require(Permission.write_payments)
    async with uow_factory() as uow:
        pi = await visible_intent(uow, pi_id, ctx, for_update=True)
        await _refuse_if_in_flight(uow, pi, "capture")
        amount = validate_capture(
            pi.status,
            capture_method=pi.capture_method,
            amount_capturable=Money(pi.amount_capturable, pi.currency),
            amount_to_capture=cmd.amount_to_capture,
        )
        charge = must_exist(
            await uow.repo(ChargeRepository).get(pi.latest_charge_id or ""),
            "charge",
            pi.latest_charge_id or "",
        )
        if charge.gateway_ref is None:  # requires_capture: the gateway has answered
            raise InvariantViolation(f"charge {charge.id} is capturable but unknown to the gateway")
        request = {"reference": charge.gateway_ref, "amount": amount.amount}
        attempt = _new_attempt(
            AttemptOperation.capture, pi, charge.id, gateway.name, request, clock
        )
        await uow.repo(AttemptRepository).add(attempt)
        await record_audit(
            uow,
            "payment_intent.capture_requested",
            object_type="payment_intent",
            object_id=pi.id,
            ctx=ctx,
            clock=clock,
            after={"amount_to_capture": amount.amount, "currency": pi.currency},
            location_id=pi.location_id,
        )
        await uow.commit()
    return await _run(attempt, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx)


async def increment_authorization(
    pi_id: str,
    cmd: IncrementAuthorization,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
    max_amount: int,
) -> PaymentIntent:
    """Raise the hold of a ``requires_capture`` intent to ``cmd.amount`` (Stripe's
    ``increment_authorization``), in the three phases: a decline leaves the hold as it was
    and answers 402 ``card_declined`` with the intent; a card without incremental
    authorization is refused by the gateway (400)."""
    ctx.require(Permission.write_payments)
    async with uow_factory() as uow:
        pi = await visible_intent(uow, pi_id, ctx, for_update=True)
        await _refuse_if_in_flight(uow, pi, "increment the authorization of")
        if pi.status != S.REQUIRES_CAPTURE:
            raise InvalidRequest(
                "You can only increment the authorization of a PaymentIntent with status "
                f"requires_capture; this one is {pi.status}.",
                code="payment_intent_unexpected_state",
            )
        validate_amount(cmd.amount, pi.currency, maximum=max_amount)
        if cmd.amount <= pi.amount_capturable:
            raise InvalidRequest(
                f"The amount must be greater than the {pi.amount_capturable} authorized now.",
                param="amount",
            )
        charge = must_exist(
            await uow.repo(ChargeRepository).get(pi.latest_charge_id or ""),
            "charge",
            pi.latest_charge_id or "",
        )
        if charge.gateway_ref is None:
            raise InvariantViolation(f"charge {charge.id} is capturable but unknown to the gateway")
        request = {"reference": charge.gateway_ref, "amount": cmd.amount}
        attempt = _new_attempt(
            AttemptOperation.increment_authorization, pi, charge.id, gateway.name, request, clock
        )
        await uow.repo(AttemptRepository).add(attempt)
        await record_audit(
            uow,
            "payment_intent.increment_authorization_requested",
            object_type="payment_intent",
            object_id=pi.id,
            ctx=ctx,
            clock=clock,
            before={"amount_capturable": pi.amount_capturable},
            after={"amount": cmd.amount, "currency": pi.currency},
            location_id=pi.location_id,
        )
        await uow.commit()
    outcome = await call_gateway(attempt, gateway)
    settled = await settle_attempt(
        attempt.id, outcome, uow_factory=uow_factory, clock=clock, ctx=ctx
    )
    async with uow_factory() as uow:
        current = must_exist(
            await uow.repo(PaymentIntentRepository).get(pi_id), "payment_intent", pi_id
        )
    if isinstance(outcome, ChargeResult) and outcome.decline is not None:
        decline = outcome.decline
        raise CardError(
            decline.message,
            code=decline.code,
            decline_code=decline.decline_code,
            payment_intent=payment_intent_object(current),
        )
    return settled.intent or current


async def cancel_payment_intent(
    pi_id: str,
    cmd: CancelPaymentIntent,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> PaymentIntent:
    ctx.require(Permission.write_payments)
    async with uow_factory() as uow:
        pi = await visible_intent(uow, pi_id, ctx, for_update=True)
        await _refuse_if_in_flight(uow, pi, "cancel")
        reason = validate_cancel(pi.status, cmd.cancellation_reason)
        pi.cancellation_reason = reason.value if reason else "requested_by_customer"
        charge = (
            await uow.repo(ChargeRepository).get(pi.latest_charge_id)
            if pi.latest_charge_id
            else None
        )
        at_gateway = pi.status in (S.REQUIRES_CAPTURE, S.REQUIRES_ACTION)
        if charge is None or charge.gateway_ref is None or not at_gateway:
            pi.status = transition(pi.status, Operation.CANCEL)
            pi.canceled_at = clock.now()
            await uow.repo(PaymentIntentRepository).save(pi)
            await record_event(
                uow,
                "payment_intent.canceled",
                payment_intent_object(pi),
                ctx=ctx,
                clock=clock,
                location_id=pi.location_id,
            )
            await _audit_cancel(uow, pi, ctx=ctx, clock=clock)
            await uow.commit()
            return pi
        await uow.repo(PaymentIntentRepository).save(pi)
        attempt = _new_attempt(
            AttemptOperation.cancel,
            pi,
            charge.id,
            gateway.name,
            {"reference": charge.gateway_ref},
            clock,
        )
        await uow.repo(AttemptRepository).add(attempt)
        await _audit_cancel(uow, pi, ctx=ctx, clock=clock)
        await uow.commit()
    return await _run(attempt, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx)


async def _audit_cancel(
    uow: UnitOfWork, pi: PaymentIntent, *, ctx: RequestContext, clock: Clock
) -> None:
    await record_audit(
        uow,
        "payment_intent.cancel_requested",
        object_type="payment_intent",
        object_id=pi.id,
        ctx=ctx,
        clock=clock,
        after={"cancellation_reason": pi.cancellation_reason, "amount": pi.amount},
        location_id=pi.location_id,
    )


async def sync_charge_from_gateway(
    charge_id: str,
    result: ChargeResult | None,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> bool:
    """Bring one charge up to date with the gateway's current view (re-fetched when
    ``result`` is None). Used by gateway events, test helpers and reconciliation."""
    async with uow_factory() as uow:
        charge = await uow.repo(ChargeRepository).get(charge_id)
    if charge is None or charge.gateway_ref is None:
        return False
    if result is None:
        result = await gateway_call(gateway.retrieve_charge(charge.gateway_ref))
    async with uow_factory() as uow:
        applied = await apply_charge_result(
            uow, charge.payment_intent_id, charge_id, result, clock=clock, ctx=ctx
        )
        await save_for_future_use(uow, applied.intent, clock=clock, ctx=ctx)
        await uow.commit()
    return applied.changed
