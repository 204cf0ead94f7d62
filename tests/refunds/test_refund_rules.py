"""Refund rules: the transition table (exhaustively), amounts, ledger steps, approval policy."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from payments.kernel.access import Role
from payments.kernel.errors import InvalidRequest, StateConflict
from payments.refunds.domain.policy import ApprovalReason, RefundPolicy
from payments.refunds.domain.refund import (
    TRANSITIONS,
    ChargeNotRefundable,
    InvalidRefundAmount,
    LedgerStep,
    Operation,
    Outcome,
    RefundStateConflict,
    RefundStatus,
    check_refundable,
    counts_against_charge,
    gateway_reason,
    ledger_steps,
    next_status,
    outcome_of,
    parse_reason,
    refund_amount,
    transition,
)

S = RefundStatus
Op = Operation
Out = Outcome
AT_GATEWAY = {
    Out.PENDING: S.PENDING,
    Out.REQUIRES_ACTION: S.REQUIRES_ACTION,
    Out.SUCCEEDED: S.SUCCEEDED,
    Out.FAILED: S.FAILED,
    Out.CANCELED: S.CANCELED,
    Op.CANCEL: S.CANCELED,
}
# The specification, written out by status independently of the module's table.
EXPECTED: dict[S, dict[Op | Out, S]] = {
    S.PENDING_APPROVAL: {Op.APPROVE: S.PENDING, Op.REJECT: S.CANCELED, Op.CANCEL: S.CANCELED},
    S.PENDING: AT_GATEWAY,
    S.REQUIRES_ACTION: AT_GATEWAY,
    S.SUCCEEDED: {Out.SUCCEEDED: S.SUCCEEDED, Out.FAILED: S.FAILED},
    S.FAILED: {},
    S.CANCELED: {},
}


@pytest.mark.parametrize(("status", "event"), list(itertools.product(S, [*Op, *Out])))
def test_every_status_and_event_pair_follows_the_specification(status: S, event: Op | Out) -> None:
    assert next_status(status, event) == EXPECTED[status].get(event)


def test_the_table_has_no_rows_beyond_the_specification() -> None:
    assert len(TRANSITIONS) == sum(len(v) for v in EXPECTED.values())


def test_a_refused_operation_is_a_state_conflict_naming_the_allowed_statuses() -> None:
    with pytest.raises(RefundStateConflict) as info:
        transition(S.SUCCEEDED, Op.APPROVE)
    assert isinstance(info.value, StateConflict)
    assert info.value.code == "refund_unexpected_state"
    assert "pending_approval" in info.value.message


def test_gateway_statuses_map_to_outcomes() -> None:
    assert outcome_of("succeeded") == Out.SUCCEEDED
    with pytest.raises(ValueError):
        outcome_of("exploded")


@pytest.mark.parametrize(
    ("requested", "reserved", "expected"), [(None, 0, 5000), (None, 3000, 2000), (2000, 3000, 2000)]
)
def test_the_amount_defaults_to_everything_left(
    requested: int | None, reserved: int, expected: int
) -> None:
    assert refund_amount(requested, captured=5000, reserved=reserved) == expected


@pytest.mark.parametrize(
    ("requested", "reserved", "code"),
    [
        (0, 0, "parameter_invalid_integer"),
        (-1, 0, "parameter_invalid_integer"),
        (True, 0, "parameter_invalid_integer"),
        (5001, 0, "amount_too_large"),
        (2001, 3000, "amount_too_large"),
        (None, 5000, "charge_already_refunded"),
        (1, 5000, "charge_already_refunded"),
    ],
)
def test_amounts_never_exceed_what_is_left(requested: int | None, reserved: int, code: str) -> None:
    with pytest.raises(InvalidRefundAmount) as info:
        refund_amount(requested, captured=5000, reserved=reserved)
    assert info.value.code == code


def test_only_captured_undisputed_payments_in_their_currency_are_refundable() -> None:
    ok = {"charge_status": "succeeded", "captured": True, "disputed": False, "currency": "eur"}
    check_refundable(**ok, requested=None)  # type: ignore[arg-type]
    check_refundable(**ok, requested="EUR")  # type: ignore[arg-type]
    cases = [
        ({"captured": False}, "charge_not_refundable"),
        ({"charge_status": "failed"}, "charge_not_refundable"),
        ({"disputed": True}, "charge_disputed"),
    ]
    for change, code in cases:
        with pytest.raises(ChargeNotRefundable) as info:
            check_refundable(**(ok | change), requested=None)  # type: ignore[arg-type]
        assert info.value.code == code
    with pytest.raises(ChargeNotRefundable) as info:
        check_refundable(**ok, requested="chf")  # type: ignore[arg-type]
    assert (info.value.code, info.value.param) == ("currency_mismatch", "currency")


def test_our_reasons_are_told_to_the_gateway_as_requested_by_customer() -> None:
    assert gateway_reason("duplicate") == "duplicate"
    assert gateway_reason("warranty") == "requested_by_customer"
    assert gateway_reason(None) is None
    with pytest.raises(InvalidRequest):
        parse_reason("bored")


@pytest.mark.parametrize(
    ("before", "after", "sent", "steps"),
    [
        (S.PENDING, S.SUCCEEDED, True, (LedgerStep.SUCCEEDED,)),
        (S.PENDING, S.FAILED, True, (LedgerStep.FAILED,)),
        (S.PENDING, S.CANCELED, True, (LedgerStep.FAILED,)),
        (S.SUCCEEDED, S.FAILED, True, (LedgerStep.SUCCEEDED_REVERSED, LedgerStep.FAILED)),
        (S.PENDING_APPROVAL, S.CANCELED, False, ()),
        (S.PENDING, S.REQUIRES_ACTION, True, ()),
        (S.SUCCEEDED, S.SUCCEEDED, True, ()),
    ],
)
def test_ledger_steps_of_each_move(
    before: S, after: S, sent: bool, steps: tuple[LedgerStep, ...]
) -> None:
    assert ledger_steps(before, after, sent=sent) == steps


def test_failed_and_canceled_refunds_free_their_amount() -> None:
    assert {s for s in S if not counts_against_charge(s)} == {S.FAILED, S.CANCELED}


POLICY = RefundPolicy(thresholds={"eur": 20000, "pln": 100000}, window=timedelta(days=90))
PAID = datetime(2026, 1, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("role", "currency", "total", "days", "reason"),
    [
        (Role.clerk, "eur", 20000, 1, None),
        (Role.clerk, "eur", 20001, 1, ApprovalReason.AMOUNT_ABOVE_THRESHOLD),
        (Role.clerk, "pln", 90000, 1, None),
        (Role.clerk, "sek", 1, 1, ApprovalReason.AMOUNT_ABOVE_THRESHOLD),  # no threshold set
        (Role.clerk, "eur", 100, 91, ApprovalReason.OUTSIDE_REFUND_WINDOW),
        (Role.finance, "eur", 10**9, 400, None),
        (Role.admin, "sek", 10**9, 400, None),
    ],
)
def test_the_approval_policy(
    role: Role, currency: str, total: int, days: int, reason: ApprovalReason | None
) -> None:
    got = POLICY.approval_reason(
        role=role,
        currency=currency,
        refunded_total=total,
        paid_at=PAID,
        now=PAID + timedelta(days=days),
    )
    assert got == reason
