"""The port through which receipts reach customers (e-mail), and its default adapter.

As invoices' notifier (:mod:`payments.invoices.notifier`): the default,
:class:`LogReceiptNotifier`, writes one log line; a deployment that e-mails receipts
plugs an SMTP or mail-API adapter in its place (``Container.extras["receipt_notifier"]``).
"""

from __future__ import annotations

from typing import Protocol

from payments.platform.logs import get_logger
from payments.terminal.domain import Receipt

log = get_logger("payments.terminal")

EXTRA_KEY = "receipt_notifier"


class ReceiptNotifier(Protocol):
    async def receipt_sent(self, receipt: Receipt, html: str, *, to: str) -> None:
        """Deliver the receipt (its HTML; the PDF is at ``/v1/charges/{id}/receipt``)."""


class LogReceiptNotifier:
    """Logs what would be e-mailed (the local default; nothing leaves the machine)."""

    async def receipt_sent(self, receipt: Receipt, html: str, *, to: str) -> None:
        log.info(
            "receipt_sent",
            charge=receipt.charge_id,
            to=to,
            amount=receipt.amount,
            currency=receipt.currency,
            size=len(html),
        )


def receipt_notifier_of(extras: dict[str, object]) -> ReceiptNotifier:
    found = extras.get(EXTRA_KEY)
    if found is None:
        found = extras[EXTRA_KEY] = LogReceiptNotifier()
    return found  # type: ignore[return-value]
