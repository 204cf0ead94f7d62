"""Webhook deliveries: one event sent to one endpoint, retried on a schedule.

A delivery is ``pending`` until an attempt gets a 2xx answer (``succeeded``) or
the retry window closes (``failed``). Anything but a 2xx (another status, a
timeout, a refused connection, an address refused by the SSRF rule) is a failed
attempt, retried with exponential backoff like Stripe's: at once, then after
5 min, 30 min, 2 h, 5 h, 10 h, 10 h, ... each delay stretched by up to 10 %
random jitter, for at most 3 days after the delivery was created. An endpoint
whose attempts have failed without a single success for 5 days is disabled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
)
RETRY_WINDOW = timedelta(days=3)
JITTER = 0.1
DISABLE_AFTER = timedelta(days=5)
SNIPPET_BYTES = 1024


class DeliveryStatus(StrEnum):
    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    id: str
    endpoint_id: str
    event_id: str
    event_type: str
    created: datetime
    status: DeliveryStatus = DeliveryStatus.pending
    sequence: int = 0
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    response_status: int | None = None
    latency_ms: int | None = None
    response_body: str | None = None
    error_code: str | None = None
    error_message: str | None = None


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    """What one HTTP attempt produced. ``error_code`` is None exactly when it succeeded."""

    latency_ms: int
    status_code: int | None = None
    body: str | None = None
    error_code: str | None = None
    error_message: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.error_code is None

    @classmethod
    def from_status(cls, status_code: int, latency_ms: int, body: str | None) -> AttemptOutcome:
        if 200 <= status_code < 300:
            return cls(latency_ms=latency_ms, status_code=status_code, body=body)
        return cls(
            latency_ms=latency_ms,
            status_code=status_code,
            body=body,
            error_code="http_status",
            error_message=f"The endpoint answered HTTP {status_code}; expected a 2xx status.",
        )


def retry_delay(failed_attempts: int, rand: float) -> timedelta:
    """The wait after the ``failed_attempts``-th failure (1-based), with jitter ``rand`` in [0, 1)."""
    if failed_attempts < 1:
        raise ValueError("retry_delay is defined after at least one failed attempt")
    base = RETRY_DELAYS[min(failed_attempts, len(RETRY_DELAYS)) - 1]
    return base * (1 + JITTER * min(max(rand, 0.0), 1.0))


def next_attempt_after_failure(
    *, created: datetime, failed_attempts: int, now: datetime, rand: float
) -> datetime | None:
    """When to try again (a whole second, as the API shows it), or None when that would
    fall outside the 3-day window."""
    when = now + retry_delay(failed_attempts, rand)
    if when.microsecond:
        when = when.replace(microsecond=0) + timedelta(seconds=1)
    return when if when - created <= RETRY_WINDOW else None


@dataclass(frozen=True, slots=True)
class NextState:
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None


def after_attempt(
    *, created: datetime, attempts_before: int, outcome: AttemptOutcome, now: datetime, rand: float
) -> NextState:
    attempts = attempts_before + 1
    if outcome.succeeded:
        return NextState(DeliveryStatus.succeeded, attempts, None)
    retry_at = next_attempt_after_failure(
        created=created, failed_attempts=attempts, now=now, rand=rand
    )
    if retry_at is None:
        return NextState(DeliveryStatus.failed, attempts, None)
    return NextState(DeliveryStatus.pending, attempts, retry_at)


def should_disable(failing_since: datetime | None, now: datetime) -> bool:
    """An endpoint is disabled when its failures have gone on, unbroken, for 5 days."""
    return failing_since is not None and now - failing_since >= DISABLE_AFTER
