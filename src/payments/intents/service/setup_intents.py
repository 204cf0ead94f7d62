"""SetupIntents: save a customer's card or SEPA mandate for later off-session payments.

Confirming follows the three phases of :mod:`payments.intents.service.attempts`, as a
PaymentIntent's confirm does: (1) one transaction locks the SetupIntent, checks it, and
records a ``setup`` attempt; (2) the gateway is called with no transaction open, keyed by
the attempt id; (3) the answer is applied in a new transaction
(:mod:`payments.intents.service.setup_apply`). A crash or a lost answer leaves the attempt
open, and the recovery job repeats the same call with the same key: the gateway replays
its answer, so a method is set up once. A second confirm while one is in flight is refused.

On success the payment method is attached to the SetupIntent's customer
(``payment_method.attached``). Events: ``setup_intent.created``, ``.requires_action``,
``.succeeded``, ``.setup_failed``, ``.canceled``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from payments.customers.repository import CustomerRepository
from payments.events.service import record_event
from payments.gateways.protocol import PaymentGateway, PaymentMethodSetup, SetupResult
from payments.idempotency.service import created_earlier, remember_created
from payments.intents.domain.local_methods import check_return_url
from payments.intents.domain.model import (
    AttemptOperation,
    AttemptStatus,
    GatewayAttempt,
    PaymentMethod,
)
from payments.intents.domain.setup_intent import (
    CANCELLATION_REASONS,
    SETUP_METHOD_TYPES,
    ConfirmSetupIntent,
    CreateSetupIntent,
    ListSetupIntents,
    MandateData,
    SetupIntent,
    SetupIntentStatus,
    can_cancel,
    can_confirm,
)
from payments.intents.render import setup_intent_object
from payments.intents.repository import (
    AttemptRepository,
    PaymentMethodRepository,
    SetupIntentRepository,
)
from payments.intents.service.attempts import call_gateway, settle_attempt
from payments.intents.service.gateway_call import gateway_call_refusable
from payments.intents.service.payment_intents import prepare_payment_method
from payments.intents.service.setup_apply import apply_setup_result
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import CardError, InvalidRequest, NotFound, must_exist
from payments.kernel.ids import client_secret, id_for
from payments.kernel.metadata import validate_metadata
from payments.kernel.pagination import Page, PageRequest
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory

S = SetupIntentStatus


def _setup_gateway(gateway: PaymentGateway) -> PaymentMethodSetup:
    if not isinstance(gateway, PaymentMethodSetup):
        raise InvalidRequest(
            f"The {gateway.name} gateway does not offer SetupIntents.",
            code="setup_intent_unexpected_state",
        )
    return gateway


def _unexpected(si: SetupIntent, verb: str) -> InvalidRequest:
    return InvalidRequest(
        f"You cannot {verb} this SetupIntent because it has a status of {si.status.value}.",
        code="setup_intent_unexpected_state",
    )


async def visible_setup_intent(
    uow: UnitOfWork, si_id: str, ctx: RequestContext, *, for_update: bool = False
) -> SetupIntent:
    si = await uow.repo(SetupIntentRepository).get(si_id, for_update=for_update)
    if si is None or not ctx.principal.sees_location(si.location_id):
        raise NotFound.of("setup_intent", si_id)
    return si


def _method_types(types: tuple[str, ...]) -> list[str]:
    for kind in types:
        if kind not in SETUP_METHOD_TYPES:
            raise InvalidRequest(
                f"Invalid payment_method_types: {kind!r} cannot be set up; use "
                + " or ".join(SETUP_METHOD_TYPES)
                + ".",
                param="payment_method_types",
            )
    return list(dict.fromkeys(types)) or ["card"]


def _check_method(si: SetupIntent, pm: PaymentMethod, mandate: MandateData | None) -> None:
    if pm.type not in si.payment_method_types:
        raise InvalidRequest(
            f"The payment method type {pm.type!r} is not one of this SetupIntent's "
            f"payment_method_types ({', '.join(si.payment_method_types)}).",
            code="payment_intent_invalid_parameter",
            param="payment_method",
        )
    if pm.customer_id is not None and pm.customer_id != si.customer_id:
        raise InvalidRequest(
            "The provided PaymentMethod belongs to another customer.",
            code="payment_method_customer_mismatch",
            param="payment_method",
        )
    if pm.type == "sepa_debit" and mandate is None:
        raise InvalidRequest(
            "A sepa_debit payment method is set up with the customer's online mandate "
            "acceptance: pass mandate_data[customer_acceptance].",
            code="parameter_missing",
            param="mandate_data",
        )


async def _method(
    value: str | None,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> tuple[PaymentMethod | None, bool]:
    if not value:
        return None, False
    return await prepare_payment_method(
        value, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx
    )


async def create_setup_intent(
    cmd: CreateSetupIntent,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> SetupIntent:
    ctx.require(Permission.write_payments)
    types = _method_types(cmd.payment_method_types)
    check_return_url(cmd.return_url)
    if cmd.usage not in ("off_session", "on_session"):
        raise InvalidRequest("Invalid usage: use off_session or on_session.", param="usage")
    if cmd.confirm:
        _setup_gateway(gateway)
        if not cmd.payment_method:
            raise InvalidRequest(
                "Missing required param: payment_method (confirm=true).",
                code="parameter_missing",
                param="payment_method",
            )
    async with uow_factory() as uow:  # checked before the gateway tokenizes anything
        customer = await uow.repo(CustomerRepository).get(cmd.customer)
        if (
            customer is None
            or customer.deleted
            or not ctx.principal.sees_location(customer.location_id)
        ):
            raise NotFound.of("customer", cmd.customer, param="customer")
        location_id = customer.location_id or ctx.principal.location_id
        if location_id is None:
            raise InvalidRequest(
                "The customer belongs to no shop: create it with a location first.",
                code="parameter_invalid",
                param="customer",
            )
    pm, new = await _method(
        cmd.payment_method, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx
    )
    async with uow_factory() as uow:
        earlier = await created_earlier(uow, ctx, "setup_intent")
        if earlier is not None:  # a retry after a crash: the intent exists already
            si = await visible_setup_intent(uow, earlier, ctx)
        else:
            si_id = id_for("setup_intent")
            si = SetupIntent(
                id=si_id,
                location_id=location_id,
                customer_id=customer.id,
                status=S.REQUIRES_CONFIRMATION if pm is not None else S.REQUIRES_PAYMENT_METHOD,
                usage=cmd.usage,
                payment_method_types=types,
                created=clock.now(),
                client_secret=client_secret(si_id),
                payment_method_id=pm.id if pm is not None else None,
                return_url=cmd.return_url,
                mandate_data=asdict(cmd.mandate_data) if cmd.mandate_data else None,
                metadata=validate_metadata(dict(cmd.metadata)),
            )
            if pm is not None:
                _check_method(si, pm, cmd.mandate_data)
                if new:
                    await uow.repo(PaymentMethodRepository).add(pm)
            await uow.repo(SetupIntentRepository).add(si)
            await remember_created(uow, ctx, "setup_intent", si.id)
            await record_event(
                uow,
                "setup_intent.created",
                setup_intent_object(si),
                ctx=ctx,
                clock=clock,
                location_id=si.location_id,
            )
        await uow.commit()
    if not cmd.confirm or si.status is not S.REQUIRES_CONFIRMATION:
        return si
    return await confirm_setup_intent(
        si.id,
        ConfirmSetupIntent(),
        uow_factory=uow_factory,
        gateway=gateway,
        clock=clock,
        ctx=ctx,
    )


def _begin(si: SetupIntent, pm: PaymentMethod, gateway: str, clock: Clock) -> GatewayAttempt:
    request: dict[str, Any] = {
        "payment_method": pm.gateway_ref,
        "customer": None,  # our customers are not the gateway's
        "usage": si.usage,
        "return_url": si.return_url,
        "mandate": si.mandate_data if pm.type == "sepa_debit" else None,
        "metadata": {"setup_intent": si.id},
    }
    return GatewayAttempt(
        id=id_for("attempt"),
        operation=AttemptOperation.setup,
        status=AttemptStatus.started,
        gateway=gateway,
        request={"setup": request},
        created=clock.now(),
        object_id=si.id,
    )


async def _refuse_if_in_flight(uow: UnitOfWork, si: SetupIntent, verb: str) -> None:
    if await uow.repo(AttemptRepository).open_for_object(si.id):
        raise InvalidRequest(
            f"You cannot {verb} this SetupIntent while a previous request for it is still "
            "being processed by the gateway.",
            code="setup_intent_unexpected_state",
        )


async def confirm_setup_intent(
    si_id: str,
    cmd: ConfirmSetupIntent,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> SetupIntent:
    ctx.require(Permission.write_payments)
    _setup_gateway(gateway)
    check_return_url(cmd.return_url)
    async with uow_factory() as uow:  # refused before the gateway tokenizes anything
        si = await visible_setup_intent(uow, si_id, ctx)
        if not can_confirm(si.status):
            raise _unexpected(si, "confirm")
    pm, new = await _method(
        cmd.payment_method, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx
    )
    async with uow_factory() as uow:  # phase 1
        si = await visible_setup_intent(uow, si_id, ctx, for_update=True)
        await _refuse_if_in_flight(uow, si, "confirm")
        if not can_confirm(si.status):
            raise _unexpected(si, "confirm")
        if cmd.mandate_data is not None:
            si.mandate_data = asdict(cmd.mandate_data)
        if cmd.return_url is not None:
            si.return_url = cmd.return_url
        if pm is None:
            if si.payment_method_id is None:
                raise InvalidRequest(
                    "You cannot confirm this SetupIntent because it's missing a payment "
                    "method. Pass payment_method.",
                    code="setup_intent_unexpected_state",
                    param="payment_method",
                )
            pm = must_exist(
                await uow.repo(PaymentMethodRepository).get(si.payment_method_id),
                "payment_method",
                si.payment_method_id,
            )
        mandate = MandateData(**si.mandate_data) if si.mandate_data else None
        _check_method(si, pm, mandate)
        if new:
            await uow.repo(PaymentMethodRepository).add(pm)
        si.payment_method_id = pm.id
        si.status = S.REQUIRES_CONFIRMATION
        si.last_setup_error = None
        attempt = _begin(si, pm, gateway.name, clock)
        si.latest_attempt_id = attempt.id
        await uow.repo(AttemptRepository).add(attempt)
        await uow.repo(SetupIntentRepository).save(si)
        await uow.commit()
    outcome = await call_gateway(attempt, gateway)  # phase 2: no transaction open
    await settle_attempt(attempt.id, outcome, uow_factory=uow_factory, clock=clock, ctx=ctx)
    async with uow_factory() as uow:
        si = await visible_setup_intent(uow, si_id, ctx)
    if si.status is S.REQUIRES_PAYMENT_METHOD and si.last_setup_error:
        error = si.last_setup_error
        raise CardError(
            error.get("message") or "The payment method could not be set up.",
            code=error.get("code") or "card_declined",
            decline_code=error.get("decline_code"),
            setup_intent=setup_intent_object(si),
        )
    return si


async def cancel_setup_intent(
    si_id: str,
    reason: str | None,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> SetupIntent:
    """Cancel; one waiting for 3-D Secure is canceled at the gateway first (its attempt
    recorded, keyed by it), so the customer's late answer there changes nothing."""
    ctx.require(Permission.write_payments)
    if reason is not None and reason not in CANCELLATION_REASONS:
        raise InvalidRequest(
            "Invalid cancellation_reason: use one of " + ", ".join(CANCELLATION_REASONS) + ".",
            param="cancellation_reason",
        )
    attempt = None
    async with uow_factory() as uow:
        si = await visible_setup_intent(uow, si_id, ctx, for_update=True)
        await _refuse_if_in_flight(uow, si, "cancel")
        if not can_cancel(si.status):
            raise _unexpected(si, "cancel")
        if si.status is S.REQUIRES_ACTION and si.gateway_ref and si.gateway:
            attempt = GatewayAttempt(
                id=id_for("attempt"),
                operation=AttemptOperation.cancel_setup,
                status=AttemptStatus.started,
                gateway=si.gateway,
                request={"reference": si.gateway_ref},
                created=clock.now(),
                object_id=si.id,
            )
            await uow.repo(AttemptRepository).add(attempt)
        else:
            await _canceled(uow, si, reason, clock=clock, ctx=ctx)
        await uow.commit()
    if attempt is None:
        return si
    outcome = await call_gateway(attempt, gateway)
    await settle_attempt(attempt.id, outcome, uow_factory=uow_factory, clock=clock, ctx=ctx)
    async with uow_factory() as uow:
        si = await visible_setup_intent(uow, si_id, ctx, for_update=True)
        if si.status is S.CANCELED:
            si.cancellation_reason = reason
            si.canceled_at = clock.now()
            await uow.repo(SetupIntentRepository).save(si)
            await uow.commit()
    return si


