"""The gateway's view of a charge applied to the intent and the charge: every gateway
status from every intent status (exhaustively), then the details (fees, bank transfers,
declines, stale answers)."""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from payments.events.domain import EVENT_TYPES
from payments.gateways.protocol import (
    CHARGE_STATUSES,
    BankTransferInstructions,
    CardDetails,
    ChargeResult,
    ChargeStatus,
    Decline,
    Fee,
    PaymentMethodDetails,
)
from payments.intents.domain.charge_result import (
    TARGET,
    Ignored,
    Reconciled,
    Subject,
    intent_event,
    reconcile_charge,
)
from payments.intents.domain.model import Charge, PaymentIntent
from payments.intents.domain.model import ChargeStatus as OurChargeStatus
from payments.intents.domain.payment_intent import CaptureMethod, PaymentIntentStatus

S = PaymentIntentStatus
C = OurChargeStatus
NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(hours=1)
AMOUNT = 5000
REDIRECT = "https://gateway.example/3ds/gw_1"
THREE_DS = {
    "type": "redirect_to_url",
    "redirect_to_url": {"url": REDIRECT, "return_url": "https://shop.example/back"},
}
DECLINE = Decline(
    code="card_declined", message="Your card was declined.", decline_code="generic_decline"
)


def _intent(status: S, **fields: Any) -> PaymentIntent:
    values: dict[str, Any] = {
        "id": "pi_1",
        "location_id": "loc_1",
        "amount": AMOUNT,
        "currency": "eur",
        "status": status,
        "capture_method": CaptureMethod.AUTOMATIC,
        "payment_method_types": ["card"],
        "created": EARLIER,
        "payment_method_id": "pm_1",
        "latest_charge_id": "ch_1",
        "return_url": "https://shop.example/back",
    }
    return PaymentIntent(**(values | fields))


def _charge(status: C, **fields: Any) -> Charge:
    values: dict[str, Any] = {
        "id": "ch_1",
        "payment_intent_id": "pi_1",
        "location_id": "loc_1",
        "amount": AMOUNT,
        "currency": "eur",
        "status": status,
        "gateway": "simulator",
        "created": EARLIER,
        "payment_method_id": "pm_1",
        "gateway_ref": "gw_1",
    }
    return Charge(**(values | fields))


_FAILED = {
    "failure_code": "card_declined",
    "failure_message": "Your card was declined.",
    "decline_code": "generic_decline",
}
_LAST_ERROR = {
    "type": "card_error",
    "code": "card_declined",
    "decline_code": "generic_decline",
    "message": "Your card was declined.",
    "charge": "ch_1",
    "payment_method": {"id": "pm_1"},
}

#: A typical intent and its latest charge in each status.
STATE: dict[S, tuple[PaymentIntent, Charge]] = {
    S.REQUIRES_PAYMENT_METHOD: (
        _intent(S.REQUIRES_PAYMENT_METHOD, last_payment_error=_LAST_ERROR),
        _charge(C.failed, **_FAILED),
    ),
    S.REQUIRES_CONFIRMATION: (  # its last attempt never reached the gateway
        _intent(S.REQUIRES_CONFIRMATION),
        _charge(C.failed, gateway_ref=None, failure_code="gateway_unavailable"),
    ),
    S.REQUIRES_ACTION: (_intent(S.REQUIRES_ACTION, next_action=THREE_DS), _charge(C.pending)),
    S.PROCESSING: (_intent(S.PROCESSING), _charge(C.pending, gateway_ref=None)),
    S.REQUIRES_CAPTURE: (
        _intent(S.REQUIRES_CAPTURE, capture_method=CaptureMethod.MANUAL, amount_capturable=AMOUNT),
        _charge(C.succeeded, amount_authorized=AMOUNT),
    ),
    S.SUCCEEDED: (
        _intent(S.SUCCEEDED, amount_received=AMOUNT),
        _charge(C.succeeded, captured=True, amount_captured=AMOUNT),
    ),
    S.CANCELED: (  # an authorization that was released
        _intent(
            S.CANCELED,
            capture_method=CaptureMethod.MANUAL,
            canceled_at=EARLIER,
            cancellation_reason="requested_by_customer",
        ),
        _charge(C.succeeded, amount_authorized=AMOUNT),
    ),
}


