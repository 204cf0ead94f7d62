"""The DATEV export: the journal as an EXTF "Buchungsstapel" (format 700, category 21,
version 13) that German accountants import into DATEV (pure).

A DATEV booking line moves one amount from a debit account (``Konto``, ``S``) to a
credit account (``Gegenkonto``); a journal transaction of ours may have more than two
entries, so each is split into lines by pairing its debits with its credits in entry
order (:func:`booking_lines`); every line keeps the source object's id in
``Belegfeld 1`` (``_`` written as ``-``, which that field requires: ``ch-01J...``) and
the transaction's kind and id in ``Buchungstext``, so each is traceable to what caused
it. Memo accounts (authorizations) are off-balance and left out.

Accounts are mapped to the standard charts SKR03 or SKR04 (:data:`CHARTS`); sales and
VAT by their VAT group (``DE:S:19`` -> revenue 19 %, output VAT 19 %, ``AE`` -> § 13b
revenue, ...). Any mapping can be overridden (setting ``datev_accounts``): by account
(``"bank": "1210"``) or by account and VAT category and rate (``"sales:S:19": "8400"``).
These defaults are a starting point to agree with the tax advisor, not advice.

Only the first 14 columns of the format are written (amount, debit/credit, currency,
rate, base amount, base currency, account, contra account, BU key, document date,
document fields 1 and 2, discount, text); DATEV treats the omitted ones as empty. The
file is Windows-1252, ``;``-separated with CRLF line ends, amounts with a decimal comma.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from payments.kernel.money import exponent

FORMAT_VERSION: Final = 700
CATEGORY: Final = 21
FORMAT_NAME: Final = "Buchungsstapel"
CATEGORY_VERSION: Final = 13
ACCOUNT_LENGTH: Final = 4

COLUMNS: Final = (
    "Umsatz (ohne Soll/Haben-Kz)",
    "Soll/Haben-Kennzeichen",
    "WKZ Umsatz",
    "Kurs",
    "Basis-Umsatz",
    "WKZ Basis-Umsatz",
    "Konto",
    "Gegenkonto (ohne BU-Schlüssel)",
    "BU-Schlüssel",
    "Belegdatum",
    "Belegfeld 1",
    "Belegfeld 2",
    "Skonto",
    "Buchungstext",
)

MEMO_ACCOUNTS: Final = frozenset({"customer_funds_authorized", "authorizations"})

_SKR03: Final[Mapping[str, str]] = {
    "bank": "1200",
    "gateway_receivable": "1360",
    "disputes": "1590",
    "accounts_receivable": "1400",
    "suspense": "1590",
    "revenue_clearing": "1710",
    "refunds_payable": "1700",
    "customer_credit": "1700",
    "customer_advances": "1718",  # erhaltene, versteuerte Anzahlungen 19 % USt
    "retained_earnings": "0860",
    "gateway_fees": "4970",
    "chargeback_losses": "2400",
    "sales": "8400",
    "sales:S:19": "8400",
    "sales:S:7": "8300",
    "sales:AE:0": "8337",
    "sales:K:0": "8125",
    "sales:G:0": "8120",
    "sales:E:0": "8100",
    "sales:O:0": "8338",
    "sales:Z:0": "8100",
    "vat_payable": "1770",
    "vat_payable:S:19": "1776",
    "vat_payable:S:7": "1771",
}
_SKR04: Final[Mapping[str, str]] = {
    "bank": "1800",
    "gateway_receivable": "1460",
    "disputes": "1370",
    "accounts_receivable": "1200",
    "suspense": "1370",
    "revenue_clearing": "3250",
    "refunds_payable": "3500",
    "customer_credit": "3500",
    "customer_advances": "3272",  # erhaltene, versteuerte Anzahlungen 19 % USt
    "retained_earnings": "2970",
    "gateway_fees": "6855",
    "chargeback_losses": "6930",
    "sales": "4400",
    "sales:S:19": "4400",
    "sales:S:7": "4300",
    "sales:AE:0": "4337",
    "sales:K:0": "4125",
    "sales:G:0": "4120",
    "sales:E:0": "4100",
    "sales:O:0": "4338",
    "sales:Z:0": "4100",
    "vat_payable": "3800",
    "vat_payable:S:19": "3806",
    "vat_payable:S:7": "3801",
}
CHARTS: Final[Mapping[str, Mapping[str, str]]] = {"skr03": _SKR03, "skr04": _SKR04}


class UnmappedAccount(ValueError):
    pass


def account_code(
    account: str, dimension: str | None, *, chart: str, overrides: Mapping[str, str]
) -> str:
    """The DATEV account of a ledger account (and, for sales and VAT, its VAT group)."""
    keys = [account]
    if dimension and account in ("sales", "vat_payable") and dimension.count(":") == 2:
        _, category, rate = dimension.split(":")
        keys.insert(0, f"{account}:{category}:{rate}")
    for key in keys:
        if key in overrides:
            return overrides[key]
    for key in keys:
        if key in CHARTS[chart]:
            return CHARTS[chart][key]
    raise UnmappedAccount(f"no DATEV account for {account!r} in {chart}")


@dataclass(frozen=True, slots=True)
class DatevOptions:
    chart: str = "skr03"
    overrides: Mapping[str, str] = field(default_factory=dict)
    consultant: int = 1001
    client: int = 1
    fiscal_year_start_month: int = 1

    def fiscal_year_start(self, on: date) -> date:
        year = on.year if on.month >= self.fiscal_year_start_month else on.year - 1
        return date(year, self.fiscal_year_start_month, 1)


def document_field(object_id: str) -> str:
    """An object id as ``Belegfeld 1`` allows it (letters, digits, ``$&%*+-/``; at most
    36): ``ch_01J...`` -> ``ch-01J...`` (no prefix has a ``-``: the id is recoverable)."""
    return object_id.replace("_", "-")[:36]


@dataclass(frozen=True, slots=True)
class JournalEntry:
    transaction_id: str
    created: datetime
    kind: str
    source_id: str
    account: str
    dimension: str | None
    currency: str
    amount: int  # signed: debit > 0


@dataclass(frozen=True, slots=True)
class BookingLine:
    amount: int
    currency: str
    debit: str
    credit: str
    day: date
    source_id: str
    text: str


def booking_lines(
    entries: Sequence[JournalEntry], *, chart: str, overrides: Mapping[str, str]
) -> list[BookingLine]:
    """One journal transaction's entries (one currency each pairing) as DATEV lines."""
    out: list[BookingLine] = []
    by_currency: dict[str, list[JournalEntry]] = {}
    for e in entries:
        if e.account not in MEMO_ACCOUNTS and e.amount:
            by_currency.setdefault(e.currency, []).append(e)
    for currency, items in by_currency.items():
        debits = [e for e in items if e.amount > 0]
        credits = [e for e in items if e.amount < 0]
        owed = [e.amount for e in debits]  # what is left of each to pair
        owing = [-e.amount for e in credits]
        if sum(owed) != sum(owing):
            raise ValueError(f"transaction {items[0].transaction_id} does not balance")
        i = j = 0
        while i < len(debits) and j < len(credits):
            amount = min(owed[i], owing[j])
            d, c = debits[i], credits[j]
            out.append(
                BookingLine(
                    amount=amount,
                    currency=currency,
                    debit=account_code(d.account, d.dimension, chart=chart, overrides=overrides),
                    credit=account_code(c.account, c.dimension, chart=chart, overrides=overrides),
                    day=d.created.date(),
                    source_id=d.source_id,
                    text=f"{d.kind} {d.transaction_id}",
                )
            )
            owed[i] -= amount
            owing[j] -= amount
            if owed[i] == 0:
                i += 1
            if owing[j] == 0:
                j += 1
    return out


