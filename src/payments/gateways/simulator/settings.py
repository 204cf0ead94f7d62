"""Tunables of the simulator, and its id scheme."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulatorSettings:
    # SEPA debits settle (or bounce) this long after the charge call.
    sepa_settlement_delay: timedelta = timedelta(days=3)
    # ... and the "delayed" test IBANs this much later again (Stripe: 3 minutes).
    sepa_delayed_extra: timedelta = timedelta(minutes=3)
    # Pending refunds (SEPA, bank transfer, pm_card_pendingRefund) succeed after this.
    refund_settlement_delay: timedelta = timedelta(days=1)
    # A refund of pm_card_refundFail reports succeeded, then fails after this.
    refund_failure_delay: timedelta = timedelta(hours=1)
    # Dispute cards / IBANs are disputed this long after they succeed.
    dispute_delay: timedelta = timedelta(0)
    # A movement of the balance is available this long after the start of its day (UTC),
    # when the day's automatic payout (one per currency) arrives: Stripe test mode's
    # two-day rolling payout schedule.
    payout_delay: timedelta = timedelta(days=2)
    # 3-D Secure challenges redirect to f"{action_url_base}/{reference}?return_url=...".
    action_url_base: str = "https://simulator.payments.invalid/3ds"
    # A local method's page (the bank, Klarna, TWINT, Swish, the BLIK banking app) is
    # f"{pages_url_base}/{type}/{reference}".
    pages_url_base: str = "https://simulator.payments.invalid"
    # An authorized local method payment is processing this long before it succeeds.
    local_settlement_delay: timedelta = timedelta(seconds=2)
    # A BLIK payment the customer does not approve in the banking app within this fails
    # (Stripe: 60 seconds).
    blik_approval_window: timedelta = timedelta(seconds=60)
    # HMAC key of card / IBAN fingerprints: share it between processes of one simulator.
    fingerprint_key: bytes = b"payments-simulator-fingerprint-v1"
    # The account customers pay bank transfers into.
    receiving_iban: str = "DE98370400440000000042"
    receiving_bic: str = "SIMUDEFFXXX"
    receiving_account_holder: str = "MyComputer Payments (simulator)"


def new_id(prefix: str, now: datetime) -> str:
    """``<prefix>_<10 chars of ms timestamp><16 random chars>``, sortable by time."""
    millis = int(now.timestamp() * 1000)
    stamp = "".join(_CROCKFORD[(millis >> shift) & 31] for shift in range(45, -1, -5))
    bits = secrets.randbits(80)  # one draw (secrets.choice costs a system call per char)
    tail = "".join(_CROCKFORD[(bits >> shift) & 31] for shift in range(75, -1, -5))
    return f"{prefix}_{stamp}{tail}"
