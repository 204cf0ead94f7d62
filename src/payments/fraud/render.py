"""The Stripe-shaped JSON of fraud objects: rules, value lists (``radar.value_list``),
their items (``radar.value_list_item``), reviews (``review``) and early fraud warnings
(``radar.early_fraud_warning``)."""

from __future__ import annotations

from typing import Any

from payments.fraud.domain.model import (
    EarlyFraudWarning,
    Review,
    Rule,
    ValueList,
    ValueListItem,
)
from payments.kernel.clock import to_unix


def rule_object(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "object": "fraud.rule",
        "action": rule.action.value,
        "predicate": rule.predicate,
        "location": rule.location_id,
        "enabled": rule.enabled,
        "description": rule.description,
        "created": to_unix(rule.created),
        "updated": to_unix(rule.updated),
        "livemode": rule.livemode,
    }


def value_list_item_object(item: ValueListItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "object": "radar.value_list_item",
        "value": item.value,
        "value_list": item.value_list_id,
        "created": to_unix(item.created),
        "created_by": item.created_by,
        "livemode": item.livemode,
    }


def value_list_object(vl: ValueList, items: list[ValueListItem], has_more: bool) -> dict[str, Any]:
    return {
        "id": vl.id,
        "object": "radar.value_list",
        "alias": vl.alias,
        "name": vl.name,
        "item_type": vl.item_type.value,
        "list_items": {
            "object": "list",
            "data": [value_list_item_object(i) for i in items],
            "has_more": has_more,
            "url": f"/v1/fraud/value_list_items?value_list={vl.id}",
        },
        "created": to_unix(vl.created),
        "created_by": vl.created_by,
        "metadata": vl.metadata,
        "livemode": vl.livemode,
    }


def review_object(review: Review) -> dict[str, Any]:
    return {
        "id": review.id,
        "object": "review",
        "charge": review.charge_id,
        "payment_intent": review.payment_intent_id,
        "location": review.location_id,
        "open": review.open,
        "opened_reason": review.opened_reason,
        "reason": review.reason,
        "closed_reason": review.closed_reason.value if review.closed_reason else None,
        "rule": review.rule_id,
        "risk_level": review.risk_level,
        "risk_score": review.risk_score,
        "ip_address": review.ip_address,
        "expires_at": to_unix(review.expires_at),
        "closed_at": to_unix(review.closed_at) if review.closed_at else None,
        "created": to_unix(review.created),
        "livemode": review.livemode,
    }


def early_fraud_warning_object(warning: EarlyFraudWarning) -> dict[str, Any]:
    return {
        "id": warning.id,
        "object": "radar.early_fraud_warning",
        "actionable": warning.actionable,
        "charge": warning.charge_id,
        "created": to_unix(warning.created),
        "fraud_type": warning.fraud_type,
        "livemode": warning.livemode,
        "payment_intent": warning.payment_intent_id,
    }
