"""What a caller asks of refunds: the create command and the list query (Stripe's
parameter names). The API builds them from its request models."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from payments.kernel.pagination import Created
from payments.refunds.domain.refund import Reason


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateRefund:
    payment_intent: str | None = None  # the payment to refund (or name its charge)
    charge: str | None = None
    amount: int | None = None  # minor units; None: everything not refunded yet
    currency: str | None = None  # if given, must be the payment's
    reason: Reason | None = None
    note: str | None = None  # free text for finance and the audit trail
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListRefunds:
    """Filters as the client sent them: None or "" is no filter; a status no refund
    has matches nothing."""

    payment_intent: str | None = None
    charge: str | None = None
    status: str | None = None
    created: Created = field(default_factory=Created)
    location: str | None = None  # a shop; a location-restricted key may only name its own
