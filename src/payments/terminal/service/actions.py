"""Driving a reader: send it a PaymentIntent, a refund or a cart; cancel what it does.

Each call follows the three phases of every gateway call here: record the action (one
transaction: the reader and the intent locked, the rules checked, the action
``in_progress`` on the reader), call the gateway with the action's id as the idempotency
key (no transaction open), then record what the gateway said. A refusal (reader offline
or busy at the gateway, an invalid request) fails the action, gives the reader back its
previous action, and is the client's 400 in Stripe's codes; nothing is charged. The card
is read later: its outcome arrives as a gateway event (:mod:`.apply`).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from payments.gateways.protocol import (
    Cart,
    CartLine,
    GatewayInvalidRequest,
    GatewayNotSent,
    GatewayOutcomeUnknown,
    PaymentGateway,
    ReaderPaymentRequest,
    TerminalReaders,
)
from payments.gateways.protocol import Reader as GatewayReader
from payments.intents.domain.model import Charge
from payments.intents.repository import (
    AttemptRepository,
    ChargeRepository,
    PaymentIntentRepository,
)
from payments.intents.service.payment_intents import visible_intent
from payments.invoices.repository import InvoiceLineRepository, InvoiceRepository
from payments.invoices.service.payments import intent_for_reader
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import GatewayUnavailable, InvalidRequest, NotFound
from payments.kernel.ids import id_for
from payments.platform.db.uow import UnitOfWorkFactory
from payments.refunds.repository import RefundRepository
from payments.terminal.domain import (
    ActionStatus,
    ActionType,
    ProcessPaymentIntent,
    ReaderAction,
    ReaderStatus,
    RefundPayment,
    SetReaderDisplay,
    cart_total,
    check_card_present_intent,
    check_cart,
    check_same_shop,
    refuse_busy,
    refuse_offline,
)
from payments.terminal.repository import ReaderActionRepository, ReaderRepository
from payments.terminal.service.readers import (
    ReaderView,
    refresh,
    terminal_of,
    view_of,
    visible_reader,
)


async def _begin(
    reader_id: str,
    action: ReaderAction,
    *,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
    checks: Any = None,
) -> tuple[str, str | None]:
    """Phase 1: the action recorded as the reader's, in progress. Returns the reader's
    gateway reference and the action it had before."""
    async with uow_factory() as uow:
        reader = await visible_reader(uow, reader_id, ctx, for_update=True)
        current = (await view_of(uow, reader)).action
        check_same_shop(reader, action.location_id)
        refuse_offline(reader)
        refuse_busy(reader, current)
        if checks is not None:
            await checks(uow)
        previous = reader.action_id
        reader.action_id = action.id
        await uow.repo(ReaderActionRepository).add(action)
        await uow.repo(ReaderRepository).save(reader)
        await uow.commit()
    return reader.gateway_ref, previous


async def _settle(
    reader_id: str,
    action_id: str,
    previous: str | None,
    outcome: GatewayReader | Exception,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
    gateway_ref: str | None = None,
) -> ReaderView:
    """Phase 3: what the gateway said about the action."""
    error: Exception | None = None
    async with uow_factory() as uow:
        reader = await visible_reader(uow, reader_id, ctx, for_update=True)
        actions = uow.repo(ReaderActionRepository)
        action = await actions.get(action_id, for_update=True)
        if action is None:
            raise NotFound.of("terminal.reader.action", action_id)
        match outcome:
            case GatewayReader():
                refresh(reader, outcome)
                seen = outcome.action
                action.gateway_ref = gateway_ref or (seen.payment_intent if seen else None)
                finished = seen is not None and seen.status != "in_progress"
                if seen is not None and finished and action.status == ActionStatus.in_progress:
                    action.status = ActionStatus(seen.status)
                    action.failure_code = seen.failure_code
                    action.failure_message = seen.failure_message
                    action.completed_at = clock.now()
            case GatewayInvalidRequest():
                action.status = ActionStatus.failed
                action.failure_code = outcome.code
                action.failure_message = outcome.message
                action.completed_at = clock.now()
                if reader.action_id == action.id:
                    reader.action_id = previous
                if outcome.code == "terminal_reader_offline":
                    reader.status = ReaderStatus.offline
                error = InvalidRequest(outcome.message, code=outcome.code, param="reader")
            case GatewayNotSent():
                action.status = ActionStatus.failed
                action.failure_code = "gateway_unavailable"
                action.failure_message = "The payment gateway could not be reached."
                action.completed_at = clock.now()
                if reader.action_id == action.id:
                    reader.action_id = previous
                error = GatewayUnavailable(
                    "The payment gateway could not be reached; the reader was not asked "
                    "anything. Retry the request.",
                    code="gateway_unavailable",
                )
            case _:  # may have reached the reader: it stays in progress until cancel_action
                error = GatewayUnavailable(
                    "The payment gateway did not answer; the reader may be waiting for the "
                    "card. Retrieve the reader, or cancel_action and send it again.",
                    code="gateway_unavailable",
                )
        await actions.save(action)
        await uow.repo(ReaderRepository).save(reader)
        await uow.commit()
        view = await view_of(uow, reader)
    if error is not None:
        raise error
    return view


async def _call(call: Any) -> GatewayReader | Exception:
    try:
        result: GatewayReader = await call
        return result
    except (GatewayInvalidRequest, GatewayNotSent, GatewayOutcomeUnknown) as exc:
        return exc


def _new_action(
    reader_id: str, location_id: str, type_: ActionType, now: datetime, **fields: Any
) -> ReaderAction:
    return ReaderAction(
        id=id_for("reader_action"),
        reader_id=reader_id,
        location_id=location_id,
        type=type_,
        status=ActionStatus.in_progress,
        created=now,
        **fields,
    )


async def _reader_location(
    uow_factory: UnitOfWorkFactory, reader_id: str, ctx: RequestContext
) -> str:
    async with uow_factory() as uow:
        return (await visible_reader(uow, reader_id, ctx)).location_id


async def process_payment_intent(
    reader_id: str,
    cmd: ProcessPaymentIntent,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
    max_amount: int,
) -> ReaderView:
    """Send a card_present PaymentIntent to the reader; the customer then taps, inserts
    or swipes a card and the outcome arrives as ``terminal.reader.action_*``."""
    ctx.require(Permission.write_payments)
    terminal = terminal_of(gateway)
    if (cmd.payment_intent is None) == (cmd.invoice is None):
        raise InvalidRequest(
            "Pass exactly one of payment_intent or invoice.",
            code="parameter_missing",
            param="payment_intent",
        )
    pi_id = cmd.payment_intent
    if cmd.invoice is not None:
        async with uow_factory() as uow:  # a reader that cannot take it: no new intent
            reader = await visible_reader(uow, reader_id, ctx)
            refuse_offline(reader)
            refuse_busy(reader, (await view_of(uow, reader)).action)
        invoice_intent = await intent_for_reader(
            cmd.invoice, uow_factory=uow_factory, clock=clock, ctx=ctx, max_amount=max_amount
        )
        pi_id = invoice_intent.id
    async with uow_factory() as uow:
        pi = await visible_intent(uow, pi_id or "", ctx)
    check_card_present_intent(
        intent_id=pi.id, status=pi.status.value, payment_method_types=pi.payment_method_types
    )
    action = _new_action(
        reader_id,
        pi.location_id,
        ActionType.process_payment_intent,
        clock.now(),
        payment_intent_id=pi.id,
        amount=pi.amount,
        currency=pi.currency,
    )

    async def checks(uow: Any) -> None:
        locked = await visible_intent(uow, pi.id, ctx, for_update=True)
        check_card_present_intent(
            intent_id=locked.id,
            status=locked.status.value,
            payment_method_types=locked.payment_method_types,
        )
        if await uow.repo(AttemptRepository).open_for(locked.id):
            raise InvalidRequest(
                "This PaymentIntent is being processed by the gateway already.",
                code="intent_invalid_state",
                param="payment_intent",
            )
        other = await uow.repo(ReaderActionRepository).open_for_intent(locked.id)
        if other is not None:
            raise InvalidRequest(
                f"This PaymentIntent is being processed on reader {other.reader_id} already; "
                "cancel that reader's action first.",
                code="intent_invalid_state",
                param="payment_intent",
            )

    gateway_reader, previous = await _begin(
        reader_id, action, uow_factory=uow_factory, ctx=ctx, checks=checks
    )
    request = ReaderPaymentRequest(
        amount=pi.amount,
        currency=pi.currency,
        idempotency_key=action.id,
        capture_method="manual" if pi.capture_method.value == "manual" else "automatic",
        description=pi.description,
        metadata={"payment_intent": pi.id},
    )
    outcome = await _call(terminal.process_payment(gateway_reader, request))
    return await _settle(
        reader_id, action.id, previous, outcome, uow_factory=uow_factory, clock=clock, ctx=ctx
    )


async def _cart(cmd: SetReaderDisplay, uow_factory: UnitOfWorkFactory, ctx: RequestContext) -> Cart:
    if cmd.invoice is None:
        check_cart(cmd)
        return Cart(
            currency=(cmd.currency or "").lower(),
            line_items=tuple(
                CartLine(description=li.description, amount=li.amount, quantity=li.quantity)
                for li in cmd.line_items
            ),
            tax=cmd.tax,
            total=cart_total(cmd.line_items, cmd.tax),
        )
    async with uow_factory() as uow:
        invoice = await uow.repo(InvoiceRepository).get(cmd.invoice)
        if invoice is None or not ctx.principal.sees_location(invoice.location_id):
            raise NotFound.of("invoice", cmd.invoice, param="invoice")
        lines = await uow.repo(InvoiceLineRepository).of_invoice(invoice.id)
    quantity = [_whole(line.quantity) for line in lines]
    return Cart(
        currency=invoice.currency,
        line_items=tuple(
            CartLine(
                description=line.description,
                amount=line.amount_after_discount,
                quantity=q,
            )
            for line, q in zip(lines, quantity, strict=True)
        ),
        tax=invoice.tax,
        total=invoice.amount_remaining or invoice.total,
    )


def _whole(quantity: str) -> int:
    """A cart shows whole quantities (an invoice's 1.5 hours shows as 1 line of 2)."""
    try:
        return max(1, round(float(quantity)))
    except ValueError:
        return 1


async def set_reader_display(
    reader_id: str,
    cmd: SetReaderDisplay,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> ReaderView:
    """Show the cart (an invoice's lines and total, or lines given) before the payment."""
    ctx.require(Permission.write_payments)
    terminal = terminal_of(gateway)
    cart = await _cart(cmd, uow_factory, ctx)
    location_id = await _reader_location(uow_factory, reader_id, ctx)
    action = _new_action(
        reader_id,
        location_id,
        ActionType.set_reader_display,
        clock.now(),
        amount=cart.total,
        currency=cart.currency,
        details={"cart": _cart_json(cart), "invoice": cmd.invoice},
    )
    gateway_reader, previous = await _begin(reader_id, action, uow_factory=uow_factory, ctx=ctx)
    outcome = await _call(
        terminal.set_reader_display(gateway_reader, cart, idempotency_key=action.id)
    )
    return await _settle(
        reader_id, action.id, previous, outcome, uow_factory=uow_factory, clock=clock, ctx=ctx
    )


def _cart_json(cart: Cart) -> dict[str, Any]:
    body = asdict(cart)
    body["line_items"] = [dict(line) for line in body["line_items"]]
    return body


async def cancel_action(
    reader_id: str,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> ReaderView:
    """Stop the action in progress (the customer walked away, the wrong amount)."""
    ctx.require(Permission.write_payments)
    terminal = terminal_of(gateway)
    async with uow_factory() as uow:
        reader = await visible_reader(uow, reader_id, ctx)
        current = (await view_of(uow, reader)).action
    if current is None or current.status != ActionStatus.in_progress:
        raise InvalidRequest(
            f"Reader {reader_id} has no action in progress to cancel.",
            code="terminal_reader_action_not_in_progress",
            param="reader",
        )
    outcome = await _call(
        terminal.cancel_reader_action(reader.gateway_ref, idempotency_key=f"{current.id}-cancel")
    )
    if isinstance(outcome, GatewayInvalidRequest) and outcome.code.endswith("not_in_progress"):
        raise InvalidRequest(
            "The reader finished this action before it could be canceled; its outcome "
            "arrives as a terminal.reader.action_* event.",
            code="terminal_reader_action_not_in_progress",
            param="reader",
        )
    return await _settle(
        reader_id,
        current.id,
        current.id,
        outcome,
        uow_factory=uow_factory,
        clock=clock,
        ctx=ctx,
        gateway_ref=current.gateway_ref,
    )


async def refund_payment(
    reader_id: str,
    cmd: RefundPayment,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> ReaderView:
    """Refund a card-present charge to the card the customer presents again (as some EU
    cards require); the refund is made when the card is read."""
    ctx.require(Permission.write_refunds)
    terminal = terminal_of(gateway)
    charge = await _card_present_charge(cmd, uow_factory, ctx)
    async with uow_factory() as uow:
        refunded = await uow.repo(RefundRepository).reserved_for(charge.id)
    remaining = charge.amount_captured - refunded
    amount = cmd.amount if cmd.amount is not None else remaining
    if remaining <= 0:
        raise InvalidRequest(
            f"Charge {charge.id} has already been refunded.",
            code="charge_already_refunded",
            param="charge",
        )
    if amount > remaining:
        raise InvalidRequest(
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining}).",
            code="amount_too_large",
            param="amount",
        )
    action = _new_action(
        reader_id,
        charge.location_id,
        ActionType.refund_payment,
        clock.now(),
        payment_intent_id=charge.payment_intent_id,
        charge_id=charge.id,
        amount=amount,
        currency=charge.currency,
        details={
            "reason": cmd.reason,
            "requested_by": ctx.principal.api_key_id,
            "requested_by_name": ctx.principal.name,
        },
    )

    async def checks(uow: Any) -> None:
        other = await uow.repo(AttemptRepository).open_for(charge.payment_intent_id)
        if other:
            raise InvalidRequest(
                "This charge's PaymentIntent is being processed by the gateway.",
                code="charge_invalid_parameter",
                param="charge",
            )

    gateway_reader, previous = await _begin(
        reader_id, action, uow_factory=uow_factory, ctx=ctx, checks=checks
    )
    outcome = await _call(
        terminal.refund_payment(
            gateway_reader,
            charge.gateway_ref or "",
            amount=amount,
            idempotency_key=action.id,
        )
    )
    return await _settle(
        reader_id,
        action.id,
        previous,
        outcome,
        uow_factory=uow_factory,
        clock=clock,
        ctx=ctx,
        gateway_ref=charge.gateway_ref,
    )


async def _card_present_charge(
    cmd: RefundPayment, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Charge:
    if (cmd.charge is None) == (cmd.payment_intent is None):
        raise InvalidRequest(
            "Pass exactly one of charge or payment_intent.",
            code="parameter_missing",
            param="charge",
        )
    async with uow_factory() as uow:
        charge_id = cmd.charge
        if charge_id is None:
            pi = await visible_intent(uow, cmd.payment_intent or "", ctx)
            charge_id = pi.latest_charge_id or ""
        charge = await uow.repo(ChargeRepository).get(charge_id)
        paid = await uow.repo(PaymentIntentRepository).get(
            charge.payment_intent_id if charge else ""
        )
    param = "charge" if cmd.charge else "payment_intent"
    if charge is None or not ctx.principal.sees_location(charge.location_id):
        raise NotFound.of("charge", charge_id, param=param)
    if paid is not None and paid.invoice_id is not None:
        raise InvalidRequest(
            f"Charge {charge.id} pays invoice {paid.invoice_id}: refund it with POST "
            "/v1/refunds, which issues its credit note.",
            code="charge_invalid_parameter",
            param=param,
        )
    kind = (charge.payment_method_details or {}).get("type")
    if kind != "card_present" or not charge.captured or charge.gateway_ref is None:
        raise InvalidRequest(
            f"Charge {charge.id} is not a captured card_present charge; refund it with "
            "POST /v1/refunds instead.",
            code="charge_invalid_parameter",
            param=param,
        )
    if charge.disputed:
        raise InvalidRequest(
            f"Charge {charge.id} is disputed and cannot be refunded.",
            code="charge_disputed",
            param=param,
        )
    return charge


__all__ = [
    "TerminalReaders",
    "cancel_action",
    "process_payment_intent",
    "refund_payment",
    "set_reader_display",
]
