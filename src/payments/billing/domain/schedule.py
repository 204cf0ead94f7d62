"""What is due next for a subscription, and when: pure.

The renewal worker and a test clock's advance both ask :func:`next_action` and run the
earliest action due, at its own moment, so a clock jump of three periods runs three
renewals in order, each at its period's end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from payments.billing.domain.model import Subscription
from payments.billing.domain.model import SubscriptionStatus as S

UPCOMING_DAYS = 7  # invoice.upcoming, this many days before a renewal
TRIAL_WARNING_DAYS = 3  # customer.subscription.trial_will_end, as at Stripe
INCOMPLETE_HOURS = 23  # an unpaid first invoice expires the subscription after this


class ActionKind(StrEnum):
    RESUME = "resume"  # invoicing or charging was started and not finished
    TRIAL_WILL_END = "trial_will_end"
    UPCOMING = "upcoming"
    RETRY = "retry"
    PERIOD_END = "period_end"
    EXPIRE = "expire"


_ORDER = list(ActionKind)


@dataclass(frozen=True, slots=True)
class Action:
    at: datetime
    kind: ActionKind


def next_action(sub: Subscription) -> Action | None:
    """The earliest action due for ``sub`` (ties in :class:`ActionKind` order)."""
    if sub.pending_invoice is not None or sub.charge_invoice_id is not None:
        started = sub.next_action_at or sub.current_period_start
        return Action(started, ActionKind.RESUME)
    if sub.status in (S.CANCELED, S.INCOMPLETE_EXPIRED):
        return None
    found: list[Action] = []
    if sub.status is S.INCOMPLETE:
        found.append(Action(sub.created + timedelta(hours=INCOMPLETE_HOURS), ActionKind.EXPIRE))
        return found[0]
    if sub.status is S.TRIALING and sub.trial_end is not None and not sub.trial_will_end_sent:
        warn = sub.trial_end - timedelta(days=TRIAL_WARNING_DAYS)
        found.append(Action(max(warn, sub.trial_start or warn), ActionKind.TRIAL_WILL_END))
    upcoming = sub.current_period_end - timedelta(days=UPCOMING_DAYS)
    if (
        not sub.cancel_at_period_end
        and sub.status is not S.TRIALING
        and sub.pause_collection is None
        and sub.upcoming_sent_for != sub.current_period_end
        and upcoming > sub.current_period_start
    ):
        found.append(Action(upcoming, ActionKind.UPCOMING))
    if sub.next_payment_attempt is not None and sub.dunning_invoice_id is not None:
        found.append(Action(sub.next_payment_attempt, ActionKind.RETRY))
    found.append(Action(sub.current_period_end, ActionKind.PERIOD_END))
    return min(found, key=lambda a: (a.at, _ORDER.index(a.kind)))


def next_action_at(sub: Subscription) -> datetime | None:
    action = next_action(sub)
    return action.at if action is not None else None