def _text(value: str, limit: int) -> str:
    return '"' + value[:limit].replace('"', '""') + '"'


def _amount(minor: int, currency: str) -> str:
    places = exponent(currency)
    return f"{Decimal(minor).scaleb(-places):.{places}f}".replace(".", ",")


def header_line(
    *,
    created: datetime,
    consultant: int,
    client: int,
    fiscal_year_start: date,
    start: date,
    end: date,
    chart: str,
    currency: str,
    title: str,
) -> str:
    fields = [
        '"EXTF"',
        str(FORMAT_VERSION),
        str(CATEGORY),
        _text(FORMAT_NAME, 40),
        str(CATEGORY_VERSION),
        created.strftime("%Y%m%d%H%M%S") + f"{created.microsecond // 1000:03d}",
        "",
        '"RE"',
        '""',
        '""',
        str(consultant),
        str(client),
        fiscal_year_start.strftime("%Y%m%d"),
        str(ACCOUNT_LENGTH),
        start.strftime("%Y%m%d"),
        end.strftime("%Y%m%d"),
        _text(title, 30),
        '""',
        "1",  # Buchungstyp: Finanzbuchführung
        "0",  # Rechnungslegungszweck: unabhängig
        "0",  # Festschreibung: none
        _text(currency.upper(), 3),
        "",
        '""',
        "",
        "",
        _text(chart[-2:], 2),  # "03" or "04"
        "",
        "",
        '""',
        '""',
    ]
    return ";".join(fields)


def column_line() -> str:
    return ";".join(_text(c, 60) for c in COLUMNS)


def format_line(line: BookingLine) -> str:
    return ";".join(
        [
            _amount(line.amount, line.currency),
            '"S"',
            _text(line.currency.upper(), 3),
            "",
            "",
            '""',
            line.debit,
            line.credit,
            '""',
            line.day.strftime("%d%m"),
            _text(document_field(line.source_id), 36),
            '""',
            "",
            _text(line.text, 60),
        ]
    )
