"""Matching a payout's balance transactions against our books (pure rules).

Each balance transaction of a payout is matched, by its ``reporting_category`` and the
reference our records know its source by, with what we booked for that object:

===================  =================================================================
category             what we expect (the balance effect we booked)
===================  =================================================================
charge               + the captured amount posted to ``gateway_receivable`` for the
                     charge (plus any over-payment), fee = its ``charge.fee`` posting
refund               - the refund's amount, once its ``refund.created`` is posted
refund_failure       + the refund's amount, the refund failed or canceled on our side
dispute              - the disputed amount (funds withdrawn posted), fee = the dispute's
                     ``charge.fee`` posting
dispute_reversal     + the disputed amount (funds reinstated posted)
payout               - the payout's amount (the payout's own line)
===================  =================================================================

Differences found (``code``): ``missing_in_ledger`` (the gateway moved money for
something we never booked), ``missing_at_gateway`` (we booked a movement no payout
contains), ``amount_mismatch``, ``fee_mismatch`` (a fee missing on one side, or
different), ``currency_mismatch``, ``duplicate_line`` (one movement twice: in this
payout or in one reconciled before) and ``payout_amount_mismatch`` (the payout's amount
is not the sum of its lines' nets).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from payments.gateways.protocol import BalanceTransaction, Payout


class Code(StrEnum):
    MISSING_IN_LEDGER = "missing_in_ledger"
    MISSING_AT_GATEWAY = "missing_at_gateway"
    AMOUNT_MISMATCH = "amount_mismatch"
    FEE_MISMATCH = "fee_mismatch"
    CURRENCY_MISMATCH = "currency_mismatch"
    DUPLICATE_LINE = "duplicate_line"
    PAYOUT_AMOUNT_MISMATCH = "payout_amount_mismatch"


class Status(StrEnum):
    RECONCILED = "reconciled"
    DISCREPANCIES = "discrepancies"


#: The reporting category of a movement -> the kind of our object it comes from.
OBJECTS: Final[Mapping[str, str]] = {
    "charge": "charge",
    "refund": "refund",
    "refund_failure": "refund",
    "dispute": "dispute",
    "dispute_reversal": "dispute",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Booked:
    """What we booked for one of our objects, as a movement of the gateway balance: the
    ``amount`` it should have moved (signed, None: nothing posted yet) and its ``fee``."""

    object: str  # charge | refund | dispute
    id: str  # our id (ch_..., re_..., dp_...)
    reference: str  # the gateway's reference of it
    currency: str
    amount: int | None
    fee: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Discrepancy:
    code: Code
    message: str
    currency: str
    balance_transaction: str | None = None
    source: str | None = None
    object: str | None = None
    object_id: str | None = None
    expected: int | None = None  # what our books say
    actual: int | None = None  # what the gateway says


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    """One balance transaction of the payout with what it was matched to."""

    transaction: BalanceTransaction
    object: str | None
    object_id: str | None
    expected_amount: int | None
    expected_fee: int | None
    codes: tuple[Code, ...]

    @property
    def matched(self) -> bool:
        return not self.codes


@dataclass(frozen=True, slots=True, kw_only=True)
class Totals:
    charges_count: int = 0
    charges_amount: int = 0
    refunds_count: int = 0
    refunds_amount: int = 0  # negative: money out
    disputes_count: int = 0
    disputes_amount: int = 0  # withdrawals less reinstatements, negative
    other_amount: int = 0
    fees_amount: int = 0
    lines_net: int = 0  # sum of every line's net but the payout's own


@dataclass(frozen=True, slots=True, kw_only=True)
class PayoutResult:
    payout: Payout
    lines: tuple[Line, ...]
    totals: Totals
    discrepancies: tuple[Discrepancy, ...] = field(default_factory=tuple)

    @property
    def status(self) -> Status:
        return Status.DISCREPANCIES if self.discrepancies else Status.RECONCILED

    @property
    def difference(self) -> int:
        """The payout's amount less the sum of its lines' nets (0 when they agree)."""
        return self.payout.amount - self.totals.lines_net


def key_of(txn: BalanceTransaction) -> tuple[str, str]:
    """What makes a movement one movement: its category and its source."""
    return txn.reporting_category, txn.source_reference or txn.source or txn.id


def _expected(txn: BalanceTransaction, booked: Booked | None, payout: Payout) -> Booked | None:
    """The balance effect our books expect for the line (None: we booked nothing)."""
    category = txn.reporting_category
    if category == "payout":
        return Booked(
            object="payout",
            id=payout.id,
            reference=payout.id,
            currency=payout.currency,
            amount=-payout.amount,
        )
    if booked is None or booked.amount is None:
        return None
    return booked


def match_payout(
    payout: Payout,
    transactions: Sequence[BalanceTransaction],
    booked: Mapping[tuple[str, str], Booked],
    *,
    seen_elsewhere: Collection[tuple[str, str]] = (),
) -> PayoutResult:
    """Match a payout's lines with what we booked (``booked`` by :func:`key_of`).

    ``seen_elsewhere``: movements already contained in other payouts (a line repeating
    one is a duplicate)."""
    lines: list[Line] = []
    found: list[Discrepancy] = []
    seen: set[tuple[str, str]] = set()
    t = _Tally()
    for txn in transactions:
        key = key_of(txn)
        expected = _expected(txn, booked.get(key), payout)
        if key in seen or (txn.reporting_category != "payout" and key in seen_elsewhere):
            here = [
                _found(
                    Code.DUPLICATE_LINE,
                    f"{key[0]} {key[1]} appears more than once in the gateway's payouts",
                    txn,
                    expected,
                    None,
                    txn.net,
                )
            ]
            t.add(txn, counted=False)
        else:
            seen.add(key)
            t.add(txn, counted=True)
            here = _compare(txn, key, expected)
        found += here
        lines.append(_line(txn, expected, [d.code for d in here]))
    totals = t.totals()
    own = [txn for txn in transactions if txn.reporting_category == "payout"]
    if totals.lines_net != payout.amount:
        found.append(
            Discrepancy(
                code=Code.PAYOUT_AMOUNT_MISMATCH,
                message=(
                    f"payout {payout.id} of {payout.amount} but its lines net "
                    f"{totals.lines_net} (difference {payout.amount - totals.lines_net})"
                ),
                currency=payout.currency,
                balance_transaction=own[0].id if own else payout.balance_transaction,
                source=payout.id,
                object="payout",
                object_id=payout.id,
                expected=totals.lines_net,
                actual=payout.amount,
            )
        )
    return PayoutResult(
        payout=payout, lines=tuple(lines), totals=totals, discrepancies=tuple(found)
    )


def _found(
    code: Code,
    message: str,
    txn: BalanceTransaction,
    expected: Booked | None,
    exp: int | None,
    act: int | None,
) -> Discrepancy:
    return Discrepancy(
        code=code,
        message=message,
        currency=txn.currency,
        balance_transaction=txn.id,
        source=txn.source,
        object=expected.object if expected else OBJECTS.get(txn.reporting_category),
        object_id=expected.id if expected else None,
        expected=exp,
        actual=act,
    )


def _compare(
    txn: BalanceTransaction, key: tuple[str, str], expected: Booked | None
) -> list[Discrepancy]:
    """The differences between one line and what we booked for it."""
    category, what = txn.reporting_category, f"{key[0]} {key[1]}"
    if expected is None:
        if category in OBJECTS:
            message = f"{what}: the gateway moved money we have not booked"
        else:
            message = f"{what}: a movement of a kind we do not book ({txn.type})"
        return [_found(Code.MISSING_IN_LEDGER, message, txn, None, None, txn.amount)]
    if expected.currency != txn.currency:
        message = f"{what}: booked in {expected.currency}, moved in {txn.currency}"
        return [_found(Code.CURRENCY_MISMATCH, message, txn, expected, expected.amount, txn.amount)]
    out = []
    if expected.amount != txn.amount:
        message = f"{what}: booked {expected.amount}, moved {txn.amount}"
        out.append(
            _found(Code.AMOUNT_MISMATCH, message, txn, expected, expected.amount, txn.amount)
        )
    if category != "payout" and expected.fee != txn.fee:
        if expected.fee == 0:
            text = f"a fee of {txn.fee} the gateway took is missing in our ledger"
        elif txn.fee == 0:
            text = f"our fee of {expected.fee} was not taken by the gateway"
        else:
            text = f"fee booked {expected.fee}, taken {txn.fee}"
        out.append(
            _found(Code.FEE_MISMATCH, f"{what}: {text}", txn, expected, expected.fee, txn.fee)
        )
    return out


def missing_at_gateway(
    booked: Sequence[Booked], contained: Collection[str], *, currency: str
) -> list[Discrepancy]:
    """Our movements (in the payouts' period and currency) whose reference no payout's
    line carries."""
    out = []
    for item in booked:
        if item.reference in contained or item.currency != currency or not item.amount:
            continue
        out.append(
            Discrepancy(
                code=Code.MISSING_AT_GATEWAY,
                message=(
                    f"{item.object} {item.id} ({item.reference}): booked {item.amount}, "
                    "in no payout of the gateway"
                ),
                currency=item.currency,
                source=item.reference,
                object=item.object,
                object_id=item.id,
                expected=item.amount,
                actual=None,
            )
        )
    return out


def with_discrepancies(result: PayoutResult, extra: Sequence[Discrepancy]) -> PayoutResult:
    if not extra:
        return result
    return PayoutResult(
        payout=result.payout,
        lines=result.lines,
        totals=result.totals,
        discrepancies=(*result.discrepancies, *extra),
    )


def _line(txn: BalanceTransaction, expected: Booked | None, codes: list[Code]) -> Line:
    return Line(
        transaction=txn,
        object=expected.object if expected else OBJECTS.get(txn.reporting_category),
        object_id=expected.id if expected else None,
        expected_amount=expected.amount if expected else None,
        expected_fee=expected.fee if expected else None,
        codes=tuple(codes),
    )


class _Tally:
    def __init__(self) -> None:
        self.values: dict[str, int] = dict.fromkeys(Totals.__dataclass_fields__, 0)

    def add(self, txn: BalanceTransaction, *, counted: bool) -> None:
        v, category = self.values, txn.reporting_category
        if category == "payout":
            return
        v["lines_net"] += txn.net  # a duplicate line is in the payout's sum all the same
        if not counted:
            return
        v["fees_amount"] += txn.fee
        if category == "charge":
            v["charges_count"] += 1
            v["charges_amount"] += txn.amount
        elif category in ("refund", "refund_failure"):
            v["refunds_count"] += category == "refund"
            v["refunds_amount"] += txn.amount
        elif category in ("dispute", "dispute_reversal"):
            v["disputes_count"] += category == "dispute"
            v["disputes_amount"] += txn.amount
        else:
            v["other_amount"] += txn.amount

    def totals(self) -> Totals:
        return Totals(**self.values)
