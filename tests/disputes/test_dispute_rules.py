"""Dispute rules: what we may do, what the gateway may report, the money of each move."""

from __future__ import annotations

import itertools

import pytest

from payments.disputes.domain import (
    EVIDENCE_FIELDS,
    OPERATIONS,
    DisputeError,
    DisputeStateConflict,
    DisputeStatus,
    LedgerStep,
    Operation,
    evidence_object,
    gateway_allows,
    is_terminal,
    ledger_steps,
    merge_evidence,
    transition,
)

D = DisputeStatus
Op = Operation
RESPONDING = {D.NEEDS_RESPONSE, D.WARNING_NEEDS_RESPONSE}


@pytest.mark.parametrize(("status", "operation"), list(itertools.product(D, Op)))
def test_operations_are_allowed_only_while_a_response_is_awaited(status: D, operation: Op) -> None:
    if status in RESPONDING:
        assert transition(status, operation) == OPERATIONS[(status, operation)]
    else:
        with pytest.raises(DisputeStateConflict):
            transition(status, operation)


def test_submitting_and_closing() -> None:
    assert transition(D.NEEDS_RESPONSE, Op.SUBMIT) == D.UNDER_REVIEW
    assert transition(D.NEEDS_RESPONSE, Op.CLOSE) == D.LOST
    assert transition(D.WARNING_NEEDS_RESPONSE, Op.CLOSE) == D.WARNING_CLOSED


@pytest.mark.parametrize(("current", "reported"), list(itertools.product(D, D)))
def test_the_gateway_never_moves_a_dispute_backwards(current: D, reported: D) -> None:
    order = [
        D.WARNING_NEEDS_RESPONSE,
        D.WARNING_UNDER_REVIEW,
        D.NEEDS_RESPONSE,
        D.UNDER_REVIEW,
    ]
    allowed = gateway_allows(current, reported)
    if is_terminal(current) or reported == current:
        assert not allowed
    elif reported in (D.WON, D.LOST):
        assert allowed
    elif reported == D.WARNING_CLOSED:
        assert allowed == current.value.startswith("warning")
    else:
        assert allowed == (order.index(reported) > order.index(current))


@pytest.mark.parametrize(
    ("before", "after", "withdrawn", "steps"),
    [
        (None, D.NEEDS_RESPONSE, False, (LedgerStep.WITHDRAWN,)),
        (None, D.WARNING_NEEDS_RESPONSE, False, ()),
        (D.WARNING_UNDER_REVIEW, D.NEEDS_RESPONSE, False, (LedgerStep.WITHDRAWN,)),
        (D.UNDER_REVIEW, D.WON, True, (LedgerStep.REINSTATED,)),
        (D.UNDER_REVIEW, D.LOST, True, (LedgerStep.LOST,)),
        (None, D.WON, False, (LedgerStep.WITHDRAWN, LedgerStep.REINSTATED)),
        (D.WARNING_NEEDS_RESPONSE, D.WARNING_CLOSED, False, ()),
        (D.NEEDS_RESPONSE, D.UNDER_REVIEW, True, ()),
    ],
)
def test_the_money_of_each_move(
    before: D | None, after: D, withdrawn: bool, steps: tuple[LedgerStep, ...]
) -> None:
    assert ledger_steps(before, after, withdrawn=withdrawn) == steps


def test_evidence_merges_clears_and_refuses_unknown_fields() -> None:
    merged = merge_evidence(
        {"customer_name": "Ada"}, {"product_description": "Screen", "customer_name": None}
    )
    assert merged == {"customer_name": "Ada", "product_description": "Screen"}
    assert merge_evidence(merged, {"customer_name": ""}) == {"product_description": "Screen"}
    with pytest.raises(DisputeError) as info:
        merge_evidence({}, {"shoe_size": "42"})
    assert info.value.param == "evidence[shoe_size]"
    shown = evidence_object({"receipt": "file_1"})
    assert set(shown) == set(EVIDENCE_FIELDS) and shown["receipt"] == "file_1"
