"""The Stripe gateway adapter: Stripe's PaymentIntents API behind the gateway port.

See :mod:`.gateway` for construction, :mod:`.currency` for amount conversion,
:mod:`.errors` for the error mapping, :mod:`.mapping` for the status mapping
and :mod:`.operations` for the helpers beyond the port.
"""

from payments.platform.config import Settings

from .client import ClientConfig
from .errors import RawCardDataRefused, WebhookSignatureInvalid
from .gateway import StripeGateway


def build_stripe_gateway(settings: Settings) -> StripeGateway:
    """The composition root's hook for ``PAYMENTS_GATEWAY=stripe``."""
    return StripeGateway.from_settings(settings)


__all__ = [
    "ClientConfig",
    "RawCardDataRefused",
    "StripeGateway",
    "WebhookSignatureInvalid",
    "build_stripe_gateway",
]
