"""All SQL of payment links."""

from __future__ import annotations

from payments.payment_links.domain import PaymentLink
from payments.payment_links.tables import payment_links
from payments.platform.db.records import RecordRepository


class PaymentLinkRepository(RecordRepository[PaymentLink]):
    table = payment_links
    record = PaymentLink

    async def by_token_hash(self, token_hash: str) -> PaymentLink | None:
        found = await self.find(payment_links.c.token_hash == token_hash, limit=1)
        return found[0] if found else None
