"""Update-your-payment-method links of subscriptions in dunning.

When a renewal's charge fails (or needs the customer's authentication) and the
subscription stays ``past_due`` or ``unpaid``, :func:`mint_link` makes a link to the
hosted page ``/billing/update/{token}`` (the ``payment_links`` capability serves it):
an unguessable token, shown once in the dunning events' payloads
(``customer.subscription.updated``, ``invoice.payment_action_required``) as
``update_payment_method_url``, only its SHA-256 stored, valid for
:data:`LINK_LIFETIME` of the subscription's time (its test clock's, if it has one).

The page saves a card or a SEPA mandate through a SetupIntent for the subscription's
customer; :func:`use_payment_method` then makes it the subscription's
``default_payment_method``, which retries the open invoice at once (dunning's smart
stop, in :func:`~payments.billing.service.subscriptions.update_subscription`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from payments.billing.domain.commands import UpdateSubscription
from payments.billing.domain.model import PaymentMethodLink, Subscription
from payments.billing.domain.model import SubscriptionStatus as S
from payments.billing.repository import PaymentMethodLinkRepository, SubscriptionRepository
from payments.billing.service.common import Billing, now_for
from payments.billing.service.subscriptions import update_subscription
from payments.customers.domain import Customer
from payments.customers.repository import CustomerRepository
from payments.intents.domain.model import PaymentMethod
from payments.intents.domain.setup_intent import SetupIntentStatus
from payments.intents.repository import PaymentMethodRepository, SetupIntentRepository
from payments.invoices.domain.model import Invoice
from payments.invoices.domain.status import InvoiceStatus
from payments.invoices.repository import InvoiceRepository
from payments.kernel.access import Principal, Role
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.tokens import hash_token
from payments.locations.repository import LocationRepository

#: a subscription whose payment method may still be updated to recover it
RECOVERABLE = frozenset({S.PAST_DUE, S.UNPAID, S.INCOMPLETE, S.ACTIVE, S.TRIALING})


class LinkNotFound(NotFound):
    """No link has this token."""


def link_context(link: PaymentMethodLink, sub: Subscription) -> RequestContext:
    """The link acts as a clerk of the subscription's shop, and the page's service limits
    it further: its one subscription, its customer's payment methods."""
    return RequestContext(
        principal=Principal(
            api_key_id=link.id,
            name="payment method link",
            role=Role.clerk,
            location_id=sub.location_id,
        )
    )


@dataclass(frozen=True, slots=True)
class LinkView:
    """What the update-payment-method page shows."""

    link: PaymentMethodLink
    subscription: Subscription
    customer: Customer
    invoice: Invoice | None  # the invoice being chased (or that was), if any
    payment_method: PaymentMethod | None  # the subscription's current default
    now: datetime  # the subscription's time (its test clock's)
    shop_name: str

    @property
    def expired(self) -> bool:
        return self.now >= self.link.expires_at

    @property
    def open_invoice(self) -> Invoice | None:
        if self.invoice is not None and self.invoice.status is InvoiceStatus.OPEN:
            return self.invoice
        return None

    @property
    def recoverable(self) -> bool:
        return self.subscription.status in RECOVERABLE

    @property
    def context(self) -> RequestContext:
        return link_context(self.link, self.subscription)


async def open_link(token: str, *, billing: Billing) -> LinkView:
    """The link of ``token`` with what its page shows (unknown: :class:`LinkNotFound`)."""
    async with billing.uow_factory() as uow:
        link = await uow.repo(PaymentMethodLinkRepository).by_token_hash(hash_token(token))
        sub = (
            await uow.repo(SubscriptionRepository).get(link.subscription_id)
            if link is not None
            else None
        )
        customer = await uow.repo(CustomerRepository).get(sub.customer_id) if sub else None
        if link is None or sub is None or customer is None:
            raise LinkNotFound("No such link.", code="resource_missing")
        invoice_id = sub.dunning_invoice_id or link.invoice_id
        invoice = await uow.repo(InvoiceRepository).get(invoice_id) if invoice_id else None
        pm = (
            await uow.repo(PaymentMethodRepository).get(sub.default_payment_method)
            if sub.default_payment_method
            else None
        )
        now = await now_for(uow, sub.test_clock_id, billing.clock)
        location = await uow.repo(LocationRepository).get(sub.location_id)
    return LinkView(
        link=link,
        subscription=sub,
        customer=customer,
        invoice=invoice,
        payment_method=pm,
        now=now,
        shop_name=location.name if location is not None else "",
    )


def check_usable(view: LinkView) -> None:
    if view.expired or not view.recoverable:
        raise InvalidRequest(
            "This link can no longer be used to update the payment method.",
            code="link_unusable",
        )


async def remember_setup_intent(token: str, setup_intent_id: str, *, billing: Billing) -> None:
    """The page made ``setup_intent_id`` through this link (its return is checked by it)."""
    async with billing.uow_factory() as uow:
        repo = uow.repo(PaymentMethodLinkRepository)
        link = await repo.by_token_hash(hash_token(token))
        if link is None:
            raise LinkNotFound("No such link.", code="resource_missing")
        link.setup_intent_id = setup_intent_id
        await repo.save(link)
        await uow.commit()


async def use_payment_method(token: str, setup_intent_id: str, *, billing: Billing) -> LinkView:
    """The SetupIntent made through this link succeeded: its payment method becomes the
    subscription's default, and an open invoice in dunning is retried at once. Using the
    same SetupIntent again changes nothing."""
    view = await open_link(token, billing=billing)
    check_usable(view)
    async with billing.uow_factory() as uow:
        si = await uow.repo(SetupIntentRepository).get(setup_intent_id)
    if (
        si is None
        or view.link.setup_intent_id != si.id
        or si.customer_id != view.subscription.customer_id
        or si.status is not SetupIntentStatus.SUCCEEDED
        or si.payment_method_id is None
    ):
        raise InvalidRequest(
            "The payment method was not set up through this link.",
            code="setup_intent_unexpected_state",
            param="setup_intent",
        )
    if view.subscription.default_payment_method != si.payment_method_id:
        await update_subscription(
            UpdateSubscription(
                id=view.subscription.id, default_payment_method=si.payment_method_id
            ),
            billing=billing,
            ctx=view.context,
        )
        async with billing.uow_factory() as uow:
            repo = uow.repo(PaymentMethodLinkRepository)
            link = await repo.get(view.link.id, for_update=True)
            if link is not None:
                link.used_at = view.now
                await repo.save(link)
            await uow.commit()
    return await open_link(token, billing=billing)
