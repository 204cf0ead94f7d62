"""Minting update-your-payment-method links (in the dunning step's transaction); the page's
use cases are in :mod:`payments.billing.service.payment_method_links`."""

from __future__ import annotations

from datetime import datetime, timedelta

from payments.billing.domain.model import PaymentMethodLink, Subscription
from payments.billing.repository import PaymentMethodLinkRepository
from payments.kernel.ids import id_for
from payments.kernel.tokens import hash_token, new_token
from payments.platform.db.uow import UnitOfWork

LINK_LIFETIME = timedelta(days=30)
PAGE_PATH = "/billing/update"


def link_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}{PAGE_PATH}/{token}"


async def mint_link(
    uow: UnitOfWork,
    sub: Subscription,
    *,
    invoice_id: str | None,
    at: datetime,
    public_url: str,
) -> str:
    """A new link for ``sub`` (in the caller's transaction); returns its URL, shown once."""
    token = new_token()
    link = PaymentMethodLink(
        id=id_for("payment_method_link"),
        subscription_id=sub.id,
        token_hash=hash_token(token),
        expires_at=at + LINK_LIFETIME,
        created=at,
        invoice_id=invoice_id,
        livemode=sub.livemode,
    )
    await uow.repo(PaymentMethodLinkRepository).add(link)
    return link_url(public_url, token)
