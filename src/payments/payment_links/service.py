"""Payment links: create, list, retrieve, (de)activate; and what the hosted pay page does
with one: show the invoice, take a card payment through the PaymentIntents machinery.

A payment on the page follows the invoices' own pay path (every rule of payments holds:
the attempt is recorded before the gateway call, no transaction is open across it,
recovery settles an unknown outcome, and the invoice learns of the result in the intent's
own transaction through :class:`~payments.invoices.service.payments.InvoicePaymentsListener`):

1. one transaction locks the link and the invoice, refuses it unless it (or the link's
   share) still owes something and has no payment in flight, and creates (or reuses,
   without writing it) its PaymentIntent for what the link may collect through the
   invoices' own :func:`~payments.invoices.service.payments.intent_for`, with ``invoice``
   set and the link in its metadata (a share link's intent names the share and has the
   share's payer as its customer, as the invoices' own share payments do); the link
   remembers the form's nonce and that intent;
2. the intent is confirmed on-session with the card the customer typed
   (:func:`payments.intents.service.flow.confirm_payment_intent`, which tokenizes it
   first), and ``return_url`` set for a 3-D Secure challenge.

A double submit of the same form (same nonce) finds the intent of its first submit and
answers with it instead of charging again; two different submits at once are serialized
by the invoice's lock and the intent's (a second confirm of an intent in flight is
refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from payments.audit.service import record_audit
from payments.customers.repository import CustomerRepository
from payments.einvoicing.model import InvoiceDocument
from payments.events.service import record_event
from payments.gateways.protocol import PaymentGateway
from payments.intents.domain.commands import (
    CardParams,
    ConfirmPaymentIntent,
    CreatePaymentMethod,
    PaymentMethodType,
)
from payments.intents.domain.model import PaymentIntent
from payments.intents.domain.payment_intent import PaymentIntentStatus as PIS
from payments.intents.repository import PaymentIntentRepository
from payments.intents.service import flow
from payments.invoices.domain.document import invoice_document
from payments.invoices.domain.model import Invoice, InvoiceLine
from payments.invoices.domain.payment_plan import InvoiceShare, ShareStatus
from payments.invoices.domain.status import InvoiceStatus
from payments.invoices.repository import InvoiceRepository, InvoiceShareRepository
from payments.invoices.service.common import lines_of, visible_invoice
from payments.invoices.service.payment_plans import open_share
from payments.invoices.service.payments import intent_for
from payments.kernel.access import Permission, Principal, Role
from payments.kernel.clock import Clock, to_unix
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.ids import new_id
from payments.kernel.pagination import Page, PageRequest
from payments.locations.domain.payment_methods import LOCAL_METHODS, CustomerAction
from payments.locations.repository import LocationRepository
from payments.payment_links.domain import (
    DEFAULT_LIFETIME,
    MAX_LIFETIME,
    CardForm,
    CreatePaymentLink,
    LocalChoice,
    PaymentLink,
    Unusable,
    billing_details,
    hash_token,
    new_token,
    unusable,
)
from payments.payment_links.render import payment_link_object
from payments.payment_links.repository import PaymentLinkRepository
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory

PAYABLE = (InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE)
_REUSABLE = (PIS.REQUIRES_PAYMENT_METHOD, PIS.REQUIRES_CONFIRMATION)
PREFIX = "plink"
LINK_KEY = "payment_link"


def _check_payable(invoice: Invoice) -> None:
    if invoice.status not in PAYABLE or invoice.amount_remaining <= 0:
        raise InvalidRequest(
            f"The invoice {invoice.id} is {invoice.status.value}"
            + (" and owes nothing" if invoice.status in PAYABLE else "")
            + ": only an open invoice with an amount remaining can be paid by link.",
            code="invoice_unexpected_state",
            param="invoice",
        )


async def _share_to_link(uow: UnitOfWork, invoice: Invoice, share_id: str) -> InvoiceShare:
    """An open share of the invoice's payment plan; any other is a bad ``share`` (400,
    whether it is paid, of another invoice or unknown)."""
    try:
        return await open_share(uow, invoice, share_id)
    except NotFound:
        raise InvalidRequest(
            f"The invoice {invoice.id} has no share {share_id} in its payment plan.",
            code="resource_missing",
            param="share",
        ) from None


# --------------------------------------------------------------------------- the API


async def create_payment_link(
    cmd: CreatePaymentLink,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> tuple[PaymentLink, str]:
    """A new link and its token (shown once: only its hash is kept)."""
    ctx.require(Permission.write_payments)
    now = clock.now()
    expires_at = cmd.expires_at or now + DEFAULT_LIFETIME
    if expires_at <= now:
        raise InvalidRequest(
            "expires_at must be in the future.", code="parameter_invalid", param="expires_at"
        )
    if expires_at > now + MAX_LIFETIME:
        raise InvalidRequest(
            f"expires_at may be at most {MAX_LIFETIME.days} days ahead.",
            code="parameter_invalid",
            param="expires_at",
        )
    token = new_token()
    async with uow_factory() as uow:
        invoice = await visible_invoice(uow, cmd.invoice, ctx, param="invoice")
        _check_payable(invoice)
        share = await _share_to_link(uow, invoice, cmd.share) if cmd.share is not None else None
        link = PaymentLink(
            id=new_id(PREFIX),
            invoice_id=invoice.id,
            share_id=share.id if share is not None else None,
            location_id=invoice.location_id,
            customer_id=share.customer_id if share is not None else invoice.customer_id,
            currency=invoice.currency,
            amount=share.amount_remaining if share is not None else invoice.amount_remaining,
            token_hash=hash_token(token),
            expires_at=expires_at,
            created=now,
            metadata=dict(cmd.metadata),
            livemode=invoice.livemode,
        )
        await uow.repo(PaymentLinkRepository).add(link)
        await record_audit(  # who made a capability to take money; never its token
            uow,
            "payment_link.created",
            object_type="payment_link",
            object_id=link.id,
            ctx=ctx,
            clock=clock,
            after={
                "invoice": link.invoice_id,
                "share": link.share_id,
                "amount": link.amount,
                "expires_at": to_unix(link.expires_at),
            },
            location_id=link.location_id,
        )
        await record_event(
            uow,
            "payment_link.created",
            payment_link_object(link),
            ctx=ctx,
            clock=clock,
            location_id=link.location_id,
        )
        await uow.commit()
    return link, token


async def _visible_link(
    uow: UnitOfWork, link_id: str, ctx: RequestContext, *, for_update: bool = False
) -> PaymentLink:
    link = await uow.repo(PaymentLinkRepository).get(link_id, for_update=for_update)
    if link is None or not ctx.principal.sees_location(link.location_id):
        raise NotFound.of("payment_link", link_id)
    return link


async def retrieve_payment_link(
    link_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> PaymentLink:
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        return await _visible_link(uow, link_id, ctx)


async def list_payment_links(
    invoice_id: str, page: PageRequest, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Page[PaymentLink]:
    """The links of one invoice, newest first."""
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        invoice = await visible_invoice(uow, invoice_id, ctx)
        return await uow.repo(PaymentLinkRepository).list_page(
            page, equals={"invoice_id": invoice.id}
        )


async def update_payment_link(
    link_id: str,
    *,
    active: bool | None,
    metadata: dict[str, str] | None,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> PaymentLink:
    """Stripe's verb: ``active=false`` deactivates a link (its page then refuses to take a
    payment); ``active=true`` turns it back on until it expires."""
    ctx.require(Permission.write_payments)
    async with uow_factory() as uow:
        link = await _visible_link(uow, link_id, ctx, for_update=True)
        if active is not None and active != link.active:
            link.active = active
            link.deactivated_at = None if active else clock.now()
            await record_audit(
                uow,
                "payment_link.reactivated" if active else "payment_link.deactivated",
                object_type="payment_link",
                object_id=link.id,
                ctx=ctx,
                clock=clock,
                before={"active": not active},
                after={"active": active},
                location_id=link.location_id,
            )
        if metadata is not None:
            link.metadata = {k: v for k, v in {**link.metadata, **metadata}.items() if v}
        await uow.repo(PaymentLinkRepository).save(link)
        await record_event(
            uow,
            "payment_link.updated",
            payment_link_object(link),
            ctx=ctx,
            clock=clock,
            location_id=link.location_id,
        )
        await uow.commit()
    return link


# --------------------------------------------------------------------------- the page


class LinkNotFound(NotFound):
    pass


class LinkUnusable(Exception):
    """The page's refusal of an expired or deactivated link (shown as a page, never an
    API error)."""

    def __init__(self, reason: Unusable) -> None:
        super().__init__(f"The payment link is {reason.value}.")
        self.reason = reason


def link_context(link: PaymentLink) -> RequestContext:
    """Who acts when a customer pays on the page: the link itself, with a clerk's rights.
    Not restricted to the shop, because a customer may be shared by every shop (a shop's
    key sees only its own); what the link reaches is limited by this service instead: its
    one invoice, for at most its amount."""
    return RequestContext(
        principal=Principal(api_key_id=link.id, name="payment link", role=Role.clerk)
    )


@dataclass(frozen=True, slots=True)
class PageView:
    """Everything the pay page shows."""

    link: PaymentLink
    invoice: Invoice
    lines: list[InvoiceLine]
    document: InvoiceDocument
    preferred_locales: list[str]
    intent: PaymentIntent | None  # the invoice's current PaymentIntent, if any
    unusable: Unusable | None
    local_methods: list[tuple[str, str]]  # (type, name) of the redirect methods offered
    share: InvoiceShare | None = None  # the payment plan share the link pays

    @property
    def owed(self) -> int:
        """What the invoice, or the link's share, still owes."""
        return self.share.amount_remaining if self.share else self.invoice.amount_remaining

    @property
    def amount_to_pay(self) -> int:
        return min(self.link.amount, self.owed)

    @property
    def settled(self) -> bool:
        """Paid: the invoice, or the link's share of it."""
        return self.invoice.status == InvoiceStatus.PAID or (
            self.share is not None and self.share.status is ShareStatus.PAID
        )