async def _canceled(
    uow: UnitOfWork, si: SetupIntent, reason: str | None, *, clock: Clock, ctx: RequestContext
) -> None:
    si.status = S.CANCELED
    si.cancellation_reason = reason
    si.canceled_at = clock.now()
    si.next_action = None
    await uow.repo(SetupIntentRepository).save(si)
    await record_event(
        uow,
        "setup_intent.canceled",
        setup_intent_object(si),
        ctx=ctx,
        clock=clock,
        location_id=si.location_id,
    )


async def retrieve_setup_intent(
    si_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> SetupIntent:
    async with uow_factory() as uow:
        return await visible_setup_intent(uow, si_id, ctx)


async def list_setup_intents(
    cmd: ListSetupIntents,
    page: PageRequest,
    *,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
) -> Page[SetupIntent]:
    async with uow_factory() as uow:
        return await uow.repo(SetupIntentRepository).list_page(
            page,
            equals={
                "customer_id": cmd.customer or None,
                "payment_method_id": cmd.payment_method or None,
                "status": cmd.status or None,
            },
            created=cmd.created,
            location_id=ctx.principal.location_id,
        )


async def sync_setup_from_gateway(
    si_id: str,
    result: SetupResult,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> SetupIntent:
    """The customer answered the gateway's 3-D Secure page: apply what it says now."""
    async with uow_factory() as uow:
        current = await uow.repo(SetupIntentRepository).get(si_id)
        gateway = (current.gateway if current else None) or ""
        si = await apply_setup_result(uow, si_id, result, gateway=gateway, clock=clock, ctx=ctx)
        await uow.commit()
    return si


async def refresh_setup_intent(
    si_id: str,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> SetupIntent:
    """Ask the gateway about a SetupIntent waiting for the customer (the return from
    3-D Secure) and apply its answer; others are returned as they are."""
    async with uow_factory() as uow:
        si = await visible_setup_intent(uow, si_id, ctx)
    if si.status is not S.REQUIRES_ACTION or not si.gateway_ref:
        return si
    result = await gateway_call_refusable(_setup_gateway(gateway).retrieve_setup(si.gateway_ref))
    return await sync_setup_from_gateway(
        si_id, result, uow_factory=uow_factory, clock=clock, ctx=ctx
    )
