"""PaymentIntent lifecycle rules: the transition table, capture and cancel rules."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.intents.domain.payment_intent import (
    MERCHANT_CANCELLATION_REASONS,
    TRANSITIONS,
    CancellationReason,
    CaptureMethod,
    CaptureNotAllowed,
    InvalidCancellationReason,
    InvalidCaptureAmount,
    InvalidTransition,
    Operation,
    Outcome,
    PaymentIntentError,
    PaymentIntentStatus,
    allowed_events,
    allowed_operations,
    can_cancel,
    can_capture,
    can_confirm,
    can_update,
    is_terminal,
    next_status,
    statuses_allowing,
    transition,
    validate_cancel,
    validate_capture,
)
from payments.kernel.errors import InvalidRequest, StateConflict
from payments.kernel.money import Money

S = PaymentIntentStatus
Op = Operation
Out = Outcome
ALL_EVENTS = [*Operation, *Outcome]

# The specification, written out by status independently of the module's table.
EXPECTED: dict[S, dict[Op | Out, S]] = {
    S.REQUIRES_PAYMENT_METHOD: {
        Op.ATTACH_PAYMENT_METHOD: S.REQUIRES_CONFIRMATION,
        Op.UPDATE: S.REQUIRES_PAYMENT_METHOD,
        Op.CANCEL: S.CANCELED,
    },
    S.REQUIRES_CONFIRMATION: {
        Op.ATTACH_PAYMENT_METHOD: S.REQUIRES_CONFIRMATION,
        Op.UPDATE: S.REQUIRES_CONFIRMATION,
        Op.CONFIRM: S.PROCESSING,
        Op.CANCEL: S.CANCELED,
    },
    S.REQUIRES_ACTION: {
        Out.ACTION_COMPLETED: S.PROCESSING,
        Out.ACTION_FAILED: S.REQUIRES_PAYMENT_METHOD,
        Op.ATTACH_PAYMENT_METHOD: S.REQUIRES_CONFIRMATION,
        Op.UPDATE: S.REQUIRES_CONFIRMATION,
        Op.CANCEL: S.CANCELED,
    },
    S.PROCESSING: {
        Out.SUCCEEDED: S.SUCCEEDED,
        Out.AUTHORIZED: S.REQUIRES_CAPTURE,
        Out.DECLINED: S.REQUIRES_PAYMENT_METHOD,
        Out.ACTION_REQUIRED: S.REQUIRES_ACTION,
        Out.PENDING: S.PROCESSING,
        Out.UNKNOWN: S.PROCESSING,
        Out.ASYNC_SUCCEEDED: S.SUCCEEDED,
        Out.ASYNC_FAILED: S.REQUIRES_PAYMENT_METHOD,
        Out.NOT_PROCESSED: S.REQUIRES_CONFIRMATION,
    },
    S.REQUIRES_CAPTURE: {
        Op.CAPTURE: S.REQUIRES_CAPTURE,
        Out.SUCCEEDED: S.SUCCEEDED,
        Out.DECLINED: S.REQUIRES_CAPTURE,
        Out.UNKNOWN: S.REQUIRES_CAPTURE,
        Out.EXPIRED: S.CANCELED,
        Op.CANCEL: S.CANCELED,
    },
    S.SUCCEEDED: {},
    S.CANCELED: {},
}


@pytest.mark.parametrize(
    ("status", "event"),
    list(itertools.product(S, ALL_EVENTS)),
    ids=lambda v: str(v),
)
def test_every_status_and_event_pair_follows_the_specification(status: S, event: Op | Out) -> None:
    expected = EXPECTED[status].get(event)
    if expected is None:
        with pytest.raises(InvalidTransition) as info:
            transition(status, event)
        assert info.value.code == "payment_intent_unexpected_state"
        assert f"status of {status}" in info.value.message
        assert next_status(status, event) is None
    else:
        assert transition(status, event) is expected


def test_the_table_has_no_rows_beyond_the_specification() -> None:
    spec = {(s, e): nxt for s, events in EXPECTED.items() for e, nxt in events.items()}
    assert dict(TRANSITIONS) == spec


def test_operation_and_outcome_names_never_collide_so_table_keys_stay_distinct() -> None:
    assert not {o.value for o in Operation} & {o.value for o in Outcome}


def test_only_succeeded_and_canceled_are_terminal() -> None:
    assert {s for s in S if is_terminal(s)} == {S.SUCCEEDED, S.CANCELED}


@pytest.mark.parametrize("status", list(S))
def test_permission_helpers_are_derived_from_the_table(status: S) -> None:
    expected_ops = {e for e in EXPECTED[status] if isinstance(e, Operation)}
    assert allowed_operations(status) == expected_ops
    assert allowed_events(status) == set(EXPECTED[status])
    assert can_confirm(status) is (Op.CONFIRM in expected_ops)
    assert can_capture(status) is (Op.CAPTURE in expected_ops)
    assert can_cancel(status) is (Op.CANCEL in expected_ops)
    assert can_update(status) is (Op.UPDATE in expected_ops)


def test_cancel_is_allowed_until_money_moves_and_refused_while_processing() -> None:
    assert statuses_allowing(Op.CANCEL) == (
        S.REQUIRES_PAYMENT_METHOD,
        S.REQUIRES_CONFIRMATION,
        S.REQUIRES_ACTION,
        S.REQUIRES_CAPTURE,
    )
    assert not can_cancel(S.PROCESSING)


def test_confirming_with_a_payment_method_is_allowed_from_requires_payment_method() -> None:
    assert not can_confirm(S.REQUIRES_PAYMENT_METHOD)
    assert can_confirm(S.REQUIRES_PAYMENT_METHOD, with_payment_method=True)
    assert not can_confirm(S.SUCCEEDED, with_payment_method=True)
    assert not can_confirm(S.PROCESSING, with_payment_method=True)


def test_refusal_message_reads_like_stripe_and_lists_the_allowed_statuses() -> None:
    with pytest.raises(InvalidTransition) as info:
        transition(S.SUCCEEDED, Op.CAPTURE)
    assert info.value.message == (
        "You cannot capture this PaymentIntent because it has a status of succeeded. "
        "Only a PaymentIntent with one of the following statuses may be captured: "
        "requires_capture."
    )
    assert info.value.status is S.SUCCEEDED
    assert info.value.event is Op.CAPTURE


def test_a_late_gateway_outcome_on_a_settled_intent_is_refused() -> None:
    with pytest.raises(InvalidTransition, match="outcome of async_succeeded"):
        transition(S.SUCCEEDED, Out.ASYNC_SUCCEEDED)


def test_invalid_transition_maps_to_the_state_conflict_error_of_the_service() -> None:
    with pytest.raises(StateConflict):
        transition(S.CANCELED, Op.CONFIRM)


def _walk(status: S, *events: Op | Out) -> S:
    for event in events:
        status = transition(status, event)
    return status


@pytest.mark.parametrize(
    ("events", "final"),
    [
        pytest.param([Op.ATTACH_PAYMENT_METHOD, Op.CONFIRM, Out.SUCCEEDED], S.SUCCEEDED, id="card"),
        pytest.param(
            [Op.ATTACH_PAYMENT_METHOD, Op.CONFIRM, Out.AUTHORIZED, Op.CAPTURE, Out.SUCCEEDED],
            S.SUCCEEDED,
            id="manual-capture",
        ),
        pytest.param(
            [
                Op.ATTACH_PAYMENT_METHOD,
                Op.CONFIRM,
                Out.ACTION_REQUIRED,
                Out.ACTION_COMPLETED,
                Out.SUCCEEDED,
            ],
            S.SUCCEEDED,
            id="3ds",
        ),
        pytest.param(
            [Op.ATTACH_PAYMENT_METHOD, Op.CONFIRM, Out.PENDING, Out.ASYNC_FAILED],
            S.REQUIRES_PAYMENT_METHOD,
            id="sepa-returned",
        ),
        pytest.param(
            [
                Op.ATTACH_PAYMENT_METHOD,
                Op.CONFIRM,
                Out.DECLINED,
                Op.ATTACH_PAYMENT_METHOD,
                Op.CONFIRM,
                Out.UNKNOWN,
                Out.SUCCEEDED,
            ],
            S.SUCCEEDED,
            id="decline-then-retry-with-lost-response",
        ),
        pytest.param(
            [Op.ATTACH_PAYMENT_METHOD, Op.CONFIRM, Out.AUTHORIZED, Out.EXPIRED],
            S.CANCELED,
            id="authorization-expired",
        ),
    ],
)
def test_typical_payment_stories_end_in_the_expected_status(events: list, final: S) -> None:
    assert _walk(S.REQUIRES_PAYMENT_METHOD, *events) is final


@given(st.lists(st.sampled_from(ALL_EVENTS), max_size=30))
def test_any_sequence_of_allowed_events_stays_within_known_statuses(events: list) -> None:
    status = S.REQUIRES_PAYMENT_METHOD
    for event in events:
        if (status, event) in TRANSITIONS:
            status = transition(status, event)
        assert status in S


# --- capture -------------------------------------------------------------------------


def _capture(amount: int | None, **overrides: object) -> Money:
    kwargs: dict = {
        "capture_method": CaptureMethod.MANUAL,
        "amount_capturable": Money(5000, "eur"),
        "amount_to_capture": amount,
    }
    kwargs.update(overrides)
    status = kwargs.pop("status", S.REQUIRES_CAPTURE)
    return validate_capture(status, **kwargs)


def test_capture_without_an_amount_captures_everything_capturable() -> None:
    assert _capture(None) == Money(5000, "eur")


def test_partial_capture_returns_the_requested_amount_in_the_intent_currency() -> None:
    assert _capture(1999) == Money(1999, "eur")


def test_capture_above_amount_capturable_is_amount_too_large() -> None:
    with pytest.raises(InvalidCaptureAmount) as info:
        _capture(5001)
    assert (info.value.code, info.value.param) == ("amount_too_large", "amount_to_capture")


def test_capture_with_nothing_capturable_is_refused() -> None:
    with pytest.raises(InvalidCaptureAmount):
        _capture(None, amount_capturable=Money(0, "eur"))


@pytest.mark.parametrize("amount", [0, -1])
def test_capture_of_zero_or_less_is_refused(amount: int) -> None:
    with pytest.raises(InvalidCaptureAmount) as info:
        _capture(amount)
    assert info.value.code == "parameter_invalid_integer"
    assert isinstance(info.value, InvalidRequest)


@pytest.mark.parametrize("amount", [True, 19.99, "1999"])
def test_capture_amount_must_be_an_integer_of_minor_units(amount: object) -> None:
    with pytest.raises(TypeError):
        _capture(amount)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", [CaptureMethod.AUTOMATIC, CaptureMethod.AUTOMATIC_ASYNC])
def test_only_manual_capture_intents_can_be_captured(method: CaptureMethod) -> None:
    with pytest.raises(CaptureNotAllowed) as info:
        _capture(None, capture_method=method)
    assert info.value.code == "payment_intent_unexpected_state"


@pytest.mark.parametrize("status", [s for s in S if s is not S.REQUIRES_CAPTURE])
def test_capture_is_only_allowed_in_requires_capture(status: S) -> None:
    with pytest.raises(InvalidTransition):
        _capture(None, status=status)


@given(capturable=st.integers(1, 10**12), requested=st.integers(-(10**12), 10**12))
def test_a_capture_is_never_more_than_what_is_capturable(capturable: int, requested: int) -> None:
    try:
        captured = _capture(requested, amount_capturable=Money(capturable, "jpy"))
    except InvalidCaptureAmount:
        assert requested <= 0 or requested > capturable
    else:
        assert 0 < captured.amount <= capturable
        assert captured.currency == "jpy"


# --- cancel --------------------------------------------------------------------------


@pytest.mark.parametrize("reason", sorted(MERCHANT_CANCELLATION_REASONS))
def test_merchants_may_give_stripes_four_cancellation_reasons(reason: str) -> None:
    assert validate_cancel(S.REQUIRES_CAPTURE, reason) == CancellationReason(reason)


@pytest.mark.parametrize("reason", ["failed_invoice", "void_invoice", "automatic"])
def test_system_cancellation_reasons_are_reserved_for_the_system(reason: str) -> None:
    with pytest.raises(InvalidCancellationReason):
        validate_cancel(S.REQUIRES_PAYMENT_METHOD, reason)
    assert validate_cancel(S.REQUIRES_PAYMENT_METHOD, reason, system=True) is CancellationReason(
        reason
    )


def test_an_unknown_cancellation_reason_is_refused_with_its_param() -> None:
    with pytest.raises(InvalidCancellationReason) as info:
        validate_cancel(S.REQUIRES_CONFIRMATION, "changed_my_mind")
    assert info.value.code == "payment_intent_invalid_parameter"
    assert info.value.param == "cancellation_reason"
    assert isinstance(info.value, PaymentIntentError)


def test_cancel_without_a_reason_is_allowed() -> None:
    assert validate_cancel(S.REQUIRES_ACTION) is None


@pytest.mark.parametrize("status", [S.PROCESSING, S.SUCCEEDED, S.CANCELED])
def test_cancel_is_refused_once_money_is_moving_or_settled(status: S) -> None:
    with pytest.raises(InvalidTransition, match=f"status of {status}"):
        validate_cancel(status, "duplicate")
