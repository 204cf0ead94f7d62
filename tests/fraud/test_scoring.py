"""The score: signals with visible weights, capped at 99; Radar's levels; the decision."""

from __future__ import annotations

from decimal import Decimal

from payments.fraud.domain.decision import CompiledRule, decide
from payments.fraud.domain.facts import amount_eur_cents
from payments.fraud.domain.geoip import RangeTable
from payments.fraud.domain.model import RiskLevel, RuleAction
from payments.fraud.domain.rules import parse
from payments.fraud.domain.scoring import level_of, score


def test_a_quiet_payment_scores_zero_and_is_normal() -> None:
    result = score({"card_country": "DE", "shop_country": "DE", "declines_per_card_1h": 0})
    assert (result.score, result.level, result.reasons) == (0, RiskLevel.normal, ())


def test_every_signal_that_fires_is_a_reason_with_its_value_and_weight() -> None:
    result = score(
        {
            "declines_per_card_1h": 3,
            "card_country": "US",
            "shop_country": "DE",
            "cvc_check": "fail",
        }
    )
    reasons = {r.signal: (r.value, r.weight) for r in result.reasons}
    assert reasons == {
        "declines_per_card_1h": (3, 40),
        "card_country_not_shop_country": ("US/DE", 10),
        "cvc_check_failed": ("fail", 30),
    }
    assert result.score == 80 and result.level == RiskLevel.highest
    assert result.as_dict()["reasons"][0] == {
        "signal": "declines_per_card_1h",
        "value": 3,
        "weight": 40,
    }


def test_the_score_is_capped_at_99() -> None:
    result = score({"declines_per_card_1h": 9, "attempts_per_card_1m": 9, "disputes_for_card": 2})
    assert result.score == 99


def test_levels_follow_radars_bands() -> None:
    assert [level_of(s) for s in (0, 64, 65, 74, 75, 99)] == [
        RiskLevel.normal,
        RiskLevel.normal,
        RiskLevel.elevated,
        RiskLevel.elevated,
        RiskLevel.highest,
        RiskLevel.highest,
    ]


def test_stripes_radar_test_cards_get_their_level() -> None:
    assert score({"test_risk": "elevated"}).level == RiskLevel.elevated
    assert score({"test_risk": "highest"}).level == RiskLevel.highest
    assert score({"test_risk": "elevated"}).reasons[-1].signal == "test_card"


def test_a_first_purchase_with_a_high_amount_is_a_signal() -> None:
    result = score({"is_first_purchase": True, "amount_in_eur": Decimal("800.00")})
    assert [(r.signal, r.weight) for r in result.reasons] == [("first_purchase_high_amount", 20)]


def _rule(
    rule_id: str, action: RuleAction, predicate: str, location: str | None = None
) -> CompiledRule:
    return CompiledRule(rule_id, action, parse(predicate), location)


def test_rules_run_in_the_fixed_order_allow_block_review_3ds() -> None:
    facts = {"risk_level": "elevated", "customer_email": "vip@example.com", "risk_score": 70}
    result = score({"test_risk": "elevated"})
    rules = [
        _rule("r3ds", RuleAction.request_three_d_secure, ":risk_score: > 50"),
        _rule("rreview", RuleAction.review, ":risk_level: = 'elevated'"),
        _rule("rblock", RuleAction.block, ":risk_score: > 60"),
    ]
    decided = decide(result, facts, rules, {}, location_id="loc_1")
    assert decided.action == RuleAction.block and decided.rule and decided.rule.id == "rblock"
    assert decided.outcome["type"] == "blocked" and decided.outcome["rule"] == "rblock"
    assert "rblock" in decided.outcome["seller_message"]
    allow = _rule("rallow", RuleAction.allow, ":customer_email: = 'vip@example.com'")
    decided = decide(result, facts, [*rules, allow], {}, location_id="loc_1")
    assert decided.action == RuleAction.allow and decided.outcome["type"] == "authorized"


def test_a_shops_rule_applies_to_that_shop_only() -> None:
    rules = [_rule("r1", RuleAction.review, ":risk_score: >= 0", location="loc_a")]
    result = score({})
    facts = {"risk_score": 0}
    assert decide(result, facts, rules, {}, location_id="loc_a").action == RuleAction.review
    assert decide(result, facts, rules, {}, location_id="loc_b").action == RuleAction.allow


def test_amounts_are_compared_in_euro_cents_rounded_half_even() -> None:
    assert amount_eur_cents(1999, "eur") == 1999
    assert amount_eur_cents(108, "usd") == 100
    assert amount_eur_cents(1000, "jpy") is None  # no rate: no euro amount


def test_the_ip_country_table_reads_the_rir_format() -> None:
    table = RangeTable.from_delegated(
        [
            "2|ripencc|20260101|3|19830705|20260101|+0100",
            "ripencc|*|ipv4|*|2|summary",
            "ripencc|NL|ipv4|198.51.100.0|256|20260101|allocated",
            "ripencc|DE|ipv6|2001:db8::|32|20260101|allocated",
            "ripencc||ipv4|192.0.2.0|256|20260101|available",
        ]
    )
    assert table.country("198.51.100.77") == "NL"
    assert table.country("2001:db8::1") == "DE"
    assert table.country("192.0.2.1") is None
    assert table.country("not an ip") is None
    assert table.country(None) is None
