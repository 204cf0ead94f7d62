"""PaymentIntents: create, retrieve, update, list. Confirm, capture and cancel, which
call the gateway, are in :mod:`payments.intents.service.flow`."""

from __future__ import annotations

from dataclasses import replace

from payments.customers.repository import CustomerRepository
from payments.events.service import record_event
from payments.gateways.protocol import PaymentGateway
from payments.idempotency.service import created_earlier, remember_created
from payments.intents.domain.commands import (
    CreatePaymentIntent,
    ListPaymentIntents,
    UpdatePaymentIntent,
)
from payments.intents.domain.local_methods import (
    BLIK_CODE_PARAM,
    check_confirm,
    check_currency,
    check_intent_options,
    check_return_url,
    fits_currency,
)
from payments.intents.domain.model import PaymentIntent, PaymentMethod
from payments.intents.domain.payment_intent import (
    Operation,
    PaymentIntentStatus,
    transition,
)
from payments.intents.render import payment_intent_object
from payments.intents.repository import (
    AttemptRepository,
    PaymentIntentRepository,
    PaymentMethodRepository,
)
from payments.intents.service.collectors import refuse_if_collected
from payments.intents.service.invoice_payments import PayableInvoice, invoice_payments
from payments.intents.service.payment_methods import (
    inline_payment_method,
    new_payment_method,
    tokenize,
    visible_payment_method,
)
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.ids import client_secret, id_for, looks_like
from payments.kernel.metadata import update_metadata, validate_metadata
from payments.kernel.money import (
    AmountOutOfRange,
    UnknownCurrency,
    check_amount,
    normalize_currency,
)
from payments.kernel.pagination import Page, PageRequest
from payments.kernel.unset import Unset
from payments.locations.domain import Location, offer_refusal
from payments.locations.repository import LocationRepository
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory

S = PaymentIntentStatus


def validate_amount(amount: int, currency: str, *, maximum: int) -> None:
    try:
        check_amount(amount, currency, maximum=maximum)
    except AmountOutOfRange as exc:
        raise InvalidRequest(str(exc), code=exc.code, param="amount") from None


def parse_currency(value: str, *, param: str = "currency") -> str:
    try:
        return normalize_currency(value)
    except UnknownCurrency:
        raise InvalidRequest(
            f"Invalid currency: {value!r}", code="currency_invalid", param=param
        ) from None


def check_currency_accepted(location: Location, currency: str) -> None:
    if not location.accepts(currency):
        raise InvalidRequest(
            f"The shop {location.id} does not accept {currency}; it accepts "
            + ", ".join(location.currencies)
            + ".",
            code="currency_not_accepted",
            param="currency",
        )


async def visible_intent(
    uow: UnitOfWork, pi_id: str, ctx: RequestContext, *, for_update: bool = False
) -> PaymentIntent:
    pi = await uow.repo(PaymentIntentRepository).get(pi_id, for_update=for_update)
    if pi is None or not ctx.principal.sees_location(pi.location_id):
        raise NotFound.of("payment_intent", pi_id)
    return pi


async def _location(uow: UnitOfWork, ctx: RequestContext, location_id: str | None) -> Location:
    location_id = location_id or ctx.principal.location_id
    if location_id is None:
        raise InvalidRequest(
            "Missing required param: location (the shop taking the payment).",
            code="parameter_missing",
            param="location",
        )
    location = await uow.repo(LocationRepository).get_cached(location_id)
    if location is None or not ctx.principal.sees_location(location.id):
        raise NotFound.of("location", location_id, param="location")
    if not location.active:  # closed (e.g. gone from the Locations Service): no new payments
        raise InvalidRequest(
            f"Location {location.id} is closed (active: false) and takes no new payments.",
            code="location_inactive",
            param="location",
        )
    return location