async def _link_by_token(uow: UnitOfWork, token: str) -> PaymentLink:
    link = await uow.repo(PaymentLinkRepository).by_token_hash(hash_token(token))
    if link is None:
        raise LinkNotFound("No such payment link.", code="resource_missing")
    return link


async def open_link(token: str, *, uow_factory: UnitOfWorkFactory, clock: Clock) -> PageView:
    """The link of ``token`` with its invoice as the page shows it (an unknown token:
    :class:`LinkNotFound`)."""
    async with uow_factory() as uow:
        link = await _link_by_token(uow, token)
        invoice = await uow.repo(InvoiceRepository).get(link.invoice_id)
        if invoice is None:  # a foreign key: cannot happen
            raise LinkNotFound("No such payment link.", code="resource_missing")
        lines = await lines_of(uow, invoice.id)
        share = None
        if link.share_id is not None:
            shares = await uow.repo(InvoiceShareRepository).of_invoice(invoice.id)
            share = next((s for s in shares if s.id == link.share_id), None)
        customer = await uow.repo(CustomerRepository).get(link.customer_id)
        intent = (
            await uow.repo(PaymentIntentRepository).get(invoice.payment_intent_id)
            if invoice.payment_intent_id
            else None
        )
        location = await uow.repo(LocationRepository).get(invoice.location_id)
        advance = (  # the advance-payment invoice it deducts (shown as paid in advance)
            await uow.repo(InvoiceRepository).get(invoice.advance_invoice_id)
            if invoice.advance_invoice_id is not None
            else None
        )
    offered = location.payment_method_types if location is not None else []
    country = location.country if location is not None else ""
    return PageView(
        link=link,
        invoice=invoice,
        lines=lines,
        document=invoice_document(invoice, lines, advance),
        preferred_locales=list(customer.preferred_locales) if customer else [],
        intent=intent,
        unusable=unusable(link, clock.now()),
        local_methods=[
            (m.type, m.name)
            for kind in offered
            if (m := LOCAL_METHODS.get(kind)) is not None
            and m.action is CustomerAction.REDIRECT
            and m.misfit(country, invoice.currency) is None
            and _billing(invoice, m.type) is not None
        ],
        share=share,
    )


