"""Payment methods: tokenized at the gateway, stored here with safe details only.

Raw card numbers and IBANs pass through to the gateway and are never stored or
logged; we keep brand, last4, expiry, country, fingerprint (and wallet type).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, assert_never

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from payments.customers.repository import CustomerRepository
from payments.events.service import record_event
from payments.gateways.protocol import (
    BillingDetails,
    CardInput,
    CustomerBalanceInput,
    GatewayInvalidRequest,
    LocalMethodInput,
    LocalMethodType,
    PaymentGateway,
    PaymentMethodInput,
    SepaDebitInput,
)
from payments.gateways.protocol import PaymentMethod as GatewayPaymentMethod
from payments.intents.domain.commands import CardParams, CreatePaymentMethod
from payments.intents.domain.model import PaymentMethod
from payments.intents.render import payment_method_object
from payments.intents.repository import PaymentMethodRepository
from payments.intents.service.gateway_call import gateway_call
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.ids import id_for
from payments.kernel.metadata import validate_metadata
from payments.kernel.pagination import Page, PageRequest
from payments.locations.domain.payment_methods import LOCAL_METHODS
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory


def gateway_input(cmd: CreatePaymentMethod, *, prefix: str = "") -> PaymentMethodInput:
    """What the gateway tokenizes for ``cmd``; missing details are refused naming the
    parameter, under ``prefix`` when the method comes inline (``payment_method_data``)."""
    match cmd.type:
        case "card":
            return _card_input(cmd.card or CardParams(), prefix)
        case "sepa_debit":
            return _sepa_debit_input(cmd, prefix)
        case "customer_balance":
            return CustomerBalanceInput(country=cmd.customer_balance_country)
        case "ideal" | "bancontact" | "eps" | "p24" | "blik" | "twint" | "swish" | "klarna":
            return _local_input(cmd.type, cmd, prefix)
        case _:
            assert_never(cmd.type)


def _card_input(card: CardParams, prefix: str) -> PaymentMethodInput:
    if card.token is not None:
        return card.token
    if not card.number:
        raise _missing(nested(prefix, "card[number]"))
    if card.exp_month is None:
        raise _missing(nested(prefix, "card[exp_month]"))
    if card.exp_year is None:
        raise _missing(nested(prefix, "card[exp_year]"))
    return CardInput(
        number=card.number.replace(" ", ""),
        exp_month=card.exp_month,
        exp_year=card.exp_year,
        cvc=card.cvc or "",
        wallet=card.wallet,
    )


def _sepa_debit_input(cmd: CreatePaymentMethod, prefix: str) -> SepaDebitInput:
    try:
        iban = IBAN(cmd.sepa_debit_iban or "")
    except SchwiftyException:
        raise InvalidRequest(
            "The IBAN is invalid.", code="invalid_iban", param=nested(prefix, "sepa_debit[iban]")
        ) from None
    name = cmd.billing_details.get("name")
    if not name:
        raise _missing(
            nested(prefix, "billing_details[name]"),
            "SEPA debits need billing_details[name] (the account holder).",
        )
    return SepaDebitInput(
        iban=iban.compact, account_holder_name=str(name), email=cmd.billing_details.get("email")
    )


def _local_input(kind: LocalMethodType, cmd: CreatePaymentMethod, prefix: str) -> LocalMethodInput:
    """A local method: the billing details Stripe asks for it are required."""
    billing = cmd.billing_details
    address = billing.get("address") or {}
    given = {
        "name": billing.get("name"),
        "email": billing.get("email"),
        "address.country": address.get("country"),
    }
    method = LOCAL_METHODS[kind]
    for name in method.billing_details:
        if not given.get(name):
            param = "billing_details[" + "][".join(name.split(".")) + "]"
            raise _missing(
                nested(prefix, param),
                f"{method.name} ({kind}) payments need {param}.",
            )
    country = given["address.country"]
    return LocalMethodInput(
        type=kind,
        bank=cmd.bank,
        billing_details=BillingDetails(
            name=given["name"],
            email=given["email"],
            phone=billing.get("phone"),
            country=str(country).upper() if country else None,
        ),
    )


def nested(prefix: str, param: str) -> str:
    """``card[number]`` inside ``payment_method_data``: ``payment_method_data[card][number]``."""
    if not prefix:
        return param
    head, bracket, rest = param.partition("[")
    return f"{prefix}[{head}]{bracket}{rest}"


def _missing(param: str, message: str | None = None) -> InvalidRequest:
    return InvalidRequest(
        message or f"Missing required param: {param}.", code="parameter_missing", param=param
    )


def _details(pm: GatewayPaymentMethod) -> dict[str, Any]:
    inner = getattr(pm.details, pm.details.type)
    return asdict(inner) if inner is not None else {}


async def store_gateway_method(
    uow: UnitOfWork,
    gateway_pm: GatewayPaymentMethod,
    *,
    gateway: str,
    ctx: RequestContext,
    clock: Clock,
    billing_details: dict[str, Any] | None = None,
    metadata: dict[str, str] | None = None,
) -> PaymentMethod:
    pm = new_payment_method(
        gateway_pm,
        gateway=gateway,
        ctx=ctx,
        clock=clock,
        billing_details=billing_details,
        metadata=metadata,
    )
    await uow.repo(PaymentMethodRepository).add(pm)
    return pm


def new_payment_method(
    gateway_pm: GatewayPaymentMethod,
    *,
    gateway: str,
    ctx: RequestContext,
    clock: Clock,
    billing_details: dict[str, Any] | None = None,
    metadata: dict[str, str] | None = None,
) -> PaymentMethod:
    """Our record of a method the gateway tokenized (not stored yet)."""
    return PaymentMethod(
        id=id_for("payment_method"),
        type=gateway_pm.details.type,
        gateway=gateway,
        gateway_ref=gateway_pm.id,
        details=_details(gateway_pm),
        created=clock.now(),
        location_id=ctx.principal.location_id,
        billing_details=billing_details or {},
        metadata=validate_metadata(metadata or {}),
    )


async def tokenize(
    source: PaymentMethodInput, *, gateway: PaymentGateway, prefix: str = ""
) -> GatewayPaymentMethod:
    """Send details to the gateway (no transaction open); map refusals to 400s."""
    try:
        return await gateway_call(gateway.create_payment_method(source))
    except GatewayInvalidRequest as exc:
        param = _param_for(exc.param, source)
        raise InvalidRequest(
            exc.message, code=exc.code, param=nested(prefix, param) if param else None
        ) from None


def _param_for(param: str | None, source: PaymentMethodInput) -> str | None:
    if param == "bank" and isinstance(source, LocalMethodInput):
        return f"{source.type}[bank]"
    return {"number": "card[number]", "iban": "sepa_debit[iban]"}.get(param or "", param)


async def inline_payment_method(
    cmd: CreatePaymentMethod,
    *,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
    prefix: str = "payment_method_data",
) -> PaymentMethod:
    """``payment_method_data``: a new method tokenized now (before any transaction opens),
    returned unsaved; the caller stores it with the intent."""
    gateway_pm = await tokenize(gateway_input(cmd, prefix=prefix), gateway=gateway, prefix=prefix)
    return new_payment_method(
        gateway_pm,
        gateway=gateway.name,
        ctx=ctx,
        clock=clock,
        billing_details=dict(cmd.billing_details),
        metadata=dict(cmd.metadata),
    )


async def create_payment_method(
    cmd: CreatePaymentMethod,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> PaymentMethod:
    ctx.require(Permission.write_payments)
    gateway_pm = await tokenize(gateway_input(cmd), gateway=gateway)
    async with uow_factory() as uow:
        pm = await store_gateway_method(
            uow,
            gateway_pm,
            gateway=gateway.name,
            ctx=ctx,
            clock=clock,
            billing_details=dict(cmd.billing_details),
            metadata=dict(cmd.metadata),
        )
        await uow.commit()
    return pm


async def visible_payment_method(
    uow: UnitOfWork, pm_id: str, ctx: RequestContext, *, param: str = "id"
) -> PaymentMethod:
    pm = await uow.repo(PaymentMethodRepository).get(pm_id)
    if pm is None or not await _sees(uow, pm, ctx):
        raise NotFound.of("payment_method", pm_id, param=param)
    return pm


async def known_payment_method(
    uow: UnitOfWork, pm_id: str, ctx: RequestContext, *, param: str = "id"
) -> PaymentMethod | None:
    """One of our methods by id (None when we have none such; NotFound when the caller
    may not see it), read once."""
    pm = await uow.repo(PaymentMethodRepository).get(pm_id)
    if pm is not None and not await _sees(uow, pm, ctx):
        raise NotFound.of("payment_method", pm_id, param=param)
    return pm


async def _sees(uow: UnitOfWork, pm: PaymentMethod, ctx: RequestContext) -> bool:
    """A method attached to a customer belongs to that customer's shop. An unattached one
    belongs to the shop of the key that made it; made with an unrestricted key (no
    location), it is usable by every shop."""
    if ctx.principal.location_id is None:
        return True
    if pm.customer_id is not None:
        customer = await uow.repo(CustomerRepository).get(pm.customer_id)
        return customer is not None and ctx.principal.sees_location(customer.location_id)
    return pm.location_id is None or ctx.principal.sees_location(pm.location_id)


async def retrieve_payment_method(
    pm_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> PaymentMethod:
    async with uow_factory() as uow:
        return await visible_payment_method(uow, pm_id, ctx)


async def attach(
    pm_id: str,
    customer_id: str,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> PaymentMethod:
    ctx.require(Permission.write_payments)
    async with uow_factory() as uow:
        pm = await visible_payment_method(uow, pm_id, ctx)
        customer = await uow.repo(CustomerRepository).get(customer_id)
        if (
            customer is None
            or customer.deleted
            or not ctx.principal.sees_location(customer.location_id)
        ):
            raise NotFound.of("customer", customer_id, param="customer")
        if pm.customer_id == customer_id:
            return pm
        if pm.customer_id is not None:
            raise InvalidRequest(
                "The payment method is attached to another customer; detach it first.",
                code="payment_method_unexpected_state",
                param="customer",
            )
        await attach_in(uow, pm, customer_id, clock=clock, ctx=ctx)
        await uow.commit()
    return pm


async def attach_in(
    uow: UnitOfWork, pm: PaymentMethod, customer_id: str, *, clock: Clock, ctx: RequestContext
) -> None:
    pm.customer_id = customer_id
    await uow.repo(PaymentMethodRepository).save(pm)
    await record_event(
        uow,
        "payment_method.attached",
        payment_method_object(pm),
        ctx=ctx,
        clock=clock,
        location_id=pm.location_id,
    )


async def detach(
    pm_id: str, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> PaymentMethod:
    ctx.require(Permission.write_payments)
    async with uow_factory() as uow:
        pm = await visible_payment_method(uow, pm_id, ctx)
        if pm.customer_id is None:
            raise InvalidRequest(
                "The payment method is not attached to a customer.",
                code="payment_method_unexpected_state",
            )
        pm.customer_id = None
        await uow.repo(PaymentMethodRepository).save(pm)
        await record_event(
            uow,
            "payment_method.detached",
            payment_method_object(pm),
            ctx=ctx,
            clock=clock,
            location_id=pm.location_id,
        )
        await uow.commit()
    return pm


async def list_for_customer(
    customer_id: str,
    page: PageRequest,
    *,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
    type: str | None = None,
) -> Page[PaymentMethod]:
    async with uow_factory() as uow:
        customer = await uow.repo(CustomerRepository).get(customer_id)
        if customer is None or not ctx.principal.sees_location(customer.location_id):
            raise NotFound.of("customer", customer_id)
        return await uow.repo(PaymentMethodRepository).list_page(
            page, equals={"customer_id": customer_id, "type": type}
        )