def _result(status: ChargeStatus, **fields: Any) -> ChargeResult:
    values: dict[str, Any] = {
        "reference": "gw_1",
        "status": status,
        "amount": AMOUNT,
        "currency": "eur",
        "created": EARLIER,
    }
    values |= {
        "succeeded": {"amount_received": AMOUNT},
        "requires_capture": {"amount_capturable": AMOUNT, "capture_method": "manual"},
        "requires_action": {"redirect_url": REDIRECT},
        "processing": {},
        "failed": {"decline": DECLINE},
        "canceled": {},
    }[status]
    return ChargeResult(**(values | fields))


@dataclass(frozen=True)
class Moves:
    """What applying a view does: the intent's new status, the events (in order) and
    the journal transactions (their kinds, in order)."""

    status: S
    events: tuple[str, ...] = ()
    journal: tuple[str, ...] = ()


IGNORED = None

# The specification, written out per intent status independently of the module.
EXPECTED: dict[S, dict[ChargeStatus, Moves | None]] = {
    S.REQUIRES_PAYMENT_METHOD: {
        "succeeded": IGNORED,
        "requires_capture": IGNORED,
        "requires_action": IGNORED,
        "processing": IGNORED,
        "failed": Moves(S.REQUIRES_PAYMENT_METHOD),  # the decline again: already recorded
        "canceled": Moves(S.CANCELED, ("payment_intent.canceled",)),
    },
    S.REQUIRES_CONFIRMATION: {
        "succeeded": IGNORED,
        "requires_capture": IGNORED,
        "requires_action": IGNORED,
        "processing": IGNORED,
        "failed": IGNORED,
        "canceled": Moves(S.CANCELED, ("payment_intent.canceled",)),
    },
    S.REQUIRES_ACTION: {
        "succeeded": Moves(
            S.SUCCEEDED, ("charge.succeeded", "payment_intent.succeeded"), ("charge.succeeded",)
        ),
        "requires_capture": Moves(
            S.REQUIRES_CAPTURE,
            ("charge.succeeded", "payment_intent.amount_capturable_updated"),
            ("charge.authorized",),
        ),
        "requires_action": Moves(S.REQUIRES_ACTION),
        "processing": Moves(S.PROCESSING, ("payment_intent.processing",)),
        "failed": Moves(
            S.REQUIRES_PAYMENT_METHOD, ("charge.failed", "payment_intent.payment_failed")
        ),
        "canceled": Moves(S.CANCELED, ("payment_intent.canceled",)),
    },
    S.PROCESSING: {  # the gateway's first answer to the attempt
        "succeeded": Moves(
            S.SUCCEEDED, ("charge.succeeded", "payment_intent.succeeded"), ("charge.succeeded",)
        ),
        "requires_capture": Moves(
            S.REQUIRES_CAPTURE,
            ("charge.succeeded", "payment_intent.amount_capturable_updated"),
            ("charge.authorized",),
        ),
        "requires_action": Moves(S.REQUIRES_ACTION, ("payment_intent.requires_action",)),
        "processing": Moves(S.PROCESSING, ("charge.pending", "payment_intent.processing")),
        "failed": Moves(
            S.REQUIRES_PAYMENT_METHOD, ("charge.failed", "payment_intent.payment_failed")
        ),
        "canceled": Moves(S.CANCELED, ("payment_intent.canceled",)),
    },
    S.REQUIRES_CAPTURE: {
        "succeeded": Moves(
            S.SUCCEEDED, ("charge.captured", "payment_intent.succeeded"), ("charge.captured",)
        ),
        "requires_capture": Moves(S.REQUIRES_CAPTURE),
        "requires_action": IGNORED,
        "processing": IGNORED,
        "failed": IGNORED,
        "canceled": Moves(
            S.CANCELED, ("charge.expired", "payment_intent.canceled"), ("authorization.released",)
        ),
    },
    S.SUCCEEDED: {
        "succeeded": Moves(S.SUCCEEDED),
        "requires_capture": IGNORED,
        "requires_action": IGNORED,
        "processing": IGNORED,
        "failed": IGNORED,
        "canceled": IGNORED,
    },
    S.CANCELED: {
        "succeeded": IGNORED,
        "requires_capture": IGNORED,
        "requires_action": IGNORED,
        "processing": IGNORED,
        "failed": IGNORED,
        "canceled": Moves(S.CANCELED),  # the hold was released when it was canceled
    },
}

