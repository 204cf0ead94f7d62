"""The risk score: signals with visible weights, summed and capped at 99.

Every signal is a plain function of the payment's attributes (the facts the service
gathered: velocity counts, history, countries, checks). Those that fire are the
``reasons`` stored on the charge, each with the value that made it fire and the points
it added, so any score can be explained line by line. Levels follow Radar's bands:
``elevated`` from 65, ``highest`` from 75.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from payments.fraud.domain.model import RiskLevel

ELEVATED_FROM = 65
HIGHEST_FROM = 75
MAX_SCORE = 99


@dataclass(frozen=True, slots=True)
class Reason:
    signal: str
    value: Any
    weight: int

    def as_dict(self) -> dict[str, Any]:
        value = self.value
        if isinstance(value, Decimal):
            value = str(value)
        return {"signal": self.signal, "value": value, "weight": self.weight}


@dataclass(frozen=True, slots=True)
class Score:
    score: int
    level: RiskLevel
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "level": self.level.value,
            "reasons": [r.as_dict() for r in self.reasons],
        }


def _num(facts: Mapping[str, Any], name: str) -> Decimal:
    value = facts.get(name)
    if value is None or isinstance(value, bool):
        return Decimal(0)
    return Decimal(str(value))


def _at_least(
    name: str, steps: tuple[tuple[int, int], ...]
) -> Callable[[Mapping[str, Any]], Reason | None]:
    """Fires at the highest threshold reached: ``steps`` = ((threshold, weight), ...)."""

    def signal(facts: Mapping[str, Any]) -> Reason | None:
        value = _num(facts, name)
        weight = max((w for threshold, w in steps if value >= threshold), default=0)
        return Reason(name, int(value), weight) if weight else None

    return signal


def _first_purchase_high_amount(facts: Mapping[str, Any]) -> Reason | None:
    eur = _num(facts, "amount_in_eur")
    if facts.get("is_first_purchase") is True and eur >= 500:
        return Reason("first_purchase_high_amount", str(eur), 20 if eur < 1500 else 30)
    return None


def _ratio(
    name: str, weight: int, *, needs: str | None = None
) -> Callable[[Mapping[str, Any]], Reason | None]:
    def signal(facts: Mapping[str, Any]) -> Reason | None:
        if needs is not None and _num(facts, needs) < 3:  # too little history to compare
            return None
        ratio = _num(facts, name)
        if ratio >= 5:
            return Reason(name, str(ratio.quantize(Decimal("0.1"))), weight)
        return None

    return signal


def _card_country_vs_shop(facts: Mapping[str, Any]) -> Reason | None:
    card, shop = facts.get("card_country"), facts.get("shop_country")
    if card and shop and card != shop:
        return Reason("card_country_not_shop_country", f"{card}/{shop}", 10)
    return None


def _ip_country_vs_card(facts: Mapping[str, Any]) -> Reason | None:
    ip, card, shop = facts.get("ip_country"), facts.get("card_country"), facts.get("shop_country")
    if ip and card and ip != card and ip != shop:
        return Reason("ip_country_not_card_country", f"{ip}/{card}", 15)
    return None


def _cvc_failed(facts: Mapping[str, Any]) -> Reason | None:
    if facts.get("cvc_check") == "fail":
        return Reason("cvc_check_failed", "fail", 30)
    return None


def _prepaid(facts: Mapping[str, Any]) -> Reason | None:
    if facts.get("card_funding") == "prepaid":
        return Reason("prepaid_card", "prepaid", 5)
    return None


SIGNALS: tuple[Callable[[Mapping[str, Any]], Reason | None], ...] = (
    _at_least("attempts_per_card_1m", ((3, 20), (5, 35))),
    _at_least("declines_per_card_1h", ((2, 25), (3, 40), (5, 60))),
    _at_least("declines_per_card_24h", ((5, 20),)),
    _at_least("attempts_per_ip_1h", ((10, 20), (30, 35))),
    _at_least("declines_per_ip_1h", ((3, 25), (10, 45))),
    _at_least("declines_per_customer_24h", ((3, 20),)),
    _at_least("declines_per_email_24h", ((3, 20),)),
    _at_least("declines_per_shop_1m", ((5, 20), (10, 35))),
    _at_least("cards_per_customer_24h", ((3, 20), (5, 35))),
    _at_least("cards_per_ip_24h", ((3, 20), (5, 35))),
    _at_least("cards_per_device_24h", ((3, 20), (5, 35))),
    _at_least("attempts_per_device_1h", ((10, 20), (30, 35))),
    _at_least("declines_per_device_1h", ((3, 25), (10, 45))),
    _at_least("three_ds_failures_per_card_24h", ((1, 25),)),
    _at_least("disputes_for_card", ((1, 45),)),
    _at_least("disputes_for_customer", ((1, 30),)),
    _at_least("early_fraud_warnings_for_card", ((1, 45),)),
    _at_least("early_fraud_warnings_for_customer", ((1, 30),)),
    _at_least("refunds_per_customer_30d", ((3, 20), (5, 35))),
    _first_purchase_high_amount,
    _ratio("amount_vs_customer_average", 15, needs="customer_charge_count"),
    _ratio("amount_vs_shop_average", 15),
    _card_country_vs_shop,
    _ip_country_vs_card,
    _cvc_failed,
    _prepaid,
)

# Stripe's Radar test cards (the simulator tells them): the score they always get
_TEST_SCORES = {"elevated": 68, "highest": 95, "blocked": 99}


def level_of(score: int) -> RiskLevel:
    if score >= HIGHEST_FROM:
        return RiskLevel.highest
    if score >= ELEVATED_FROM:
        return RiskLevel.elevated
    return RiskLevel.normal


def score(facts: Mapping[str, Any]) -> Score:
    """The score (0-99), its level, and every signal that contributed."""
    reasons = [r for signal in SIGNALS if (r := signal(facts)) is not None]
    total = min(MAX_SCORE, sum(r.weight for r in reasons))
    test = facts.get("test_risk")
    if isinstance(test, str) and test in _TEST_SCORES and _TEST_SCORES[test] > total:
        reasons.append(Reason("test_card", test, _TEST_SCORES[test] - total))
        total = _TEST_SCORES[test]
    return Score(total, level_of(total), tuple(reasons))
