"""Request bodies and response shapes of fraud rules, value lists and reviews."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from payments.fraud.domain.model import ItemType, RuleAction
from payments.platform.http.schemas import Metadata, StrictModel

Predicate = Annotated[
    str,
    Field(
        min_length=1,
        max_length=2000,
        description=(
            "A condition in the rule language, e.g. "
            "`:amount_in_eur: > 1000 and :card_country: != :shop_country:` "
            "(see docs/how-to/manage-fraud-rules.md for every attribute)."
        ),
        examples=[":card_fingerprint: in @blocked_cards"],
    ),
]
Description = Annotated[str, Field(max_length=500)]
Force = Annotated[
    bool,
    Field(description="Accept a rule that would match every payment (refused otherwise)."),
]


class RuleCreate(StrictModel):
    action: RuleAction
    predicate: Predicate
    location: str | None = Field(
        None, max_length=64, description="The shop it applies to (omitted: every shop)."
    )
    enabled: bool = True
    description: Description | None = None
    force: Force = False


class RuleUpdate(StrictModel):
    action: RuleAction | None = None
    predicate: Predicate | None = None
    enabled: bool | None = None
    description: Description | None = None
    force: Force = False


class RuleDryRun(StrictModel):
    predicate: Predicate
    action: RuleAction = RuleAction.block
    location: str | None = Field(None, max_length=64)
    limit: int = Field(100, ge=1, le=1000, description="How many recent charges to replay.")


class RuleOut(BaseModel):
    """A fraud rule: what to do with payments its predicate matches."""

    id: str = Field(examples=["rule_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["fraud.rule"] = "fraud.rule"
    action: RuleAction
    predicate: str
    location: str | None
    enabled: bool
    description: str | None
    created: int
    updated: int
    livemode: bool


class RuleList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[RuleOut]


class DryRunMatch(BaseModel):
    charge: str
    payment_intent: str
    amount: int
    currency: str
    risk_score: int
    risk_level: str
    action_taken: RuleAction
    rule_taken: str | None
    action_with_rule: RuleAction
    decided_by_this_rule: bool
    changes_outcome: bool


class DryRunOut(BaseModel):
    object: Literal["fraud.rule_dry_run"] = "fraud.rule_dry_run"
    predicate: str
    action: RuleAction
    charges_evaluated: int
    charges_matched: int
    would_change: int
    matches: list[DryRunMatch]


class ValueListCreate(StrictModel):
    alias: str = Field(min_length=1, max_length=100, description="Used in rules as `@alias`.")
    name: str = Field(min_length=1, max_length=100)
    item_type: ItemType = ItemType.string
    metadata: Metadata | None = None


class ValueListItemCreate(StrictModel):
    value_list: str = Field(max_length=64)
    value: str | None = Field(None, min_length=1, max_length=800)
    charge: str | None = Field(
        None,
        max_length=64,
        description="Instead of `value`: take it from this charge (e.g. a dispute's charge): "
        "its card fingerprint, e-mail, IP address, customer or card country, by the list's "
        "item_type.",
    )
    review: str | None = Field(
        None, max_length=64, description="Instead of `value`: take it from this review's charge."
    )


class ValueListItemOut(BaseModel):
    id: str = Field(examples=["rsli_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["radar.value_list_item"] = "radar.value_list_item"
    value: str
    value_list: str
    created: int
    created_by: str
    livemode: bool


class ValueListItemList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[ValueListItemOut]


class ValueListOut(BaseModel):
    id: str = Field(examples=["rsl_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["radar.value_list"] = "radar.value_list"
    alias: str
    name: str
    item_type: ItemType
    list_items: ValueListItemList
    created: int
    created_by: str
    metadata: dict[str, str]
    livemode: bool


class ValueListList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[ValueListOut]


class DeletedOut(BaseModel):
    id: str
    object: str
    deleted: Literal[True] = True


class ReviewCancel(StrictModel):
    reason: Literal["fraudulent"] = Field(
        "fraudulent", description="Why the held payment is released (Stripe: fraudulent)."
    )


class ReviewOut(BaseModel):
    """A payment held by a `review` rule: authorized, waiting for approval or cancel."""

    id: str = Field(examples=["prv_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["review"] = "review"
    charge: str
    payment_intent: str
    location: str
    open: bool
    opened_reason: Literal["rule", "manual"]
    reason: str
    closed_reason: Literal["approved", "canceled", "refunded_as_fraud", "disputed"] | None
    rule: str | None
    risk_level: str | None
    risk_score: int | None
    ip_address: str | None
    expires_at: int = Field(description="When an open review auto-cancels the authorization.")
    closed_at: int | None
    created: int
    livemode: bool


class ReviewList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[ReviewOut]


# Stripe Radar's early_fraud_warning.fraud_type
FraudType = Literal[
    "card_never_received",
    "fraudulent_card_application",
    "made_with_counterfeit_card",
    "made_with_lost_card",
    "made_with_stolen_card",
    "misc",
    "unauthorized_use_of_card",
]


class EarlyFraudWarningOut(BaseModel):
    """Stripe Radar's early fraud warning: the card issuer reported the charge as possibly
    fraudulent."""

    id: str = Field(examples=["issfr_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["radar.early_fraud_warning"] = "radar.early_fraud_warning"
    actionable: bool = Field(
        description="Neither disputed nor fully refunded yet: refunding now avoids a dispute."
    )
    charge: str
    created: int
    fraud_type: FraudType
    livemode: bool
    payment_intent: str | None


class EarlyFraudWarningList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[EarlyFraudWarningOut]


class RefundAndBlockIn(StrictModel):
    value_list: str = Field(
        min_length=1,
        max_length=40,
        description="The card-fingerprint value list (e.g. your block list) the card joins.",
    )


class EarlyFraudWarningRaise(StrictModel):
    charge: str = Field(
        min_length=1, max_length=40, description="A succeeded card charge (ch_...)."
    )
    fraud_type: FraudType = "made_with_stolen_card"
