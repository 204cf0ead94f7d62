"""Double-entry ledger: chart of accounts, balanced transactions, postings, verification."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.kernel.money import CurrencyMismatch, Money
from payments.ledger.domain import postings
from payments.ledger.domain.accounts import (
    CHART_OF_ACCOUNTS,
    Account,
    AccountType,
    Direction,
    account_by_code,
)
from payments.ledger.domain.journal import (
    Entry,
    InvalidEntry,
    InvalidPosting,
    InvalidTransaction,
    JournalTransaction,
    Source,
    TransactionKind,
    UnbalancedTransaction,
    trial_balance,
    verify,
)

A = Account
SRC = Source("payment_intent", "pi_123")
CURRENCIES = ["eur", "usd", "gbp", "chf", "sek", "pln", "jpy", "kwd", "bhd"]


def eur(amount: int) -> Money:
    return Money(amount, "eur")


@dataclass(frozen=True)
class Row:
    """A stored journal row, as the database adapter would hand it to verify()."""

    account: str
    amount: object
    currency: str


# --- chart of accounts ---------------------------------------------------------------


def test_every_account_is_in_the_chart_with_a_unique_code() -> None:
    assert set(CHART_OF_ACCOUNTS) == set(Account)
    codes = [spec.code for spec in CHART_OF_ACCOUNTS.values()]
    assert len(codes) == len(set(codes))
    assert all(account_by_code(spec.code) is acc for acc, spec in CHART_OF_ACCOUNTS.items())


@pytest.mark.parametrize("account", list(Account))
def test_normal_balance_follows_the_account_type(account: Account) -> None:
    spec = account.spec
    match spec.type:
        case AccountType.ASSET | AccountType.EXPENSE:
            assert spec.normal_balance is Direction.DEBIT
        case AccountType.LIABILITY | AccountType.EQUITY | AccountType.REVENUE:
            assert spec.normal_balance is Direction.CREDIT
        case AccountType.MEMO:
            assert account in {A.CUSTOMER_FUNDS_AUTHORIZED, A.AUTHORIZATIONS}


def test_the_memo_pair_sits_on_opposite_sides() -> None:
    assert A.CUSTOMER_FUNDS_AUTHORIZED.spec.normal_balance is Direction.DEBIT
    assert A.AUTHORIZATIONS.spec.normal_balance is Direction.CREDIT


def test_an_unknown_account_code_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        account_by_code("9999")


# --- entries and transactions --------------------------------------------------------


def test_debits_are_positive_and_credits_negative() -> None:
    assert Entry.debit(A.BANK, eur(100)).amount == 100
    assert Entry.credit(A.BANK, eur(100)).amount == -100
    assert Entry.credit(A.BANK, eur(100)).direction is Direction.CREDIT


@pytest.mark.parametrize("amount", [0, -5])
def test_debit_and_credit_take_positive_amounts(amount: int) -> None:
    with pytest.raises(InvalidEntry):
        Entry.debit(A.BANK, eur(amount))
    with pytest.raises(InvalidEntry):
        Entry.credit(A.BANK, eur(amount))


def test_an_entry_cannot_be_zero_or_on_an_unknown_account() -> None:
    with pytest.raises(InvalidEntry, match="Zero"):
        Entry(A.BANK, eur(0))
    with pytest.raises(InvalidEntry, match="Unknown ledger account"):
        Entry("petty_cash", eur(1))  # type: ignore[arg-type]


def test_an_entry_accepts_an_account_name_from_storage() -> None:
    assert Entry("bank", eur(1)).account is A.BANK  # type: ignore[arg-type]


def _tx(*entries: Entry) -> JournalTransaction:
    return JournalTransaction(TransactionKind.CHARGE_SUCCEEDED, SRC, entries)


def test_an_unbalanced_transaction_cannot_be_constructed() -> None:
    with pytest.raises(UnbalancedTransaction, match="sum to 1"):
        _tx(
            Entry.debit(A.GATEWAY_RECEIVABLE, eur(1000)), Entry.credit(A.REVENUE_CLEARING, eur(999))
        )


def test_a_transaction_needs_at_least_two_entries() -> None:
    with pytest.raises(InvalidTransaction):
        _tx(Entry.debit(A.BANK, eur(1)))


def test_debits_in_one_currency_cannot_balance_credits_in_another() -> None:
    with pytest.raises(UnbalancedTransaction):
        _tx(Entry.debit(A.BANK, eur(100)), Entry.credit(A.GATEWAY_RECEIVABLE, Money(100, "usd")))


def test_a_transaction_may_span_currencies_when_each_balances() -> None:
    tx = _tx(
        Entry.debit(A.BANK, eur(100)),
        Entry.credit(A.GATEWAY_RECEIVABLE, eur(100)),
        Entry.debit(A.BANK, Money(900, "sek")),
        Entry.credit(A.GATEWAY_RECEIVABLE, Money(900, "sek")),
    )
    assert tx.currencies == {"eur", "sek"}


def test_a_hold_can_never_leak_into_real_money() -> None:
    with pytest.raises(UnbalancedTransaction, match="memo"):
        _tx(Entry.debit(A.CUSTOMER_FUNDS_AUTHORIZED, eur(100)), Entry.credit(A.SALES, eur(100)))


def test_a_transaction_kind_must_be_known() -> None:
    with pytest.raises(InvalidTransaction, match="kind"):
        JournalTransaction(
            "charge.teleported",  # type: ignore[arg-type]
            SRC,
            (Entry.debit(A.BANK, eur(1)), Entry.credit(A.SALES, eur(1))),
        )


def test_a_source_names_an_object_and_an_id() -> None:
    with pytest.raises(InvalidTransaction):
        Source("payment_intent", "")


# --- posting rules -------------------------------------------------------------------


def _signed(tx: JournalTransaction) -> dict[Account, int]:
    out: dict[Account, int] = defaultdict(int)
    for e in tx.entries:
        out[e.account] += e.amount
    return dict(out)


def test_a_partial_capture_moves_the_captured_part_and_releases_the_rest() -> None:
    tx = postings.charge_captured(eur(10000), eur(7500), source=SRC)
    assert tx.kind is TransactionKind.CHARGE_CAPTURED
    assert _signed(tx) == {
        A.GATEWAY_RECEIVABLE: 7500,
        A.REVENUE_CLEARING: -7500,
        A.AUTHORIZATIONS: 10000,
        A.CUSTOMER_FUNDS_AUTHORIZED: -10000,
    }
    released = [e for e in tx.entries if e.account is A.CUSTOMER_FUNDS_AUTHORIZED]
    assert sorted(-e.amount for e in released) == [2500, 7500]


def test_capturing_more_than_authorized_is_refused() -> None:
    with pytest.raises(InvalidPosting, match="only"):
        postings.charge_captured(eur(100), eur(101), source=SRC)


def test_capture_currency_must_match_the_authorization() -> None:
    with pytest.raises(CurrencyMismatch):
        postings.charge_captured(eur(100), Money(100, "usd"), source=SRC)


def test_automatic_capture_posts_no_memo_hold() -> None:
    tx = postings.charge_succeeded(eur(1999), source=SRC)
    assert _signed(tx) == {A.GATEWAY_RECEIVABLE: 1999, A.REVENUE_CLEARING: -1999}


def test_a_short_payout_parks_the_difference_in_suspense() -> None:
    tx = postings.payout_paid(eur(1000), received=eur(990), source=Source("payout", "po_1"))
    assert _signed(tx) == {A.GATEWAY_RECEIVABLE: -1000, A.BANK: 990, A.SUSPENSE: 10}


def test_a_long_payout_credits_suspense() -> None:
    tx = postings.payout_paid(eur(1000), received=eur(1005), source=Source("payout", "po_1"))
    assert _signed(tx) == {A.GATEWAY_RECEIVABLE: -1000, A.BANK: 1005, A.SUSPENSE: -5}


def test_a_reversal_cancels_the_original_exactly() -> None:
    original = postings.charge_fee(eur(59), source=Source("charge", "ch_1"))
    undo = postings.reversal(original)
    assert undo.kind is TransactionKind.REVERSAL
    assert undo.source == original.source
    assert trial_balance([*original.entries, *undo.entries]).balance(A.GATEWAY_FEES, "eur") == 0


def test_a_fee_in_other_currencies_is_posted_in_each_one_balanced_per_currency() -> None:
    usd = Money(120, "usd")
    tx = postings.charge_fee(eur(50), usd, eur(20), source=Source("charge", "ch_1"))
    assert tx.kind is TransactionKind.CHARGE_FEE
    assert sorted((e.account.value, e.currency, e.amount) for e in tx.entries) == [
        ("gateway_fees", "eur", 70),
        ("gateway_fees", "usd", 120),
        ("gateway_receivable", "eur", -70),
        ("gateway_receivable", "usd", -120),
    ]
    assert trial_balance(tx.entries).is_balanced
    assert verify([tx]) == []
    with pytest.raises(InvalidPosting):
        postings.charge_fee(source=Source("charge", "ch_1"))
    with pytest.raises(InvalidPosting):
        postings.charge_fee(eur(50), Money(0, "usd"), source=Source("charge", "ch_1"))


@pytest.mark.parametrize("amount", [0, -100])
def test_postings_refuse_non_positive_amounts(amount: int) -> None:
    with pytest.raises(InvalidPosting):
        postings.charge_authorized(eur(amount), source=SRC)


def test_gateway_receivable_tracks_what_the_gateway_owes_us() -> None:
    ch = Source("charge", "ch_1")
    txs = [
        postings.charge_authorized(eur(10000), source=ch),
        postings.charge_captured(eur(10000), eur(8000), source=ch),
        postings.charge_fee(eur(250), source=ch),
        postings.refund_created(eur(1000), source=Source("refund", "re_1")),
        postings.refund_succeeded(eur(1000), source=Source("refund", "re_1")),
        postings.payout_paid(eur(5000), source=Source("payout", "po_1")),
    ]
    tb = trial_balance(e for tx in txs for e in tx.entries)
    assert tb.normal_balance(A.GATEWAY_RECEIVABLE, "eur") == 8000 - 250 - 1000 - 5000
    assert tb.normal_balance(A.REVENUE_CLEARING, "eur") == 7000
    assert tb.normal_balance(A.BANK, "eur") == 5000
    assert tb.normal_balance(A.CUSTOMER_FUNDS_AUTHORIZED, "eur") == 0
    assert tb.totals("eur")[0] == tb.totals("eur")[1]
    assert verify(txs) == []


# --- properties ----------------------------------------------------------------------

amounts = st.integers(min_value=1, max_value=10**12)
currencies = st.sampled_from(CURRENCIES)
sources = st.builds(
    Source,
    st.sampled_from(["payment_intent", "charge", "refund", "payout", "dispute"]),
    st.from_regex(r"[a-z]{2,3}_[A-Za-z0-9]{1,24}", fullmatch=True),
)


@st.composite
def any_posting(draw: st.DrawFn) -> JournalTransaction:
    currency = draw(currencies)
    amount = Money(draw(amounts), currency)
    source = draw(sources)
    simple: list[Callable[..., JournalTransaction]] = [
        postings.charge_authorized,
        postings.authorization_released,
        postings.charge_succeeded,
        postings.charge_fee,
        postings.refund_created,
        postings.refund_succeeded,
        postings.refund_failed,
        postings.dispute_funds_withdrawn,
        postings.dispute_funds_reinstated,
        postings.dispute_lost,
    ]
    choice = draw(st.integers(0, len(simple) + 2))
    if choice < len(simple):
        return simple[choice](amount, source=source)
    if choice == len(simple):
        captured = Money(draw(st.integers(1, amount.amount)), currency)
        return postings.charge_captured(amount, captured, source=source)
    if choice == len(simple) + 1:
        received = Money(draw(amounts), currency)
        return postings.payout_paid(amount, received=received, source=source)
    return postings.reversal(postings.charge_succeeded(amount, source=source))


@given(any_posting())
def test_every_posting_balances_per_currency(tx: JournalTransaction) -> None:
    sums: dict[tuple[str, bool], int] = defaultdict(int)
    for e in tx.entries:
        sums[(e.currency, e.account.is_memo)] += e.amount
        assert e.amount != 0
    assert set(sums.values()) == {0}
    assert len(tx.entries) >= 2


@given(st.lists(any_posting(), max_size=40))
def test_the_trial_balance_of_any_sequence_of_postings_is_zero_per_currency(txs: list) -> None:
    tb = trial_balance(e for tx in txs for e in tx.entries)
    assert tb.is_balanced
    for currency in tb.currencies:
        debits, credits = tb.totals(currency)
        assert debits == credits
        assert sum(tb.balance(a, currency) for a in Account) == 0


@given(authorized=amounts, data=st.data(), currency=currencies)
def test_partial_capture_never_posts_more_than_authorized(
    authorized: int, data: st.DataObject, currency: str
) -> None:
    captured = data.draw(st.integers(1, authorized))
    hold = postings.charge_authorized(Money(authorized, currency), source=SRC)
    capture = postings.charge_captured(
        Money(authorized, currency), Money(captured, currency), source=SRC
    )
    tb = trial_balance([*hold.entries, *capture.entries])
    assert tb.normal_balance(A.GATEWAY_RECEIVABLE, currency) == captured <= authorized
    assert tb.normal_balance(A.CUSTOMER_FUNDS_AUTHORIZED, currency) == 0
    assert verify([hold, capture]) == []


@given(authorized=amounts, excess=amounts)
def test_capturing_above_the_hold_is_always_refused(authorized: int, excess: int) -> None:
    with pytest.raises(InvalidPosting):
        postings.charge_captured(eur(authorized), eur(authorized + excess), source=SRC)


@given(debit=amounts, credit=amounts, currency=currencies)
def test_constructing_an_unbalanced_transaction_always_raises(
    debit: int, credit: int, currency: str
) -> None:
    entries = (
        Entry.debit(A.GATEWAY_RECEIVABLE, Money(debit, currency)),
        Entry.credit(A.REVENUE_CLEARING, Money(credit, currency)),
    )
    if debit == credit:
        assert _tx(*entries).entries == entries
    else:
        with pytest.raises(UnbalancedTransaction):
            _tx(*entries)


# --- verify on stored rows -----------------------------------------------------------


def test_verify_accepts_a_balanced_stored_journal() -> None:
    rows = {"jt_1": [Row("bank", 100, "eur"), Row("gateway_receivable", -100, "EUR")]}
    assert verify(rows) == []


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ([Row("bank", 100, "eur"), Row("sales", -90, "eur")], "sum to 10"),
        ([Row("bank", 100, "eur")], "at least 2"),
        ([Row("petty_cash", 100, "eur"), Row("sales", -100, "eur")], "unknown account"),
        ([Row("bank", 0, "eur"), Row("sales", 0, "eur")], "zero amount"),
        ([Row("bank", 100, "xyz"), Row("sales", -100, "xyz")], "unknown currency"),
        ([Row("bank", 1.5, "eur"), Row("sales", -1.5, "eur")], "not an integer"),
        (
            [Row("customer_funds_authorized", 100, "eur"), Row("sales", -100, "eur")],
            "memo entries in eur sum to 100",
        ),
    ],
)
def test_verify_reports_each_broken_stored_transaction(rows: list, problem: str) -> None:
    problems = verify({"jt_bad": rows, "jt_ok": [Row("bank", 5, "eur"), Row("sales", -5, "eur")]})
    assert problems
    assert all(p.startswith("transaction jt_bad:") for p in problems)
    assert any(problem in p for p in problems)


def test_verify_reports_more_released_than_was_held() -> None:
    txs = [
        postings.charge_authorized(eur(100), source=SRC),
        postings.authorization_released(eur(100), source=SRC),
        postings.authorization_released(eur(100), source=SRC),
    ]
    assert verify(txs) == ["more eur captured or released than was authorized (-100)"]
