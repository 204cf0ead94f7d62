"""Which open invoice a bank credit pays: three rules, in order, and only a unique
confident answer is applied (the rest waits for a person).

1. **Creditor reference** (ISO 11649 ``RF..``): the structured reference, or one written
   anywhere in the remittance text (``RF62 DE12 0260 0000 6``); the invoice whose
   ``payment_reference`` it is.
2. **Invoice number** in the remittance text, written as printed or with spaces, dots,
   slashes or dashes between its parts (``DE1-2026-000002``, ``DE1 2026 000002``), not
   as part of a longer number.
3. **Exact amount and payer name**: the amount equals what the invoice still owes, and
   the payer's name is the invoice customer's (compared without case, accents,
   punctuation or word order: ``HOPPER, GRACE`` is ``Grace Hopper``); the name score is
   a percentage (:func:`name_score`), at least :data:`NAME_THRESHOLD` counts.

A rule that finds exactly one invoice decides; one that finds several stops the search
(ambiguous: a person chooses among the candidates); one that finds none hands over to the
next. Only invoices of the statement's legal entity, in the credit's currency, that are
open (owing something) are candidates.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

from stdnum import iso11649

#: The lowest name score (percent) that counts as the same payer.
NAME_THRESHOLD = 85

_RF = re.compile(r"(?<![A-Z0-9])R\s?F\s?(\d\s?\d(?:\s?[A-Z0-9]){1,21})(?![A-Z0-9])")
_SEPARATORS = r"[\s\-/._]*"


class MatchMethod(StrEnum):
    CREDITOR_REFERENCE = "creditor_reference"
    INVOICE_NUMBER = "invoice_number"
    AMOUNT_AND_NAME = "amount_and_name"
    MANUAL = "manual"


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenInvoice:
    id: str
    number: str
    payment_reference: str | None
    currency: str
    amount_remaining: int
    customer_name: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Credit:
    amount: int
    currency: str
    remittance_information: str | None
    creditor_reference: str | None
    debtor_name: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    invoice_id: str
    method: MatchMethod
    score: int  # percent: 100 for a reference, the name score for amount + name


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchDecision:
    """``invoice_id`` set: apply it. Otherwise ``candidates`` (possibly empty) are what
    a person may choose from."""

    invoice_id: str | None
    method: MatchMethod | None
    score: int
    candidates: tuple[Candidate, ...]


def creditor_references(credit: Credit) -> list[str]:
    """The valid RF references the payer gave: structured first, then in the text."""
    found: list[str] = []
    given = [credit.creditor_reference] if credit.creditor_reference else []
    for value in given:
        compact = re.sub(r"\s", "", value).upper()
        if iso11649.is_valid(compact):
            found.append(compact)
    text = (credit.remittance_information or "").upper()
    for match in _RF.finditer(text):
        compact = "RF" + re.sub(r"\s", "", match.group(1))
        # a greedy match may swallow a following word: try shorter tails as well
        for end in range(len(compact), 4, -1):
            if iso11649.is_valid(compact[:end]):
                found.append(compact[:end])
                break
    return list(dict.fromkeys(found))


def number_pattern(number: str) -> re.Pattern[str]:
    """The invoice number as a payer may type it (see the module)."""
    chars = [re.escape(ch) for ch in number if ch.isalnum()]
    return re.compile(
        r"(?<![A-Za-z0-9])" + _SEPARATORS.join(chars) + r"(?![A-Za-z0-9])", re.IGNORECASE
    )


def _plain(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(
        ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch)
    )
    return " ".join(sorted(letters.split()))


def name_score(payer: str | None, customer: str | None) -> int:
    """How alike two names are, in percent (rounded half to even by :func:`round`),
    ignoring case, accents, punctuation and word order; 0 when either is missing."""
    if not payer or not customer:
        return 0
    a, b = _plain(payer), _plain(customer)
    if not a or not b:
        return 0
    return round(SequenceMatcher(None, a, b).ratio() * 100)


def _decide(found: Sequence[Candidate]) -> MatchDecision:
    if len(found) == 1:
        return MatchDecision(
            invoice_id=found[0].invoice_id,
            method=found[0].method,
            score=found[0].score,
            candidates=tuple(found),
        )
    return MatchDecision(invoice_id=None, method=None, score=0, candidates=tuple(found))


def match_credit(
    credit: Credit,
    invoices: Sequence[OpenInvoice],
    *,
    patterns: dict[str, re.Pattern[str]] | None = None,
) -> MatchDecision:
    """The invoice ``credit`` pays, by the rules of this module. ``patterns`` caches
    :func:`number_pattern` per invoice number across calls (an import matches many
    credits against the same invoices)."""
    open_ = [
        inv for inv in invoices if inv.currency == credit.currency and inv.amount_remaining > 0
    ]
    references = creditor_references(credit)
    if references:
        by_reference = [
            Candidate(invoice_id=inv.id, method=MatchMethod.CREDITOR_REFERENCE, score=100)
            for inv in open_
            if inv.payment_reference in references
        ]
        if by_reference:
            return _decide(by_reference)
    text = credit.remittance_information or ""
    if text:
        cache = patterns if patterns is not None else {}
        by_number: list[Candidate] = []
        for inv in open_:
            pattern = cache.get(inv.number)
            if pattern is None:
                pattern = cache[inv.number] = number_pattern(inv.number)
            if pattern.search(text):
                by_number.append(
                    Candidate(invoice_id=inv.id, method=MatchMethod.INVOICE_NUMBER, score=100)
                )
        if by_number:
            return _decide(by_number)
    same_amount = [inv for inv in open_ if inv.amount_remaining == credit.amount]
    scored = sorted(
        (
            Candidate(
                invoice_id=inv.id,
                method=MatchMethod.AMOUNT_AND_NAME,
                score=name_score(credit.debtor_name, inv.customer_name),
            )
            for inv in same_amount
        ),
        key=lambda c: -c.score,
    )
    confident = [c for c in scored if c.score >= NAME_THRESHOLD]
    if len(confident) == 1:
        return MatchDecision(
            invoice_id=confident[0].invoice_id,
            method=MatchMethod.AMOUNT_AND_NAME,
            score=confident[0].score,
            candidates=tuple(scored),
        )
    return MatchDecision(invoice_id=None, method=None, score=0, candidates=tuple(scored))
