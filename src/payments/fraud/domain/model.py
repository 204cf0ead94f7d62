"""Fraud prevention's records and their vocabulary (Stripe Radar's names)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class RiskLevel(StrEnum):
    normal = "normal"
    elevated = "elevated"
    highest = "highest"


class RuleAction(StrEnum):
    allow = "allow"
    block = "block"
    review = "review"
    request_three_d_secure = "request_three_d_secure"


# The fixed order rules are evaluated in: an allow rule wins over every other, then a
# block, then a review, then a 3-D Secure request (Radar's order).
ACTION_ORDER: tuple[RuleAction, ...] = (
    RuleAction.allow,
    RuleAction.block,
    RuleAction.review,
    RuleAction.request_three_d_secure,
)


class OutcomeType(StrEnum):
    authorized = "authorized"
    manual_review = "manual_review"
    issuer_declined = "issuer_declined"
    blocked = "blocked"


class ItemType(StrEnum):
    card_fingerprint = "card_fingerprint"
    email = "email"
    ip_address = "ip_address"
    customer_id = "customer_id"
    iban = "iban"
    sepa_debit_fingerprint = "sepa_debit_fingerprint"
    country = "country"
    string = "string"


class ReviewClosedReason(StrEnum):
    approved = "approved"
    canceled = "canceled"  # the held authorization was released (by hand or after 7 days)
    refunded_as_fraud = "refunded_as_fraud"
    disputed = "disputed"


@dataclass(slots=True, kw_only=True)
class Rule:
    id: str
    action: RuleAction
    predicate: str
    created: datetime
    updated: datetime
    location_id: str | None = None  # None: every shop
    enabled: bool = True
    description: str | None = None
    livemode: bool = False


@dataclass(slots=True, kw_only=True)
class ValueList:
    id: str
    alias: str
    name: str
    item_type: ItemType
    created: datetime
    created_by: str
    metadata: dict[str, str] = field(default_factory=dict)
    livemode: bool = False


@dataclass(slots=True, kw_only=True)
class ValueListItem:
    id: str
    value_list_id: str
    value: str
    created: datetime
    created_by: str
    livemode: bool = False


@dataclass(slots=True, kw_only=True)
class Review:
    id: str
    payment_intent_id: str
    charge_id: str
    location_id: str
    open: bool
    opened_reason: str  # rule | manual
    reason: str  # rule | approved | canceled | refunded_as_fraud | ...
    created: datetime
    expires_at: datetime  # auto-canceled then, if still open
    closed_reason: ReviewClosedReason | None = None
    closed_at: datetime | None = None
    rule_id: str | None = None
    risk_level: str | None = None
    risk_score: int | None = None
    ip_address: str | None = None
    locked_until: datetime | None = None
    livemode: bool = False


@dataclass(slots=True, kw_only=True)
class Assessment:
    """What the assessment saw and decided for one charge: the history later signals
    read (amounts, first purchases) and what a rule's dry run replays."""

    id: str
    charge_id: str
    payment_intent_id: str
    location_id: str
    amount: int
    currency: str
    amount_eur_cents: int
    score: int
    level: RiskLevel
    action: RuleAction
    attributes: dict[str, Any]
    created: datetime
    customer_id: str | None = None
    card_fingerprint: str | None = None
    email: str | None = None
    ip_address: str | None = None
    rule_id: str | None = None


@dataclass(slots=True, kw_only=True)
class EarlyFraudWarning:
    """Stripe Radar's ``radar.early_fraud_warning``: the card issuer reported the charge
    as possibly fraudulent. Kept with the card and the customer it concerns, so later
    payments with them score higher; ``actionable`` while the charge is neither disputed
    nor fully refunded (refund it now, and no dispute will follow)."""

    id: str  # issfr_...
    gateway: str
    gateway_ref: str
    charge_id: str
    payment_intent_id: str
    location_id: str
    fraud_type: str
    actionable: bool
    created: datetime
    card_fingerprint: str | None = None
    customer_id: str | None = None
    livemode: bool = False


# ------------------------------------------------------------------------ commands


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateRule:
    action: RuleAction
    predicate: str
    location_id: str | None = None
    enabled: bool = True
    description: str | None = None
    force: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateRule:
    id: str
    action: RuleAction | None = None
    predicate: str | None = None
    enabled: bool | None = None
    description: str | None = None
    force: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class DryRunRule:
    predicate: str
    action: RuleAction = RuleAction.block
    location_id: str | None = None
    limit: int = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateValueList:
    alias: str
    name: str
    item_type: ItemType = ItemType.string
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateValueListItem:
    value_list_id: str
    value: str | None = None
    charge_id: str | None = None  # take the value from this charge (a review's, a dispute's)
    review_id: str | None = None  # take the value from this review's charge