PAIRS = list(itertools.product(S, CHARGE_STATUSES))


def _apply(status: S, gateway: ChargeStatus, **result: Any) -> Reconciled | Ignored:
    intent, charge = STATE[status]
    return reconcile_charge(intent, charge, _result(gateway, **result), now=NOW)


def _moves(outcome: Reconciled | Ignored) -> Moves | None:
    if isinstance(outcome, Ignored):
        return IGNORED
    return Moves(
        outcome.intent.status,
        tuple(e.type for e in outcome.events),
        tuple(tx.kind.value for tx in outcome.journal),
    )


def test_the_specification_covers_every_intent_status_and_gateway_status() -> None:
    assert set(EXPECTED) == set(S)
    assert all(set(row) == set(CHARGE_STATUSES) for row in EXPECTED.values())
    assert set(TARGET) == set(CHARGE_STATUSES)


@pytest.mark.parametrize(("status", "gateway"), PAIRS)
def test_every_gateway_status_from_every_intent_status_follows_the_specification(
    status: S, gateway: ChargeStatus
) -> None:
    assert _moves(_apply(status, gateway)) == EXPECTED[status][gateway]


@pytest.mark.parametrize(("status", "gateway"), PAIRS)
def test_a_view_the_table_cannot_reach_is_ignored_never_applied_backwards(
    status: S, gateway: ChargeStatus
) -> None:
    outcome = _apply(status, gateway)
    if EXPECTED[status][gateway] is IGNORED:
        assert outcome is Ignored.NO_PATH
    else:
        assert isinstance(outcome, Reconciled)
        assert outcome.intent.status == TARGET[gateway]


@pytest.mark.parametrize(("status", "gateway"), PAIRS)
def test_applying_the_same_view_twice_changes_nothing_the_second_time(
    status: S, gateway: ChargeStatus
) -> None:
    first = _apply(status, gateway)
    if isinstance(first, Reconciled):
        again = reconcile_charge(first.intent, first.charge, _result(gateway), now=NOW)
        assert again == Reconciled(
            intent=first.intent, charge=first.charge, journal=(), events=(), changed=False
        )


@pytest.mark.parametrize(("status", "gateway"), PAIRS)
def test_the_intent_and_the_charge_given_are_never_changed(
    status: S, gateway: ChargeStatus
) -> None:
    intent, charge = STATE[status]
    before = copy.deepcopy((intent, charge))
    reconcile_charge(intent, charge, _result(gateway), now=NOW)
    assert (intent, charge) == before


@pytest.mark.parametrize(("status", "gateway"), PAIRS)
def test_an_answer_for_an_older_charge_of_the_intent_is_ignored(
    status: S, gateway: ChargeStatus
) -> None:
    intent, charge = STATE[status]
    newer = replace(intent, latest_charge_id="ch_2")
    assert reconcile_charge(newer, charge, _result(gateway), now=NOW) is Ignored.STALE_CHARGE


@pytest.mark.parametrize(("status", "gateway"), PAIRS)
def test_it_reports_a_change_exactly_when_there_is_something_to_store(
    status: S, gateway: ChargeStatus
) -> None:
    intent, charge = STATE[status]
    outcome = reconcile_charge(intent, charge, _result(gateway), now=NOW)
    if isinstance(outcome, Reconciled):
        something = (
            outcome.intent != intent
            or outcome.charge != charge
            or bool(outcome.events or outcome.journal)
        )
        assert outcome.changed == something


@pytest.mark.parametrize(("status", "gateway"), PAIRS)
def test_events_are_registered_and_each_journal_transaction_is_the_charges(
    status: S, gateway: ChargeStatus
) -> None:
    outcome = _apply(status, gateway)
    if isinstance(outcome, Reconciled):
        assert {e.type for e in outcome.events} <= set(EVENT_TYPES)
        assert {tx.source.id for tx in outcome.journal} <= {"ch_1"}
        for event in outcome.events:
            expected = (
                Subject.PAYMENT_INTENT
                if event.type.startswith("payment_intent.")
                else Subject.CHARGE
            )
            assert event.subject is expected


