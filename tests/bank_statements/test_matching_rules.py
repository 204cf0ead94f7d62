"""The matching rules (pure): which open invoice a credit pays, and when none is sure."""

from __future__ import annotations

from payments.bank_statements.domain.matching import (
    Credit,
    MatchMethod,
    OpenInvoice,
    creditor_references,
    match_credit,
    name_score,
)
from payments.invoices.domain.reference import creditor_reference


def inv(n: int, amount: int, name: str, currency: str = "eur") -> OpenInvoice:
    number = f"DE1-2026-{n:06d}"
    return OpenInvoice(
        id=f"in_{n}",
        number=number,
        payment_reference=creditor_reference(number),
        currency=currency,
        amount_remaining=amount,
        customer_name=name,
    )


def credit(
    amount: int, text: str | None = None, ref: str | None = None, name: str | None = None
) -> Credit:
    return Credit(
        amount=amount,
        currency="eur",
        remittance_information=text,
        creditor_reference=ref,
        debtor_name=name,
    )


OPEN = [
    inv(1, 11900, "Ada Lovelace"),
    inv(2, 23800, "Charles Babbage"),
    inv(12, 5950, "Grace Hopper"),
]


def test_the_structured_creditor_reference_decides_whatever_the_amount() -> None:
    d = match_credit(credit(100, ref="RF03DE12026000001", name="Someone Else"), OPEN)
    assert (d.invoice_id, d.method, d.score) == ("in_1", MatchMethod.CREDITOR_REFERENCE, 100)


def test_a_reference_typed_in_the_text_with_spaces_counts() -> None:
    assert creditor_references(credit(1, text="Zahlung rf03 de12 0260 0000 1 danke")) == [
        "RF03DE12026000001"
    ]
    d = match_credit(credit(11900, text="RF03 DE12 0260 0000 1"), OPEN)
    assert d.invoice_id == "in_1"


def test_an_invalid_reference_is_not_one() -> None:
    assert creditor_references(credit(1, ref="RF04DE12026000001")) == []  # check digits


def test_the_invoice_number_in_the_text_however_it_is_separated() -> None:
    for text in ("Rechnung DE1-2026-000002", "re de1 2026 000002", "DE1/2026/000002."):
        d = match_credit(credit(1000, text=text), OPEN)
        assert (d.invoice_id, d.method) == ("in_2", MatchMethod.INVOICE_NUMBER), text


def test_a_longer_number_is_not_the_invoice_number() -> None:
    d = match_credit(credit(5950, text="DE1-2026-0000012"), OPEN)
    assert d.method is not MatchMethod.INVOICE_NUMBER  # 000001 is not 0000012
    # the amount alone (no payer name) is a candidate, never a match
    assert d.invoice_id is None
    assert [c.invoice_id for c in d.candidates] == ["in_12"]


def test_two_invoice_numbers_in_one_text_is_ambiguous() -> None:
    d = match_credit(credit(35700, text="DE1-2026-000001 und DE1-2026-000002"), OPEN)
    assert d.invoice_id is None
    assert {c.invoice_id for c in d.candidates} == {"in_1", "in_2"}


def test_exact_amount_and_the_same_name_in_another_order() -> None:
    assert name_score("HOPPER, GRACE", "Grace Hopper") == 100
    assert name_score("Grâce Höpper", "Grace Hopper") == 100
    d = match_credit(credit(5950, text="Danke", name="HOPPER, GRACE"), OPEN)
    assert (d.invoice_id, d.method, d.score) == ("in_12", MatchMethod.AMOUNT_AND_NAME, 100)


def test_exact_amount_with_another_name_is_only_a_candidate() -> None:
    d = match_credit(credit(5950, name="Alan Turing"), OPEN)
    assert d.invoice_id is None
    assert [(c.invoice_id, c.score < 85) for c in d.candidates] == [("in_12", True)]


def test_two_confident_candidates_leave_it_to_a_person() -> None:
    twice = [*OPEN, inv(4, 11900, "Alan Turing"), inv(5, 11900, "Alan Turing")]
    d = match_credit(credit(11900, text="Reparatur", name="Alan Turing"), twice)
    assert d.invoice_id is None
    assert {c.invoice_id for c in d.candidates if c.score == 100} == {"in_4", "in_5"}


def test_other_currencies_and_settled_invoices_are_never_candidates() -> None:
    others = [inv(1, 11900, "Ada Lovelace", currency="chf"), inv(2, 0, "Ada Lovelace")]
    d = match_credit(credit(11900, ref="RF03DE12026000001", name="Ada Lovelace"), others)
    assert d.invoice_id is None and d.candidates == ()
