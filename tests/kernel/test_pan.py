"""Card numbers (PANs): the Luhn check, finding them in text, redacting them."""

from __future__ import annotations

from payments.kernel.pan import find_pans, luhn_valid, redact_pans


def test_luhn() -> None:
    assert luhn_valid("4242424242424242")
    assert not luhn_valid("4242424242424241")


def test_card_numbers_are_found_with_or_without_separators() -> None:
    text = "card 4242 4242 4242 4242 and 5555-5555-5555-4444 but not 1234567890123"
    assert find_pans(text) == ["4242424242424242", "5555555555554444"]


def test_redaction_keeps_only_the_last_four_digits() -> None:
    assert redact_pans("pan=4000002760003184.") == "pan=[PAN ****3184]."
    assert redact_pans("order 20261126 amount 1999") == "order 20261126 amount 1999"