@pytest.mark.parametrize("status", sorted(set(TARGET.values())))
def test_every_status_the_gateway_can_move_an_intent_to_has_a_registered_event(
    status: S,
) -> None:
    assert intent_event(status) in EVENT_TYPES


def test_the_gateway_never_moves_an_intent_to_requires_confirmation() -> None:
    with pytest.raises(ValueError, match="requires_confirmation"):
        intent_event(S.REQUIRES_CONFIRMATION)


# --------------------------------------------------------------------------- details


def test_the_first_answer_stores_the_gateways_reference_and_method_details() -> None:
    card = CardDetails(
        brand="visa", last4="4242", exp_month=12, exp_year=2030, country="DE", fingerprint="f"
    )
    outcome = _apply(
        S.PROCESSING,
        "succeeded",
        payment_method_details=PaymentMethodDetails(type="card", card=card),
    )
    assert isinstance(outcome, Reconciled)
    assert outcome.charge.gateway_ref == "gw_1"
    assert outcome.charge.payment_method_details == {
        "type": "card",
        "card": {
            "brand": "visa",
            "last4": "4242",
            "exp_month": 12,
            "exp_year": 2030,
            "country": "DE",
            "fingerprint": "f",
            "funding": "credit",
            "wallet": None,
            "checks": None,
            "test_risk": None,
        },
    }


def test_a_payment_captures_the_charge_and_records_what_was_received() -> None:
    outcome = _apply(S.PROCESSING, "succeeded")
    assert isinstance(outcome, Reconciled)
    assert (outcome.charge.status, outcome.charge.captured) == (C.succeeded, True)
    assert outcome.charge.amount_captured == outcome.intent.amount_received == AMOUNT
    assert outcome.intent.amount_capturable == 0
    assert outcome.journal[0].source.object == "charge"


def test_a_partial_capture_is_posted_as_a_capture_of_the_hold() -> None:
    outcome = _apply(S.REQUIRES_CAPTURE, "succeeded", amount_received=3000)
    assert isinstance(outcome, Reconciled)
    assert outcome.charge.amount_captured == outcome.intent.amount_received == 3000
    (capture,) = outcome.journal
    assert capture.kind.value == "charge.captured"


def test_an_authorization_holds_the_capturable_amount() -> None:
    outcome = _apply(S.PROCESSING, "requires_capture", amount_capturable=4000)
    assert isinstance(outcome, Reconciled)
    assert outcome.charge.amount_authorized == outcome.intent.amount_capturable == 4000
    assert outcome.charge.status == C.succeeded
    assert outcome.charge.captured is False


def test_the_fee_is_posted_once_it_is_known_for_a_captured_charge() -> None:
    outcome = _apply(S.PROCESSING, "succeeded", fees=(Fee(amount=175, currency="eur"),))
    assert isinstance(outcome, Reconciled)
    assert outcome.charge.fee == 175
    assert [tx.kind.value for tx in outcome.journal] == ["charge.succeeded", "charge.fee"]
    again = reconcile_charge(
        outcome.intent,
        outcome.charge,
        _result("succeeded", fees=(Fee(amount=175, currency="eur"),)),
        now=NOW,
    )
    assert isinstance(again, Reconciled)
    assert (again.changed, again.journal, again.events) == (False, (), ())


def test_a_fee_learned_after_the_payment_is_posted_alone() -> None:
    outcome = _apply(S.SUCCEEDED, "succeeded", fees=(Fee(amount=175, currency="eur"),))
    assert isinstance(outcome, Reconciled)
    assert [tx.kind.value for tx in outcome.journal] == ["charge.fee"]
    assert (outcome.changed, outcome.events, outcome.charge.fee) == (True, (), 175)


def test_a_charge_that_costs_nothing_records_a_zero_fee_without_a_posting() -> None:
    outcome = _apply(S.PROCESSING, "succeeded", fees=())
    assert isinstance(outcome, Reconciled)
    assert outcome.charge.fee == 0
    assert [tx.kind.value for tx in outcome.journal] == ["charge.succeeded"]


def test_a_fee_in_another_currency_is_posted_in_that_currency() -> None:
    outcome = _apply(S.PROCESSING, "succeeded", fees=(Fee(amount=190, currency="usd"),))
    assert isinstance(outcome, Reconciled)
    assert outcome.charge.fee == 0  # nothing in the charge's own currency
    fee = outcome.journal[-1]
    assert fee.kind.value == "charge.fee"
    assert {entry.currency for entry in fee.entries} == {"usd"}


