"""The rule language: parsed by Lark into an AST, evaluated without eval, errors at a column."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payments.fraud.domain.rules import RuleSyntaxError, matches, matches_everything, parse

FACTS = {
    "amount_in_eur": Decimal("1200.00"),
    "card_country": "US",
    "shop_country": "DE",
    "risk_level": "elevated",
    "card_fingerprint": "fp_stolen",
    "customer_email": "mallory@example.com",
    "declines_per_card_1h": 4,
    "is_first_purchase": True,
}
LISTS = {"blocked_cards": frozenset({"fp_stolen"}), "trusted": frozenset({"alice@example.com"})}


@pytest.mark.parametrize(
    ("predicate", "expected"),
    [
        (":amount_in_eur: > 1000 and :card_country: != :shop_country:", True),
        (":amount_in_eur: > 1200", False),
        (":amount_in_eur: >= 1200", True),
        (":risk_level: = 'elevated'", True),
        (':risk_level: = "ELEVATED"', True),  # strings compare case-insensitively
        (":card_fingerprint: in @blocked_cards", True),
        (":customer_email: in @trusted", False),
        (":customer_email: not in @trusted", True),
        ("not :customer_email: in @trusted and :declines_per_card_1h: >= 3", True),
        (":card_country: in ('RU', 'US')", True),
        (":card_country: in ('RU', 'NG')", False),
        (":is_first_purchase: and (:amount: > 5 or :card_country: = 'US')", True),
        (":ip_country: != 'DE'", False),  # a missing attribute never matches
        (":ip_country: = 'DE' or :declines_per_card_1h: < 5", True),
        ("false or :risk_level: = 'elevated'", True),
    ],
)
def test_predicates_evaluate_against_the_facts(predicate: str, expected: bool) -> None:
    assert matches(parse(predicate), FACTS, LISTS) is expected


@pytest.mark.parametrize(
    ("predicate", "column", "words"),
    [
        (":amount: > ", 12, "ends too early"),
        (":bogus: = 1", 1, "Unknown attribute :bogus:"),
        (":amount: = 'x'", 10, "Cannot compare a number with a string"),
        (":amount: > 5 andd :risk_score: < 3", 14, "Unexpected"),
        (":card_country: < 'DE'", 16, "compares numbers only"),
        (":card_country:", 1, "is not true or false"),
        ("(:amount: > 5", 14, "ends too early"),
        ("", 1, "empty"),
        (":amount: > 5 $", 14, "Unexpected character '$'"),
    ],
)
def test_errors_point_at_the_column(predicate: str, column: int, words: str) -> None:
    with pytest.raises(RuleSyntaxError) as caught:
        parse(predicate)
    assert caught.value.column == column
    assert words in str(caught.value)
    assert f"column {column}" in str(caught.value)


def test_no_python_is_ever_evaluated() -> None:
    with pytest.raises(RuleSyntaxError):
        parse("__import__('os').system('true')")
    with pytest.raises(RuleSyntaxError):
        parse(":amount:.__class__ = 1")


@pytest.mark.parametrize(
    ("predicate", "everything"),
    [
        ("true", True),
        (":amount: >= 0", True),
        ("not false", True),
        (":risk_level: = 'highest'", False),
        (":card_fingerprint: in @blocked_cards", False),
        (":amount_in_eur: > 1000", False),
    ],
)
def test_a_predicate_matching_every_payment_is_recognised(predicate: str, everything: bool) -> None:
    assert matches_everything(parse(predicate)) is everything


def test_the_predicate_knows_the_lists_it_names_and_where() -> None:
    predicate = parse(":card_fingerprint: in @blocked_cards or :customer_email: in @trusted")
    assert [(ref.alias, ref.column) for ref in predicate.lists] == [
        ("blocked_cards", 23),
        ("trusted", 61),
    ]
