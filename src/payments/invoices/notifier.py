"""The port through which invoices reach customers (e-mail), and its default adapter.

``send`` records ``invoice.sent`` in its transaction (webhooks see it, whatever the
adapter does) and then hands the invoice to the :class:`Notifier`. The default,
:class:`LogNotifier`, writes one log line: a deployment that e-mails invoices plugs an
SMTP or mail-API adapter in its place (``Container.extras["invoice_notifier"]``).
"""

from __future__ import annotations

from typing import Any, Protocol

from payments.platform.logs import get_logger

log = get_logger("payments.invoices")

EXTRA_KEY = "invoice_notifier"


class Notifier(Protocol):
    async def invoice_sent(self, invoice: dict[str, Any], *, to: str) -> None:
        """Deliver ``invoice`` (its Stripe-shaped JSON; the PDF is at ``invoice_pdf``)."""


class LogNotifier:
    """Logs what would be e-mailed (the local default; nothing leaves the machine)."""

    async def invoice_sent(self, invoice: dict[str, Any], *, to: str) -> None:
        log.info(
            "invoice_sent",
            invoice=invoice["id"],
            number=invoice["number"],
            to=to,
            amount_due=invoice["amount_due"],
            currency=invoice["currency"],
        )


def notifier_of(extras: dict[str, object]) -> Notifier:
    """The runtime's notifier (the log adapter unless another was installed)."""
    found = extras.get(EXTRA_KEY)
    if found is None:
        found = extras[EXTRA_KEY] = LogNotifier()
    return found  # type: ignore[return-value]