def test_no_fee_is_taken_from_an_uncaptured_authorization() -> None:
    outcome = _apply(S.PROCESSING, "requires_capture", fees=(Fee(amount=175, currency="eur"),))
    assert isinstance(outcome, Reconciled)
    assert outcome.charge.fee is None
    assert [tx.kind.value for tx in outcome.journal] == ["charge.authorized"]


def test_a_bank_transfer_paying_more_than_owed_credits_the_excess_to_the_customer() -> None:
    outcome = _apply(S.PROCESSING, "succeeded", amount_excess=250)
    assert isinstance(outcome, Reconciled)
    assert [tx.kind.value for tx in outcome.journal] == ["charge.succeeded", "charge.overpayment"]


def test_a_bank_transfer_awaiting_funds_shows_the_transfer_instructions() -> None:
    instructions = BankTransferInstructions(
        iban="DE89370400440532013000",
        bic="COBADEFFXXX",
        account_holder_name="Gateway GmbH",
        reference="REF-1",
        amount_remaining=AMOUNT,
        currency="eur",
    )
    outcome = _apply(S.PROCESSING, "processing", bank_transfer=instructions)
    assert isinstance(outcome, Reconciled)
    assert outcome.intent.next_action == {
        "type": "display_bank_transfer_instructions",
        "display_bank_transfer_instructions": {
            "amount_remaining": AMOUNT,
            "currency": "eur",
            "reference": "REF-1",
            "financial_addresses": [
                {
                    "type": "iban",
                    "iban": {
                        "iban": "DE89370400440532013000",
                        "bic": "COBADEFFXXX",
                        "account_holder_name": "Gateway GmbH",
                    },
                }
            ],
        },
    }


def test_a_challenge_sends_the_customer_to_the_gateway_and_back_to_the_return_url() -> None:
    outcome = _apply(S.PROCESSING, "requires_action")
    assert isinstance(outcome, Reconciled)
    assert outcome.intent.next_action == THREE_DS


def test_a_decline_is_recorded_on_the_charge_and_as_the_intents_last_payment_error() -> None:
    outcome = _apply(S.PROCESSING, "failed")
    assert isinstance(outcome, Reconciled)
    assert outcome.charge.status == C.failed
    assert (
        outcome.charge.failure_code,
        outcome.charge.failure_message,
        outcome.charge.decline_code,
    ) == ("card_declined", "Your card was declined.", "generic_decline")
    assert outcome.intent.last_payment_error == _LAST_ERROR
    assert outcome.intent.next_action is None


def test_a_failure_without_a_decline_reads_as_a_generic_card_decline() -> None:
    outcome = _apply(S.PROCESSING, "failed", decline=None)
    assert isinstance(outcome, Reconciled)
    assert outcome.charge.failure_code == "card_declined"
    assert outcome.charge.failure_message == "The payment failed."
    assert outcome.charge.decline_code is None


def test_a_cancel_by_the_gateway_is_automatic_and_happens_now() -> None:
    outcome = _apply(S.REQUIRES_CAPTURE, "canceled")
    assert isinstance(outcome, Reconciled)
    assert (outcome.intent.canceled_at, outcome.intent.cancellation_reason) == (NOW, "automatic")
    assert outcome.intent.amount_capturable == 0


def test_a_cancel_we_asked_for_keeps_its_reason_and_time() -> None:
    intent, charge = STATE[S.REQUIRES_CAPTURE]
    asked = replace(intent, cancellation_reason="duplicate", canceled_at=EARLIER)
    outcome = reconcile_charge(asked, charge, _result("canceled"), now=NOW)
    assert isinstance(outcome, Reconciled)
    assert (outcome.intent.canceled_at, outcome.intent.cancellation_reason) == (
        EARLIER,
        "duplicate",
    )


def test_the_gateways_own_screening_is_kept_beside_our_assessment() -> None:
    radar = {"type": "authorized", "risk_level": "elevated", "risk_score": 70, "rule": None}
    outcome = _apply(S.PROCESSING, "succeeded", gateway_outcome=radar)
    assert isinstance(outcome, Reconciled)
    assert outcome.charge.risk == {"gateway": radar}
