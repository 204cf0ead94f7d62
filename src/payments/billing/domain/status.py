"""What a subscription may do in each status (Stripe's rules), pure."""

from __future__ import annotations

from payments.billing.domain.model import SubscriptionStatus as S
from payments.kernel.errors import InvalidRequest

ENDED = (S.CANCELED, S.INCOMPLETE_EXPIRED)
RENEWING = (S.ACTIVE, S.PAST_DUE, S.UNPAID, S.TRIALING)


def check_changeable(status: S, *, param: str) -> None:
    """Items, quantities and settings change unless the subscription has ended."""
    if status in ENDED:
        raise InvalidRequest(
            f"A subscription that is {status.value} cannot be changed.",
            code="subscription_unexpected_state",
            param=param,
        )


def check_pausable(status: S) -> None:
    if status in ENDED or status is S.INCOMPLETE:
        raise InvalidRequest(
            f"A subscription that is {status.value} cannot pause or resume collection.",
            code="subscription_unexpected_state",
            param="pause_collection",
        )