async def resolve_payment_method(
    value: str,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> PaymentMethod:
    """One of our ``pm_`` ids, or a gateway test id such as ``pm_card_visa`` (tokenized now,
    before any transaction opens)."""
    pm, new = await prepare_payment_method(
        value, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx
    )
    if new:
        async with uow_factory() as uow:
            await uow.repo(PaymentMethodRepository).add(pm)
            await uow.commit()
    return pm


async def prepare_payment_method(
    value: str,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> tuple[PaymentMethod, bool]:
    """Like :func:`resolve_payment_method`, but a method the gateway tokenizes now is
    returned unsaved, with ``True``: the caller adds it in its own transaction. Only a
    value shaped like our ids is looked up first (``pm_card_visa`` cannot be ours)."""
    if looks_like("pm", value):
        async with uow_factory() as uow:
            if await uow.repo(PaymentMethodRepository).get(value) is not None:
                return await visible_payment_method(uow, value, ctx, param="payment_method"), False
    gateway_pm = await tokenize(value, gateway=gateway)
    return new_payment_method(gateway_pm, gateway=gateway.name, ctx=ctx, clock=clock), True


def check_method_fits(
    pi: PaymentIntent, pm: PaymentMethod, *, param: str = "payment_method"
) -> None:
    """The method's type is offered, its currency works, the intent's settings suit it,
    and it is the customer's own. ``param``: where the client named the method."""
    check_type_fits(pi, pm.type, param=param)
    if pm.customer_id is not None and pm.customer_id != pi.customer_id:
        raise InvalidRequest(
            "The provided PaymentMethod belongs to another customer.",
            code="payment_method_customer_mismatch",
            param=param,
        )


def check_type_fits(pi: PaymentIntent, kind: str, *, param: str) -> None:
    """A method of type ``kind`` may pay ``pi`` (checked before one is created)."""
    if kind not in pi.payment_method_types:
        raise InvalidRequest(
            f"The PaymentIntent does not accept payment method type {kind!r}; it accepts "
            + ", ".join(pi.payment_method_types)
            + ".",
            code="payment_intent_incompatible_payment_method",
            param=param,
        )
    check_currency(kind, pi.currency)
    check_intent_options(
        kind, capture_method=pi.capture_method, setup_future_usage=pi.setup_future_usage
    )
    if kind == "sepa_debit" and pi.currency != "eur":
        raise InvalidRequest(
            f"The currency provided ({pi.currency}) is invalid. Payments with sepa_debit "
            "support the following currencies: eur.",
            code="payment_intent_incompatible_payment_method",
            param=param,
        )


async def create_payment_intent(
    cmd: CreatePaymentIntent,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
    max_amount: int,
) -> PaymentIntent:
    ctx.require(Permission.write_payments)
    if cmd.payment_method_options.blik_code is not None:
        raise InvalidRequest(
            "payment_method_options[blik][code] can only be set when confirming.",
            code="parameter_invalid",
            param=BLIK_CODE_PARAM,
        )
    pm, new = await payment_method_for_create(
        cmd, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx, max_amount=max_amount
    )
    async with uow_factory() as uow:
        earlier = await created_earlier(uow, ctx, "payment_intent")
        if earlier is not None:  # a retry after a crash: the intent exists already
            return await visible_intent(uow, earlier, ctx)
        if pm is not None and new:
            await uow.repo(PaymentMethodRepository).add(pm)
        pi = await new_payment_intent(uow, cmd, pm, ctx=ctx, clock=clock, max_amount=max_amount)
        await uow.repo(PaymentIntentRepository).add(pi)
        await remember_created(uow, ctx, "payment_intent", pi.id)
        await record_event(
            uow,
            "payment_intent.created",
            payment_intent_object(pi),
            ctx=ctx,
            clock=clock,
            location_id=pi.location_id,
        )
        await uow.commit()
    return pi


async def payment_method_for_create(
    cmd: CreatePaymentIntent,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
    max_amount: int,
    confirming: bool = False,
) -> tuple[PaymentMethod | None, bool]:
    """The method a create names (``payment_method``) or brings (``payment_method_data``),
    and whether it is new (unsaved). Inline data is checked against the intent it would
    make (and, ``confirming``, against the confirm) before the gateway tokenizes it."""
    data = cmd.payment_method_data
    if data is not None:
        if cmd.payment_method:
            raise InvalidRequest(
                "Pass payment_method or payment_method_data, not both.",
                code="parameter_invalid",
                param="payment_method_data",
            )
        async with uow_factory() as uow:  # validation only: the draft is not stored
            draft = await new_payment_intent(
                uow, cmd, None, ctx=ctx, clock=clock, max_amount=max_amount
            )
        check_type_fits(draft, data.type, param="payment_method_data[type]")
        if confirming:
            check_confirm(
                data.type,
                return_url=draft.return_url,
                blik_code=cmd.payment_method_options.blik_code,
                off_session=bool(cmd.off_session),
            )
        pm = await inline_payment_method(data, gateway=gateway, clock=clock, ctx=ctx)
        return pm, True
    if cmd.payment_method:
        return await prepare_payment_method(
            cmd.payment_method, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx
        )
    return None, False


async def new_payment_intent(
    uow: UnitOfWork,
    cmd: CreatePaymentIntent,
    pm: PaymentMethod | None,
    *,
    ctx: RequestContext,
    clock: Clock,
    max_amount: int,
) -> PaymentIntent:
    """Validate a create request in ``uow`` and build the intent (not stored yet)."""
    target = None
    if cmd.invoice is not None:
        target = await invoice_payments().payable(uow, cmd.invoice, ctx=ctx)
        cmd = _for_invoice(cmd, target)
    location = await _location(uow, ctx, cmd.location)
    currency = parse_currency(cmd.currency or location.default_currency)
    check_currency_accepted(location, currency)
    validate_amount(cmd.amount, currency, maximum=max_amount)
    if target is not None:
        _check_invoice_amounts(cmd.amount, currency, target)
    check_return_url(cmd.return_url)
    customer_id = cmd.customer
    if customer_id is not None:
        customer = await uow.repo(CustomerRepository).get(customer_id)
        if (
            customer is None
            or customer.deleted
            or not ctx.principal.sees_location(customer.location_id)
        ):
            raise NotFound.of("customer", customer_id, param="customer")
    types = _payment_method_types(cmd, location, currency)
    if cmd.setup_future_usage and customer_id is None:
        raise InvalidRequest(
            "setup_future_usage needs a customer to save the method to.",
            code="parameter_missing",
            param="customer",
        )
    pi_id = id_for("payment_intent")
    pi = PaymentIntent(
        id=pi_id,
        client_secret=client_secret(pi_id),
        location_id=location.id,
        amount=cmd.amount,
        currency=currency,
        status=S.REQUIRES_PAYMENT_METHOD,
        capture_method=cmd.capture_method,
        payment_method_types=types,
        created=clock.now(),
        customer_id=customer_id,
        setup_future_usage=cmd.setup_future_usage,
        return_url=cmd.return_url,
        description=cmd.description,
        receipt_email=cmd.receipt_email,
        metadata=validate_metadata(dict(cmd.metadata)),
        radar_session=cmd.radar_session,
    )
    pi.invoice_id = target.id if target is not None else None
    if pm is not None:
        param = "payment_method_data[type]" if cmd.payment_method_data else "payment_method"
        check_method_fits(pi, pm, param=param)
        pi.payment_method_id = pm.id
        pi.status = transition(pi.status, Operation.ATTACH_PAYMENT_METHOD)
    return pi


def _for_invoice(cmd: CreatePaymentIntent, target: PayableInvoice) -> CreatePaymentIntent:
    """A payment of an invoice is taken by the invoice's shop; its currency and customer
    default to the invoice's (another payer, e.g. an insurer, may be named)."""
    if cmd.location is not None and cmd.location != target.location_id:
        raise InvalidRequest(
            f"The invoice {target.id} belongs to the shop {target.location_id}: a payment of "
            "it is taken by that shop.",
            param="location",
        )
    return replace(
        cmd,
        location=target.location_id,
        currency=cmd.currency or target.currency,
        customer=cmd.customer or target.customer_id,
    )


def _check_invoice_amounts(amount: int, currency: str, target: PayableInvoice) -> None:
    if currency != target.currency:
        raise InvalidRequest(
            f"The invoice {target.id} is in {target.currency}, not {currency}.",
            code="currency_mismatch",
            param="currency",
        )
    if amount > target.amount_remaining:
        raise InvalidRequest(
            f"The invoice {target.id} owes {target.amount_remaining}: a payment of it cannot "
            f"be for {amount}.",
            code="amount_too_large",
            param="amount",
        )


def _payment_method_types(cmd: CreatePaymentIntent, location: Location, currency: str) -> list[str]:
    """The types the intent accepts: those asked for, each offered by the shop and fitting
    the currency; by default, what the shop offers in this currency."""
    for i, kind in enumerate(cmd.payment_method_types):
        _check_offered(location, kind, param=f"payment_method_types[{i}]")
        check_currency(kind, currency)
    if cmd.payment_method_data is not None:
        _check_offered(location, cmd.payment_method_data.type, param="payment_method_data[type]")
        check_currency(cmd.payment_method_data.type, currency)
    if cmd.payment_method_types:
        return list(cmd.payment_method_types)
    return [t for t in location.payment_method_types if fits_currency(t, currency)]


def _check_offered(location: Location, kind: str, *, param: str) -> None:
    if kind == "card_present" and "card" in location.payment_method_types:
        return  # a shop that takes cards takes them at its counter's readers too
    if kind not in location.payment_method_types:
        why = offer_refusal(kind, location.country, location.currencies)
        raise InvalidRequest(
            why or f"The shop {location.id} does not offer {kind!r}.",
            code="payment_method_type_unavailable",
            param=param,
        )


async def retrieve_payment_intent(
    pi_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> PaymentIntent:
    async with uow_factory() as uow:
        return await visible_intent(uow, pi_id, ctx)


async def update_payment_intent(
    pi_id: str,
    cmd: UpdatePaymentIntent,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
    max_amount: int,
) -> PaymentIntent:
    ctx.require(Permission.write_payments)
    pm = None
    if cmd.payment_method:
        pm = await resolve_payment_method(
            cmd.payment_method, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx
        )
    async with uow_factory() as uow:
        pi = await visible_intent(uow, pi_id, ctx, for_update=True)
        before = payment_intent_object(pi)
        if (cmd.changes_money or pm is not None) and await uow.repo(AttemptRepository).open_for(
            pi.id
        ):
            raise InvalidRequest(
                "An attempt of this PaymentIntent is in flight.",
                code="payment_intent_unexpected_state",
            )
        if cmd.changes_money or pm is not None:
            await refuse_if_collected(uow, pi, "change")
        if cmd.changes_money:
            pi.status = transition(pi.status, Operation.UPDATE)
            if not isinstance(cmd.currency, Unset):
                pi.currency = parse_currency(cmd.currency)
                location = await uow.repo(LocationRepository).get(pi.location_id)
                if location is not None:
                    check_currency_accepted(location, pi.currency)
                await _keep_types_fitting(uow, pi)
            if not isinstance(cmd.amount, Unset):
                pi.amount = cmd.amount
            if not isinstance(cmd.capture_method, Unset):
                pi.capture_method = cmd.capture_method
            validate_amount(pi.amount, pi.currency, maximum=max_amount)
            if pi.invoice_id is not None:
                target = await invoice_payments().payable(uow, pi.invoice_id, ctx=ctx)
                _check_invoice_amounts(pi.amount, pi.currency, target)
        if pm is not None:
            check_method_fits(pi, pm)
            pi.status = transition(pi.status, Operation.ATTACH_PAYMENT_METHOD)
            pi.payment_method_id = pm.id
        if not isinstance(cmd.description, Unset):
            pi.description = cmd.description
        if not isinstance(cmd.receipt_email, Unset):
            pi.receipt_email = cmd.receipt_email
        if not isinstance(cmd.return_url, Unset):
            check_return_url(cmd.return_url)
            pi.return_url = cmd.return_url
        if not isinstance(cmd.setup_future_usage, Unset):
            pi.setup_future_usage = cmd.setup_future_usage
        if not isinstance(cmd.metadata, Unset):  # null (or "" in a form) clears it, as at Stripe
            update = None if cmd.metadata is None else dict(cmd.metadata)
            pi.metadata = update_metadata(pi.metadata, update)
        after = payment_intent_object(pi)
        if after != before:
            await uow.repo(PaymentIntentRepository).save(pi)
        await uow.commit()
    return pi


async def _keep_types_fitting(uow: UnitOfWork, pi: PaymentIntent) -> None:
    """A new currency: the local methods that cannot take it are no longer offered (an
    attached one is refused, naming ``currency``)."""
    if pi.payment_method_id is not None:
        pm = await uow.repo(PaymentMethodRepository).get(pi.payment_method_id)
        if pm is not None:
            check_currency(pm.type, pi.currency)
    fitting = [t for t in pi.payment_method_types if fits_currency(t, pi.currency)]
    if not fitting:
        check_currency(pi.payment_method_types[0], pi.currency)
    pi.payment_method_types = fitting


async def list_payment_intents(
    query: ListPaymentIntents,
    page: PageRequest,
    *,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
) -> Page[PaymentIntent]:
    async with uow_factory() as uow:
        return await uow.repo(PaymentIntentRepository).list_page(
            page,
            equals={
                "customer_id": query.customer,
                "status": query.status,
                "amount": query.amount,
                "currency": query.currency,
            },
            created=query.created,
            location_id=ctx.list_location(query.location),
            card_last4=query.card_last4,
        )
