"""Reading ISO 20022 camt.053 (statement) and camt.054 (debit/credit notification) XML.

The file is parsed with lxml (no DTD, no entities, no network), recognised by its
namespace, validated against the official XSD of its version (shipped in
``payments/bank_statements/xsd/``), then read into a :class:`Statement`. Only booked
entries (status ``BOOK``, or no status) become entries; pending and information-only
ones are counted in ``skipped_entries``. A batch entry (one ``Ntry`` with several
``TxDtls``, e.g. a collective credit) becomes one entry per ``TxDtls``.

Refusals (:class:`StatementRefused`, a 400 naming ``param``, nothing written): not XML,
a DTD, not a supported camt message, invalid against its XSD, more than the size limit,
more than one account statement in the file, an unknown currency or an amount with more
decimals than its currency has.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files

from lxml import etree

from payments.bank_statements.domain.statement import (
    Direction,
    Statement,
    StatementEntry,
    StatementKind,
)
from payments.kernel.errors import InvalidRequest
from payments.kernel.money import MoneyError, exponent, normalize_currency

#: The messages read, by namespace: each one's XSD is ``xsd/<message>.xsd``.
SCHEMAS: tuple[str, ...] = (
    "camt.053.001.02",
    "camt.053.001.04",
    "camt.053.001.08",
    "camt.054.001.02",
    "camt.054.001.04",
    "camt.054.001.08",
)
NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:"

#: The default largest file accepted (``PAYMENTS_BANK_STATEMENT_MAX_BYTES``).
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

_BOOKED = ("BOOK", None)


class StatementRefused(InvalidRequest):
    default_code = "bank_statement_invalid"


@cache
def _schema(message: str) -> etree.XMLSchema:
    source = files("payments.bank_statements").joinpath("xsd", f"{message}.xsd")
    with source.open("rb") as handle:
        return etree.XMLSchema(etree.parse(handle, _parser()))


def _parser() -> etree.XMLParser:
    # no DTD, no entity expansion (billion laughs), no network, comments dropped;
    # huge_tree for 50 MB statements with long remittance texts
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        huge_tree=True,
    )


def parse_statement(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, param: str = "file"
) -> Statement:
    """The statement in a camt.053/camt.054 file, or :class:`StatementRefused`."""
    if len(data) > max_bytes:
        raise StatementRefused(
            f"The statement is {len(data)} bytes; at most {max_bytes} bytes are accepted "
            "(split it, or ask the bank for daily statements).",
            code="file_too_large",
            param=param,
        )
    if not data.strip():
        raise StatementRefused("The statement file is empty.", param=param)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise StatementRefused(
            f"The statement is not well-formed XML ({exc.msg}); a camt.053 or camt.054 "
            "file (or MT940 text) is expected.",
            param=param,
        ) from None
    tree = root.getroottree()
    if tree.docinfo.doctype:
        raise StatementRefused("A document type declaration (DTD) is not accepted.", param=param)
    namespace = etree.QName(root).namespace or ""
    message = namespace.removeprefix(NAMESPACE_PREFIX)
    if etree.QName(root).localname != "Document" or message not in SCHEMAS:
        supported = ", ".join(SCHEMAS)
        raise StatementRefused(
            f"The XML is not an ISO 20022 camt statement or notification (root "
            f"{etree.QName(root).localname!r} in namespace {namespace or 'none'!r}); "
            f"supported: {supported}, and MT940 text.",
            code="bank_statement_unsupported",
            param=param,
        )
    schema = _schema(message)
    if not schema.validate(root):
        error = schema.error_log.last_error
        where = f"line {error.line}: " if error is not None else ""
        text = error.message if error is not None else "invalid"
        raise StatementRefused(
            f"The {message} file does not conform to its ISO 20022 schema ({where}{text}).",
            param=param,
        )
    try:
        return _Reader(namespace, message, param).read(root)
    except ValueError as exc:  # a date or time the schema's pattern lets through
        raise StatementRefused(
            f"The {message} file has an invalid value: {exc}.", param=param
        ) from None


class _Reader:
    def __init__(self, namespace: str, message: str, param: str) -> None:
        self.ns = {"c": namespace}
        self.message = message
        self.param = param
        self.version = int(message.rsplit(".", 1)[1])

    # -- small helpers ---------------------------------------------------------------

    def _text(self, node: etree._Element, path: str) -> str | None:
        found = node.find(path, self.ns)
        if found is None or found.text is None:
            return None
        return found.text.strip() or None

    def _all(self, node: etree._Element, path: str) -> Iterator[etree._Element]:
        yield from node.iterfind(path, self.ns)

    def _currency(self, code: str | None, where: str) -> str:
        try:
            return normalize_currency(code or "")
        except MoneyError:
            raise StatementRefused(
                f"Unknown currency {code!r} at {where}: an ISO 4217 code in use is expected.",
                code="bank_statement_currency_unknown",
                param=self.param,
            ) from None

    def _amount(self, node: etree._Element | None, where: str) -> tuple[int, str]:
        """An ``Amt Ccy="EUR"`` element in minor units (exact; refused if it is not)."""
        if node is None or node.text is None:
            raise StatementRefused(f"Missing amount at {where}.", param=self.param)
        currency = self._currency(node.get("Ccy"), where)
        try:
            value = Decimal(node.text.strip())
        except InvalidOperation:
            raise StatementRefused(
                f"Invalid amount {node.text!r} at {where}.", param=self.param
            ) from None
        minor = value.scaleb(exponent(currency))
        if minor != minor.to_integral_value():
            raise StatementRefused(
                f"The amount {node.text.strip()} {currency.upper()} at {where} has more "
                "decimals than the currency's minor unit.",
                param=self.param,
            )
        return int(minor), currency

    def _date(self, node: etree._Element, path: str) -> date | None:
        """``<Dt>`` or ``<DtTm>`` under ``path`` (a date-time gives its date as written)."""
        day = self._text(node, f"{path}/c:Dt")
        if day:
            return date.fromisoformat(day[:10])
        moment = self._text(node, f"{path}/c:DtTm")
        return date.fromisoformat(moment[:10]) if moment else None

    def _datetime(self, node: etree._Element, path: str) -> datetime | None:
        value = self._text(node, path)
        if value is None:
            return None
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        # a time without offset is read as UTC (ISO 20022 leaves it to the bank)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    # -- the document ----------------------------------------------------------------

    def read(self, root: etree._Element) -> Statement:
        statement_kind = (
            StatementKind.STATEMENT
            if self.message.startswith("camt.053")
            else StatementKind.NOTIFICATION
        )
        envelope, item = (
            ("c:BkToCstmrStmt", "c:Stmt")
            if statement_kind is StatementKind.STATEMENT
            else ("c:BkToCstmrDbtCdtNtfctn", "c:Ntfctn")
        )
        body = root.find(envelope, self.ns)
        if body is None:  # the XSD requires it; kept for a clear error
            raise StatementRefused(f"No {envelope[2:]} in the file.", param=self.param)
        items = list(self._all(body, item))
        if len(items) != 1:
            raise StatementRefused(
                f"The file holds {len(items)} account statements; import one account's "
                "statement per file.",
                param=self.param,
            )
        stmt = items[0]
        iban = self._text(stmt, "c:Acct/c:Id/c:IBAN")
        if iban is None:
            raise StatementRefused(
                "The statement's account has no IBAN (Acct/Id/IBAN); only IBAN accounts "
                "can be matched to invoices.",
                param=self.param,
            )
        account_currency = self._text(stmt, "c:Acct/c:Ccy")
        entries: list[StatementEntry] = []
        skipped = 0
        for n, ntry in enumerate(self._all(stmt, "c:Ntry"), start=1):
            status = (
                self._text(ntry, "c:Sts/c:Cd") if self.version >= 5 else self._text(ntry, "c:Sts")
            )
            if status not in _BOOKED:
                skipped += 1
                continue
            entries.extend(self._entry(ntry, n, start=len(entries) + 1))
        opening, closing = self._balances(stmt)
        return Statement(
            message=self.message,
            kind=statement_kind,
            message_id=self._text(body, "c:GrpHdr/c:MsgId") or "",
            identifier=self._text(stmt, "c:Id") or "",
            created_at=self._datetime(stmt, "c:CreDtTm"),
            account_iban=iban.upper(),
            account_currency=(
                self._currency(account_currency, "Acct/Ccy") if account_currency else None
            ),
            period_start=self._datetime(stmt, "c:FrToDt/c:FrDtTm"),
            period_end=self._datetime(stmt, "c:FrToDt/c:ToDtTm"),
            opening_balance=opening,
            closing_balance=closing,
            electronic_sequence_number=self._text(stmt, "c:ElctrncSeqNb"),
            entries=tuple(entries),
            skipped_entries=skipped,
        )

    def _balances(self, stmt: etree._Element) -> tuple[int | None, int | None]:
        opening: int | None = None
        closing: int | None = None
        for bal in self._all(stmt, "c:Bal"):
            code = self._text(bal, "c:Tp/c:CdOrPrtry/c:Cd")
            amount, _ = self._amount(bal.find("c:Amt", self.ns), "Bal/Amt")
            if self._text(bal, "c:CdtDbtInd") == "DBIT":
                amount = -amount
            if code in ("OPBD", "PRCD") and opening is None:
                opening = amount
            elif code == "CLBD":
                closing = amount
        return opening, closing

    def _entry(self, ntry: etree._Element, n: int, *, start: int) -> list[StatementEntry]:
        where = f"Ntry[{n}]"
        amount, currency = self._amount(ntry.find("c:Amt", self.ns), f"{where}/Amt")
        direction = (
            Direction.CREDIT if self._text(ntry, "c:CdtDbtInd") == "CRDT" else Direction.DEBIT
        )
        reversal = (self._text(ntry, "c:RvslInd") or "").lower() in ("true", "1")
        booking = self._date(ntry, "c:BookgDt")
        value = self._date(ntry, "c:ValDt")
        entry_ref = self._text(ntry, "c:NtryRef")
        entry_acsr = self._text(ntry, "c:AcctSvcrRef")
        details = list(self._all(ntry, "c:NtryDtls/c:TxDtls"))
        batch = len(details) > 1
        base = StatementEntry(
            position=start,
            direction=direction,
            amount=amount,
            currency=currency,
            booking_date=booking,
            value_date=value,
            account_servicer_reference=entry_acsr,
            entry_reference=entry_ref,
            end_to_end_id=None,
            remittance_information=None,
            creditor_reference=None,
            debtor_name=None,
            debtor_iban=None,
            reversal=reversal,
        )
        if not details:
            return [base]
        out: list[StatementEntry] = []
        for i, tx in enumerate(details, start=1):
            tx_where = f"{where}/NtryDtls/TxDtls[{i}]"
            if batch:
                tx_amount_node = tx.find("c:AmtDtls/c:TxAmt/c:Amt", self.ns)
                if tx_amount_node is None:
                    tx_amount_node = tx.find("c:Amt", self.ns)
                tx_amount, tx_currency = self._amount(tx_amount_node, f"{tx_where}/Amt")
            else:
                tx_amount, tx_currency = amount, currency
            tx_acsr = self._text(tx, "c:Refs/c:AcctSvcrRef")
            end_to_end = self._text(tx, "c:Refs/c:EndToEndId")
            if end_to_end == "NOTPROVIDED":
                end_to_end = None
            lines = [(node.text or "").strip() for node in self._all(tx, "c:RmtInf/c:Ustrd")]
            remittance = " ".join(line for line in lines if line) or None
            creditor_ref = self._text(tx, "c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref")
            party = "c:RltdPties/c:Dbtr/c:Pty" if self.version >= 8 else "c:RltdPties/c:Dbtr"
            debtor_name = self._text(tx, f"{party}/c:Nm")
            if debtor_name is None and direction is Direction.CREDIT:
                debtor_name = self._text(
                    tx,
                    "c:RltdPties/c:UltmtDbtr/c:Pty/c:Nm"
                    if self.version >= 8
                    else "c:RltdPties/c:UltmtDbtr/c:Nm",
                )
            out.append(
                replace(
                    base,
                    position=start + i - 1,
                    amount=tx_amount,
                    currency=tx_currency,
                    account_servicer_reference=tx_acsr or entry_acsr,
                    end_to_end_id=end_to_end,
                    remittance_information=remittance,
                    creditor_reference=creditor_ref,
                    debtor_name=debtor_name,
                    debtor_iban=self._text(tx, "c:RltdPties/c:DbtrAcct/c:Id/c:IBAN"),
                    batch_part=i if batch and tx_acsr is None and entry_acsr else None,
                )
            )
        return out
