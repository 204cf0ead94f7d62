"""The risk assessment a confirm asks for before the gateway is called.

Fraud prevention sits above payments, so it registers a :class:`RiskAssessment` here
(:func:`register_risk_assessment`, called by the composition root) instead of this
capability importing it. The confirm flow asks it in phase 1, in the same transaction
that records the charge, and obeys its verdict: ``block`` fails the charge without
calling the gateway; ``review`` forces manual capture (card payments: the money is
held, not taken); ``request_three_d_secure`` asks the gateway for a challenge.
:func:`payments.intents.service.apply.apply_charge_result` tells it every charge result
it applied (declines feed the velocity counters; an authorized payment held for review
opens its review), in that result's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from payments.intents.domain.model import Charge, PaymentIntent, PaymentMethod
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.platform.db.uow import UnitOfWork

RiskAction = Literal["allow", "block", "review", "request_three_d_secure"]


@dataclass(frozen=True, slots=True)
class RiskVerdict:
    action: RiskAction
    outcome: dict[str, Any] | None = None  # Stripe's charge.outcome as decided
    risk: dict[str, Any] | None = None  # score, level, reasons
    extra: dict[str, Any] = field(default_factory=dict)


NOT_ASSESSED = RiskVerdict("allow")


class RiskAssessment(Protocol):
    async def assess(
        self,
        uow: UnitOfWork,
        pi: PaymentIntent,
        method: PaymentMethod,
        charge: Charge,
        *,
        clock: Clock,
        ctx: RequestContext,
    ) -> RiskVerdict:
        """The verdict on ``charge`` (not stored yet) of ``pi`` paid with ``method``."""

    async def charge_settled(
        self,
        uow: UnitOfWork,
        pi: PaymentIntent,
        charge: Charge,
        *,
        clock: Clock,
        ctx: RequestContext,
    ) -> None:
        """The gateway's answer (or a block) was applied to ``charge``: as stored now."""


class _NoAssessment:
    async def assess(self, *args: Any, **kwargs: Any) -> RiskVerdict:
        return NOT_ASSESSED

    async def charge_settled(self, *args: Any, **kwargs: Any) -> None:
        return None


_registered: list[RiskAssessment] = []


def register_risk_assessment(assessment: RiskAssessment) -> None:
    _registered[:] = [assessment]


def risk_assessment() -> RiskAssessment:
    """The registered assessment; none registered (a bare test container): every payment
    is allowed, its outcome ``not_assessed``."""
    return _registered[0] if _registered else _NoAssessment()
