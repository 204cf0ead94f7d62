"""Reading SWIFT MT940 statements (pure: no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from payments.bank_statements.domain.camt import StatementRefused
from payments.bank_statements.domain.reader import read_statement
from payments.bank_statements.domain.statement import Direction, deduplication_keys

MT940 = (
    Path(__file__).parent.parent / "fixtures" / "bank_statements" / "mt940_2026-01-22.sta"
).read_bytes()


def test_a_german_mt940_statement_is_read() -> None:
    s = read_statement(MT940)
    assert (s.message, s.identifier) == ("mt940", "STARTUMSE/00016/001")
    assert s.account_iban == "DE89370400440532013000"  # from BLZ/Kontonummer
    assert (s.opening_balance, s.closing_balance) == (1_343_860, 1_357_010)
    turing, fee, cable = s.entries
    assert (turing.direction, turing.amount, turing.currency) == (Direction.CREDIT, 11900, "eur")
    assert turing.account_servicer_reference == "2026012200004711"
    assert turing.end_to_end_id == "TUR-0005"
    # the purpose, split over ?21 and ?22, joined again; the keywords are not part of it
    assert turing.remittance_information == "Rechnung DE1-2026-000005 Danke"
    assert (turing.debtor_name, turing.debtor_iban) == ("Alan Turing", "DE44500105175407324931")
    assert (fee.direction, fee.amount, fee.debtor_name) == (Direction.DEBIT, 1250, None)
    assert cable.account_servicer_reference is None
    assert cable.remittance_information == "Ueberweisung Kabel Linus Torvalds"
    keys = deduplication_keys(s)
    assert keys[:2] == ["ref:2026012200004711", "ref:2026012200004712"]
    assert keys[2].startswith("sha256:")


def test_a_reversal_of_a_debit_is_money_in_and_marked_as_reversal() -> None:
    data = MT940.replace(b":61:2601220122DR12,50", b":61:2601220122RDR12,50")
    fee = read_statement(data).entries[1]
    assert (fee.direction, fee.reversal) == (Direction.CREDIT, True)


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        (b":60F:C260121EUR13438,60", b":60F:C260121XEU13438,60", "bank_statement_currency_unknown"),
        (b":25:37040044/0532013000", b":25:0532013000", "bank_statement_invalid"),
        (b":61:2601220122CR119,00", b":61:2601220122CR119,001", "bank_statement_invalid"),
        (b":61:2601220122CR119,00", b":61:banana", "bank_statement_invalid"),
        (b":61:2601220122CR119,00", b":61:2613220122CR119,00", "bank_statement_invalid"),
        (b":60F:C260121EUR", b":60F:C261321EUR", "bank_statement_invalid"),
    ],
)
def test_mt940_refusals_name_the_file(old: bytes, new: bytes, code: str) -> None:
    with pytest.raises(StatementRefused) as refused:
        read_statement(MT940.replace(old, new))
    assert (refused.value.code, refused.value.param) == (code, "file")


def test_two_accounts_in_one_file_are_refused() -> None:
    other = MT940.replace(b"37040044/0532013000", b"DE02120300000000202051")
    with pytest.raises(StatementRefused, match="2 accounts"):
        read_statement(MT940 + other)


def test_several_days_of_one_account_are_one_statement() -> None:
    second = MT940.replace(b"00016/001", b"00017/001").replace(b"2026012200004711", b"X1")
    s = read_statement(MT940 + second)
    assert s.identifier == "STARTUMSE/00016/001..STARTUMSE/00017/001"
    assert len(s.entries) == 6
