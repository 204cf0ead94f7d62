"""The receipt of a card-present charge, from the charge, its shop and seller, and the
invoice it pays (its VAT summary)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from payments.intents.repository import ChargeRepository, PaymentIntentRepository
from payments.invoices.repository import InvoiceRepository
from payments.kernel.access import Permission
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.legal_entities.repository import LegalEntityRepository
from payments.locations.repository import LocationRepository
from payments.platform.db.uow import UnitOfWorkFactory
from payments.terminal.domain import Receipt, VatLine, address_lines
from payments.terminal.notifier import ReceiptNotifier
from payments.terminal.receipt import receipt_html


async def receipt_of(
    charge_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Receipt:
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        charge = await uow.repo(ChargeRepository).get(charge_id)
        if charge is None or not ctx.principal.sees_location(charge.location_id):
            raise NotFound.of("charge", charge_id)
        details: dict[str, Any] = charge.payment_method_details or {}
        if details.get("type") != "card_present":
            raise InvalidRequest(
                f"Charge {charge_id} was not taken on a reader: only card_present charges "
                "have a counter receipt.",
                code="charge_invalid_parameter",
                param="id",
            )
        pi = await uow.repo(PaymentIntentRepository).get(charge.payment_intent_id)
        location = await uow.repo(LocationRepository).get(charge.location_id)
        entity = None
        if location is not None and location.legal_entity_id:
            entity = await uow.repo(LegalEntityRepository).get(location.legal_entity_id)
        invoice = None
        if pi is not None and pi.invoice_id:
            invoice = await uow.repo(InvoiceRepository).get(pi.invoice_id)
    card = details.get("card_present") or {}
    emv = card.get("receipt") or {}
    zone = ZoneInfo(location.timezone) if location else ZoneInfo("UTC")
    shop_address = dict(location.address) if location else {}
    seller_address = dict(entity.address) if entity else shop_address
    vat_lines = tuple(
        VatLine(
            rate=str(group["rate"]),
            taxable_amount=int(group["taxable_amount"]),
            amount=int(group["amount"]),
        )
        for group in (invoice.tax_breakdown if invoice else [])
    )
    return Receipt(
        charge_id=charge.id,
        payment_intent_id=charge.payment_intent_id,
        merchant_name=entity.legal_name if entity else (location.name if location else ""),
        merchant_address=address_lines(seller_address),
        vat_id=entity.vat_id if entity else None,
        shop_name=location.name if location else "",
        when=charge.created.astimezone(zone),
        amount=charge.amount_captured or charge.amount_authorized or charge.amount,
        currency=charge.currency,
        transaction="SALE" if charge.captured else "AUTHORIZATION",
        approved=charge.status.value == "succeeded",
        brand=card.get("brand"),
        last4=card.get("last4"),
        read_method=card.get("read_method"),
        authorization_code=emv.get("authorization_code"),
        application_id=emv.get("dedicated_file_name"),
        application_name=emv.get("application_preferred_name"),
        account_type=emv.get("account_type"),
        verification=emv.get("cardholder_verification_method"),
        amount_refunded=charge.amount_refunded,
        invoice_number=invoice.number if invoice else None,
        vat_lines=vat_lines,
    )


async def send_receipt(
    charge_id: str,
    *,
    email: str | None,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
    notifier: ReceiptNotifier,
) -> Receipt:
    """E-mail the receipt to ``email`` (default: the PaymentIntent's ``receipt_email``)."""
    ctx.require(Permission.write_payments)
    receipt = await receipt_of(charge_id, uow_factory=uow_factory, ctx=ctx)
    to = email
    if to is None:
        async with uow_factory() as uow:
            pi = await uow.repo(PaymentIntentRepository).get(receipt.payment_intent_id)
        to = pi.receipt_email if pi else None
    if not to:
        raise InvalidRequest(
            "Missing required param: email (the PaymentIntent has no receipt_email).",
            code="parameter_missing",
            param="email",
        )
    await notifier.receipt_sent(receipt, receipt_html(receipt), to=to)
    return receipt
