"""Pure helpers for the checks of ``payments ledger verify`` that capabilities contribute.

A capability's check compares its objects with the postings made for them; these
helpers phrase the two comparisons every check makes, so problems read alike.
"""

from __future__ import annotations

from collections import Counter

from payments.ledger.domain.accounts import Account
from payments.ledger.domain.journal import TransactionKind

Balances = dict[tuple[str, str], int]  # (account, currency) -> sum of entries


def expect_postings(
    problems: list[str],
    what: str,
    found: Counter[tuple[str, str]],
    kind: TransactionKind,
    object_id: str,
    n: int,
) -> None:
    """``object_id`` must be posted ``kind`` exactly ``n`` times."""
    got = found[(kind.value, object_id)]
    if got != n:
        problems.append(f"{what} {object_id} is posted {kind.value} {got} times, expected {n}")


def expect_account(
    balances: Balances, account: Account, expected: dict[str, int], what: str
) -> list[str]:
    """The account's normal-side balance per currency must equal ``expected``."""
    sign = account.spec.normal_balance.sign
    currencies = {c for (a, c) in balances if a == account.value} | set(expected)
    return [
        f"{account.value} in {cur} is {balances.get((account.value, cur), 0) * sign} but "
        f"the {what} total {expected.get(cur, 0)}"
        for cur in sorted(currencies)
        if balances.get((account.value, cur), 0) * sign != expected.get(cur, 0)
    ]


def unknown_sources(posted: Counter[tuple[str, str]], known: set[str], what: str) -> list[str]:
    """Postings whose source object does not exist."""
    return [
        f"{kind} posting for unknown {what} {oid}"
        for kind, oid in sorted(posted)
        if oid not in known
    ]
