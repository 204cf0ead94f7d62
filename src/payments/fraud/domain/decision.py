"""What happens to a payment: the score, then the rules in their fixed order.

Rules are tried by action: every ``allow`` rule first (a match lets the payment through
whatever follows), then ``block``, ``review`` and ``request_three_d_secure``; the first
match decides. A shop's rules apply to its payments only, global rules to all. The
outcome is Stripe's ``charge.outcome`` with a seller message a shop manager can read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from payments.fraud.domain.model import ACTION_ORDER, OutcomeType, RuleAction
from payments.fraud.domain.rules import Lists, Predicate, matches
from payments.fraud.domain.scoring import Score


@dataclass(frozen=True, slots=True)
class CompiledRule:
    id: str
    action: RuleAction
    predicate: Predicate
    location_id: str | None = None

    def applies_to(self, location_id: str) -> bool:
        return self.location_id is None or self.location_id == location_id


@dataclass(frozen=True, slots=True)
class Decision:
    action: RuleAction
    rule: CompiledRule | None
    outcome: dict[str, Any]


def _top_reasons(score: Score, n: int = 3) -> str:
    top = sorted(score.reasons, key=lambda r: -r.weight)[:n]
    return ", ".join(f"{r.signal} ({r.value}, +{r.weight})" for r in top) or "no risk signal"


def _outcome(
    kind: OutcomeType,
    score: Score,
    *,
    reason: str | None,
    rule: CompiledRule | None,
    message: str,
) -> dict[str, Any]:
    return {
        "type": kind.value,
        "network_status": "not_sent_to_network"
        if kind == OutcomeType.blocked
        else "approved_by_network",
        "reason": reason,
        "risk_level": score.level.value,
        "risk_score": score.score,
        "rule": rule.id if rule else None,
        "seller_message": message,
    }


def first_match(
    rules: Iterable[CompiledRule], facts: Mapping[str, Any], lists: Lists, location_id: str
) -> CompiledRule | None:
    ordered = sorted(rules, key=lambda r: ACTION_ORDER.index(r.action))
    for rule in ordered:
        if rule.applies_to(location_id) and matches(rule.predicate, facts, lists):
            return rule
    return None


def decide(
    score: Score,
    facts: Mapping[str, Any],
    rules: Sequence[CompiledRule],
    lists: Lists,
    *,
    location_id: str,
) -> Decision:
    """The action and Stripe outcome for a payment with these ``facts`` (which include
    ``risk_score`` and ``risk_level``)."""
    why = _top_reasons(score)
    if facts.get("test_risk") == "blocked":  # Stripe's 4100 0000 0000 0019: always blocked
        message = f"Blocked: a card the gateway always blocks (risk {score.score}: {why})."
        return Decision(
            RuleAction.block,
            None,
            _outcome(
                OutcomeType.blocked, score, reason="highest_risk_level", rule=None, message=message
            ),
        )
    rule = first_match(rules, facts, lists, location_id)
    if rule is None:
        return Decision(
            RuleAction.allow,
            None,
            _outcome(
                OutcomeType.authorized, score, reason=None, rule=None, message="Payment complete."
            ),
        )
    said = f"rule {rule.id} ({rule.action.value} if {rule.predicate.source})"
    match rule.action:
        case RuleAction.block:
            kind, message = OutcomeType.blocked, f"Blocked by {said}; risk {score.score}: {why}."
        case RuleAction.review:
            kind = OutcomeType.manual_review
            message = f"Held for review by {said}; risk {score.score}: {why}."
        case RuleAction.request_three_d_secure:
            kind = OutcomeType.authorized
            message = f"3-D Secure requested by {said}; risk {score.score}: {why}."
        case _:
            kind, message = OutcomeType.authorized, f"Allowed by {said}."
    return Decision(
        rule.action, rule, _outcome(kind, score, reason="rule", rule=rule, message=message)
    )