def _billing(invoice: Invoice, kind: str) -> dict[str, object] | None:
    address = invoice.customer_address or {}
    return billing_details(
        LOCAL_METHODS[kind].billing_details,
        invoice.customer_name,
        invoice.customer_email,
        address.get("country"),
    )


async def link_intent(
    token: str, payment_intent: str, *, uow_factory: UnitOfWorkFactory
) -> PaymentIntent | None:
    """A PaymentIntent of the link's invoice (None for any other)."""
    async with uow_factory() as uow:
        link = await _link_by_token(uow, token)
        pi = await uow.repo(PaymentIntentRepository).get(payment_intent)
    if pi is None or pi.invoice_id != link.invoice_id:
        return None
    return pi


async def pay_with_card(
    token: str,
    card: CardForm | LocalChoice | str,
    *,
    nonce: str,
    return_url: str,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    max_amount: int,
    device: str | None = None,
) -> PaymentIntent:
    """Charge the card for what the link may collect (see the module's steps): the card
    the customer typed (the simulator), or a PaymentMethod id Stripe.js created in the
    browser (``pm_...``, Stripe's Payment Element). Refusals:
    :class:`LinkUnusable`, ``InvalidRequest`` (the invoice owes nothing, a payment is in
    flight, a card the gateway refuses to tokenize), ``CardError`` (a decline)."""
    async with uow_factory() as uow:  # phase 1: the invoice's intent
        found = await _link_by_token(uow, token)
        links = uow.repo(PaymentLinkRepository)
        link = await links.get(found.id, for_update=True) or found  # lock order: link, invoice
        reason = unusable(link, clock.now())
        if reason is not None:
            raise LinkUnusable(reason)
        ctx = link_context(link)
        invoice = await visible_invoice(uow, link.invoice_id, ctx, for_update=True)
        intents = uow.repo(PaymentIntentRepository)
        if link.last_nonce == nonce and link.last_payment_intent_id:
            first = await intents.get(link.last_payment_intent_id)
            if first is not None and first.status not in _REUSABLE:
                return first  # the same form submitted again: its first answer
        _check_payable(invoice)
        share = await open_share(uow, invoice, link.share_id) if link.share_id else None
        # the invoices' own intent: for the share (its metadata, its payer), at most what
        # the link may collect; a waiting one for the same amount (and share) is reused.
        # It reads the invoice's current intent without writing it (a settling payment
        # locks its intent, then the invoice) and refuses while a payment is in flight
        # (invoice_payment_in_progress); the confirm that follows locks the intent
        pi = await intent_for(
            uow,
            invoice,
            share,
            clock=clock,
            ctx=ctx,
            max_amount=max_amount,
            at_most=link.amount,
            marks={LINK_KEY: link.id},
        )
        link.last_nonce = nonce
        link.last_payment_intent_id = pi.id
        await links.save(link)
        invoice.payment_intent_id = pi.id
        invoice.attempt_count += 1
        await uow.repo(InvoiceRepository).save(invoice)
        await uow.commit()
    if isinstance(card, str):
        confirm = ConfirmPaymentIntent(
            payment_method=card, off_session=False, return_url=return_url, radar_session=device
        )
    elif isinstance(card, LocalChoice):
        billing = _billing(invoice, card.type) if card.type in LOCAL_METHODS else None
        if billing is None:
            raise InvalidRequest(
                f"The invoice cannot be paid with {card.type!r} here.",
                code="payment_method_type_unavailable",
                param="method",
            )
        data = CreatePaymentMethod(type=cast(PaymentMethodType, card.type), billing_details=billing)
        confirm = ConfirmPaymentIntent(
            payment_method_data=data,
            off_session=False,
            return_url=return_url,
            radar_session=device,
        )
    else:
        data = CreatePaymentMethod(
            type="card",
            card=CardParams(
                number=card.number, exp_month=card.exp_month, exp_year=card.exp_year, cvc=card.cvc
            ),
        )
        confirm = ConfirmPaymentIntent(
            payment_method_data=data,
            off_session=False,
            return_url=return_url,
            radar_session=device,
        )
    return await flow.confirm_payment_intent(
        pi.id,
        confirm,
        uow_factory=uow_factory,
        gateway=gateway,
        clock=clock,
        ctx=ctx,
    )


async def link_document(
    token: str, *, uow_factory: UnitOfWorkFactory, clock: Clock
) -> InvoiceDocument:
    """The invoice's document for the page's PDF download (a deactivated or expired
    link: :class:`LinkUnusable`)."""
    view = await open_link(token, uow_factory=uow_factory, clock=clock)
    if view.unusable is not None and not view.settled:
        raise LinkUnusable(view.unusable)
    return view.document
