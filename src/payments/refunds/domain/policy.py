"""Who may refund how much without a second pair of eyes.

A refund requested by a key without the ``approve_refunds`` permission (a
``clerk``) waits as ``pending_approval`` for a ``finance`` or ``admin`` key when

* ``outside_refund_window``: it is requested more than :attr:`RefundPolicy.window`
  after the payment; or
* ``amount_above_threshold``: together with the payment's other refunds that
  are not failed or canceled, it is above the currency's threshold. Counting
  the earlier refunds is deliberate: three refunds of 150 EUR are one refund
  of 450 EUR. A currency without a threshold always needs approval.

Keys that may approve never need approval; nobody may approve their own request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from payments.kernel.access import Permission, Role, allows


class ApprovalReason(StrEnum):
    AMOUNT_ABOVE_THRESHOLD = "amount_above_threshold"
    OUTSIDE_REFUND_WINDOW = "outside_refund_window"


@dataclass(frozen=True, slots=True)
class RefundPolicy:
    thresholds: Mapping[str, int]  # lower-case currency -> minor units
    window: timedelta

    def threshold(self, currency: str) -> int | None:
        return self.thresholds.get(currency.lower())

    def approval_reason(
        self,
        *,
        role: Role,
        currency: str,
        refunded_total: int,
        paid_at: datetime,
        now: datetime,
    ) -> ApprovalReason | None:
        """Why this request needs approval, or None. ``refunded_total`` includes it."""
        if allows(role, Permission.approve_refunds):
            return None
        if now - paid_at > self.window:
            return ApprovalReason.OUTSIDE_REFUND_WINDOW
        limit = self.threshold(currency)
        if limit is None or refunded_total > limit:
            return ApprovalReason.AMOUNT_ABOVE_THRESHOLD
        return None
