"""Reading camt.053 / camt.054 files (pure: no database)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from payments.bank_statements.domain.camt import StatementRefused, parse_statement
from payments.bank_statements.domain.statement import (
    Direction,
    StatementKind,
    deduplication_keys,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bank_statements"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_a_camt053_v08_statement_is_read_entry_by_entry() -> None:
    s = parse_statement(fixture("camt053_v08_2026-01-20.xml"))
    assert (s.message, s.kind, s.identifier) == (
        "camt.053.001.08",
        StatementKind.STATEMENT,
        "0532013000-2026-014",
    )
    assert s.account_iban == "DE89370400440532013000"
    assert (s.opening_balance, s.closing_balance) == (1_250_000, 1_320_060)
    assert s.skipped_entries == 1  # the pending one
    assert [e.amount for e in s.entries] == [11900, 23800, 5950, 11900, 10000, 7000, 490]
    first = s.entries[0]
    assert first.direction is Direction.CREDIT
    assert first.currency == "eur"
    assert first.booking_date == date(2026, 1, 20)
    assert first.account_servicer_reference == "2026012000001234"
    assert first.end_to_end_id == "ADA-2026-0117"
    assert first.creditor_reference == "RF03DE12026000001"
    assert (first.debtor_name, first.debtor_iban) == ("Ada Lovelace", "DE02120300000000202051")
    assert s.entries[1].end_to_end_id is None  # NOTPROVIDED
    assert s.entries[1].remittance_information == "Rechnung DE1 2026 000002 Laptop Reparatur"
    assert s.entries[-1].direction is Direction.DEBIT


def test_a_camt053_v02_collective_credit_becomes_one_entry_per_transfer() -> None:
    s = parse_statement(fixture("camt053_v02_2026-01-21.xml"))
    assert s.message == "camt.053.001.02"
    assert [(e.amount, e.debtor_name) for e in s.entries] == [
        (11900, "Grace Hopper"),
        (11900, "Unknown Payer GmbH"),
    ]
    assert deduplication_keys(s) == ["ref:2026012100000777/1", "ref:2026012100000777/2"]


def test_camt054_notifications_of_both_versions() -> None:
    v08 = parse_statement(fixture("camt054_v08_2026-01-20.xml"))
    assert (v08.message, v08.kind) == ("camt.054.001.08", StatementKind.NOTIFICATION)
    assert deduplication_keys(v08) == ["ref:2026012000001234"]  # as in the statement
    v02 = parse_statement(fixture("camt054_v02_no_reference.xml"))
    assert v02.message == "camt.054.001.02"
    keys = deduplication_keys(v02)
    # no account servicer reference: the hash, and which of two identical entries it is
    assert keys[0].startswith("sha256:") and keys[0].endswith("#1")
    assert keys[1] == keys[0][:-1] + "2"
    assert deduplication_keys(parse_statement(fixture("camt054_v02_no_reference.xml"))) == keys


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "bank_statement_invalid"),
        (b"%PDF-1.7 not xml", "bank_statement_invalid"),
        (b'{"json": true}', "bank_statement_invalid"),
        (
            b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
            "bank_statement_unsupported",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>',
            "bank_statement_unsupported",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'
            b"<BkToCstmrStmt/></Document>",
            "bank_statement_invalid",  # against its XSD: no GrpHdr, no Stmt
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]>'
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">&a;</Document>',
            "bank_statement_invalid",
        ),
    ],
)
def test_what_is_not_a_camt_file_is_refused_naming_the_file(data: bytes, code: str) -> None:
    with pytest.raises(StatementRefused) as refused:
        parse_statement(data)
    assert refused.value.code == code
    assert refused.value.param == "file"


def test_a_file_over_the_limit_is_refused_before_it_is_parsed() -> None:
    data = fixture("camt053_v08_2026-01-20.xml")
    with pytest.raises(StatementRefused) as refused:
        parse_statement(data, max_bytes=len(data) - 1)
    assert refused.value.code == "file_too_large"
    assert parse_statement(data, max_bytes=len(data)).identifier  # at the limit: read


def test_an_unknown_currency_is_refused_naming_where() -> None:
    data = fixture("camt053_v08_2026-01-20.xml").replace(
        b'<Amt Ccy="EUR">238.00</Amt>\n        <CdtDbtInd>CRDT',
        b'<Amt Ccy="XEU">238.00</Amt>\n        <CdtDbtInd>CRDT',
    )
    with pytest.raises(StatementRefused) as refused:
        parse_statement(data)
    assert refused.value.code == "bank_statement_currency_unknown"
    assert "XEU" in refused.value.message and "Ntry[2]/Amt" in refused.value.message


def test_an_amount_finer_than_the_currency_is_refused() -> None:
    # the XSD allows 5 decimals; EUR has 2
    data = fixture("camt053_v08_2026-01-20.xml").replace(b">238.00<", b">238.005<", 1)
    with pytest.raises(StatementRefused, match="more decimals"):
        parse_statement(data)


def test_a_file_with_two_accounts_statements_is_refused() -> None:
    data = fixture("camt053_v08_2026-01-20.xml")
    start, end = data.index(b"<Stmt>"), data.index(b"</Stmt>") + len(b"</Stmt>")
    doubled = data[:end] + data[start:end] + data[end:]
    with pytest.raises(StatementRefused, match="2 account statements"):
        parse_statement(doubled)
