"""Reading SWIFT MT940 customer statements (the text format many banks still offer
beside camt.053), into the same :class:`Statement` as camt files.

Fields read: ``:20:`` (the bank's reference), ``:25:`` (the account: an IBAN, or German
``BLZ/account number``, turned into its IBAN), ``:28C:`` (statement number),
``:60F:/:60M:`` and ``:62F:/:62M:`` (opening and closing balance, their currency),
``:61:`` (one movement: value date, optional booking date, ``C``/``D``/``RC``/``RD``,
amount with a decimal comma, transaction type, the customer's reference and, after
``//``, the bank's reference = the account servicer reference) and ``:86:`` (the
information for the account owner: German banks' structured ``?NN`` subfields, the
SEPA keywords ``EREF+``, ``SVWZ+``, or free text). A file may hold several statements
(days) of one account: they are read as one. ``RC``/``RD`` are reversals.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from payments.bank_statements.domain.camt import StatementRefused
from payments.bank_statements.domain.statement import (
    Direction,
    Statement,
    StatementEntry,
    StatementKind,
)
from payments.kernel.money import MoneyError, exponent, normalize_currency

MESSAGE = "mt940"

_TAG = re.compile(r"^:(\d{2}[A-Z]?):", re.MULTILINE)
_LINE_61 = re.compile(
    r"^(?P<value>\d{6})(?P<booking>\d{4})?(?P<mark>RC|RD|C|D)(?P<funds>[A-Z])?"
    r"(?P<amount>\d{1,12},\d{0,3})(?P<type>[NSF][A-Z0-9]{3})(?P<customer>[^/\n]{0,16})"
    r"(?://(?P<bank>[^\n]{0,16}))?(?:\n(?P<extra>.*))?$",
    re.DOTALL,
)
_BALANCE = re.compile(
    r"^(?P<mark>[CD])(?P<date>\d{6})(?P<ccy>[A-Z]{3})(?P<amount>\d{1,15},\d{0,3})$"
)
_SUBFIELD = re.compile(r"\?(\d{2})")
_SEPA_KEYS = ("EREF+", "KREF+", "MREF+", "CRED+", "DEBT+", "SVWZ+", "ABWA+", "ABWE+")


def looks_like_mt940(data: bytes) -> bool:
    head = data[:4096].lstrip()
    return (head.startswith(b"{1:") or head.startswith(b":20:") or b"\n:20:" in head) and (
        b":25:" in head or b":61:" in data
    )


def _yymmdd(value: str) -> date:
    year = int(value[:2])
    return date(2000 + year if year < 80 else 1900 + year, int(value[2:4]), int(value[4:6]))


class _Reader:
    def __init__(self, param: str) -> None:
        self.param = param

    def refuse(self, message: str, code: str = "bank_statement_invalid") -> StatementRefused:
        return StatementRefused(message, code=code, param=self.param)

    def currency(self, code: str, where: str) -> str:
        try:
            return normalize_currency(code)
        except MoneyError:
            raise self.refuse(
                f"Unknown currency {code!r} at {where}: an ISO 4217 code in use is expected.",
                code="bank_statement_currency_unknown",
            ) from None

    def amount(self, text: str, currency: str, where: str) -> int:
        try:
            value = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise self.refuse(f"Invalid amount {text!r} at {where}.") from None
        minor = value.scaleb(exponent(currency))
        if minor != minor.to_integral_value():
            raise self.refuse(f"The amount {text} at {where} has more decimals than {currency}.")
        return int(minor)

    def account(self, value: str) -> str:
        compact = re.sub(r"\s", "", value).split("/")
        try:
            if len(compact) >= 2 and compact[0].isdigit() and len(compact[0]) == 8:
                return str(IBAN.generate("DE", bank_code=compact[0], account_code=compact[1]))
            return str(IBAN(compact[0]))
        except SchwiftyException:
            raise self.refuse(
                f"The statement's account {value!r} (:25:) is no IBAN; only IBAN accounts can "
                "be matched to invoices."
            ) from None


def _fields(block: str) -> list[tuple[str, str]]:
    marks = list(_TAG.finditer(block))
    return [
        (
            m.group(1),
            block[m.end() : marks[i + 1].start() if i + 1 < len(marks) else len(block)].strip(
                "\r\n"
            ),
        )
        for i, m in enumerate(marks)
    ]


def _details(text: str) -> dict[str, str | None]:
    """What a ``:86:`` says: remittance text, end-to-end id, payer name and IBAN."""
    flat = text.replace("\r", "").replace("\n", "")
    if _SUBFIELD.search(flat) and flat[:3].isdigit():  # German structured: 166?00...?20...
        parts = _SUBFIELD.split(flat)
        sub: dict[str, str] = {}
        for key, value in zip(parts[1::2], parts[2::2], strict=False):
            sub[key] = sub.get(key, "") + value
        purpose = "".join(sub.get(f"{n}", "") for n in [*range(20, 30), *range(60, 64)])
        name = (sub.get("32", "") + sub.get("33", "")).strip() or None
        iban = sub.get("31", "").strip() or None
    else:
        purpose, name, iban = flat, None, None
    end_to_end = None
    if any(k in purpose for k in _SEPA_KEYS):
        pieces = re.split(r"(EREF\+|KREF\+|MREF\+|CRED\+|DEBT\+|SVWZ\+|ABWA\+|ABWE\+)", purpose)
        keyed = dict(zip(pieces[1::2], (p.strip() for p in pieces[2::2]), strict=False))
        end_to_end = keyed.get("EREF+") or None
        if end_to_end == "NOTPROVIDED":
            end_to_end = None
        purpose = keyed.get("SVWZ+", "") or pieces[0]
        name = name or keyed.get("ABWA+") or None
    return {
        "remittance": " ".join(purpose.split()) or None,
        "end_to_end": end_to_end,
        "name": name,
        "iban": iban,
    }


def parse_mt940(data: bytes, *, param: str = "file") -> Statement:
    """The statement(s) of one account in an MT940 file, or :class:`StatementRefused`."""
    try:
        return _parse(data, _Reader(param))
    except ValueError as exc:  # a date that does not exist (991399)
        raise StatementRefused(
            f"The MT940 file has an invalid value: {exc}.", param=param
        ) from None


def _parse(data: bytes, reader: _Reader) -> Statement:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # ISO 8859-1 is MT940's usual character set
    text = text.replace("\r\n", "\n")
    # each statement is ":20:" to "-" (or the next ":20:"); SWIFT envelopes {1:..}{4: are dropped
    text = re.sub(r"\{[1235]:[^{}]*\}", "", text).replace("{4:", "")
    blocks = [b for b in re.split(r"(?m)^(?=:20:)", text) if b.strip().startswith(":20:")]
    if not blocks:
        raise reader.refuse("The MT940 file holds no statement (:20:).")
    accounts: set[str] = set()
    references: list[str] = []
    entries: list[StatementEntry] = []
    opening: int | None = None
    closing: int | None = None
    currency: str | None = None
    for block in blocks:
        fields = _fields(re.sub(r"\n-\s*$", "", block.rstrip()))
        tags = [t for t, _ in fields]
        if "25" not in tags or not any(t.startswith("60") for t in tags):
            raise reader.refuse("An MT940 statement needs :25: (account) and :60F: (balance).")
        pending: list[tuple[StatementEntry, str | None]] = []
        for tag, value in fields:
            if tag == "20":
                references.append(value.strip())
            elif tag == "28C":
                references[-1] += "/" + value.strip()
            elif tag == "25":
                accounts.add(reader.account(value.strip()))
            elif tag in ("60F", "60M", "62F", "62M"):
                match = _BALANCE.match(value.strip())
                if match is None:
                    raise reader.refuse(f"Invalid balance :{tag}:{value.strip()!r}.")
                _yymmdd(match["date"])  # a date that exists
                currency = reader.currency(match["ccy"], f":{tag}:")
                amount = reader.amount(match["amount"], currency, f":{tag}:")
                amount = -amount if match["mark"] == "D" else amount
                if tag == "60F" and opening is None:
                    opening = amount
                elif tag == "62F":
                    closing = amount
            elif tag == "61":
                if currency is None:
                    raise reader.refuse("A :61: line comes before the opening balance :60F:.")
                match = _LINE_61.match(value)
                if match is None:
                    raise reader.refuse(f"Invalid statement line :61:{value.splitlines()[0]!r}.")
                value_date = _yymmdd(match["value"])
                booking = value_date
                if match["booking"]:
                    booking = date(
                        value_date.year, int(match["booking"][:2]), int(match["booking"][2:])
                    )
                    if (booking - value_date).days > 180:  # booked in December, valued in January
                        booking = booking.replace(year=booking.year - 1)
                    elif (value_date - booking).days > 180:
                        booking = booking.replace(year=booking.year + 1)
                mark = match["mark"]
                direction = Direction.CREDIT if mark in ("C", "RD") else Direction.DEBIT
                bank_ref = (match["bank"] or "").strip()
                customer_ref = match["customer"].strip()
                entry = StatementEntry(
                    position=len(entries) + len(pending) + 1,
                    direction=direction,
                    amount=reader.amount(match["amount"], currency, ":61:"),
                    currency=currency,
                    booking_date=booking,
                    value_date=value_date,
                    account_servicer_reference=bank_ref
                    if bank_ref and bank_ref != "NONREF"
                    else None,
                    entry_reference=customer_ref
                    if customer_ref and customer_ref != "NONREF"
                    else None,
                    end_to_end_id=None,
                    remittance_information=None,
                    creditor_reference=None,
                    debtor_name=None,
                    debtor_iban=None,
                    reversal=mark.startswith("R"),
                )
                pending.append((entry, None))
            elif tag == "86" and pending:
                entry, _ = pending[-1]
                pending[-1] = (entry, value)
        for entry, info in pending:
            if info is None:
                entries.append(entry)
                continue
            details = _details(info)
            entries.append(
                StatementEntry(
                    position=entry.position,
                    direction=entry.direction,
                    amount=entry.amount,
                    currency=entry.currency,
                    booking_date=entry.booking_date,
                    value_date=entry.value_date,
                    account_servicer_reference=entry.account_servicer_reference,
                    entry_reference=entry.entry_reference,
                    end_to_end_id=details["end_to_end"],
                    remittance_information=details["remittance"],
                    creditor_reference=None,
                    debtor_name=details["name"] if entry.direction is Direction.CREDIT else None,
                    debtor_iban=details["iban"] if entry.direction is Direction.CREDIT else None,
                    reversal=entry.reversal,
                )
            )
    if len(accounts) != 1:
        raise reader.refuse(
            f"The file holds statements of {len(accounts)} accounts; import one account's "
            "statements per file."
        )
    identifier = references[0] if len(references) == 1 else f"{references[0]}..{references[-1]}"
    return Statement(
        message=MESSAGE,
        kind=StatementKind.STATEMENT,
        message_id=references[0][:64],
        identifier=identifier[:64],
        created_at=None,
        account_iban=accounts.pop(),
        account_currency=currency,
        period_start=None,
        period_end=None,
        opening_balance=opening,
        closing_balance=closing,
        electronic_sequence_number=None,
        entries=tuple(entries),
    )
