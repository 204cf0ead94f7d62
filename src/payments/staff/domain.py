"""Staff users and their sessions: the pure rules (lockout, timeouts, throttling).

A staff user has the same roles as an API key (admin, finance, clerk, readonly) and may
be bound to one shop; signed in, they act as a :class:`~payments.kernel.access.Principal`
whose id is the user's id (``usr_...``), so the approval rule "never the requester" and
the audit trail name the person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from payments.kernel.access import Principal, Role
from payments.kernel.errors import AuthenticationFailed, RateLimited

#: Failed passwords in a row after which a user is locked out for LOCKOUT.
MAX_FAILURES: Final = 5
LOCKOUT: Final = timedelta(minutes=15)
#: Failed sign-ins from one address within THROTTLE_WINDOW after which it must wait.
MAX_FAILURES_PER_ADDRESS: Final = 20
THROTTLE_WINDOW: Final = timedelta(minutes=15)
#: A session ends after this long without a request, and in any case after ABSOLUTE.
IDLE_TIMEOUT: Final = timedelta(minutes=30)
ABSOLUTE_TIMEOUT: Final = timedelta(hours=12)
#: Time to enter the second factor after the password.
SECOND_FACTOR_WINDOW: Final = timedelta(minutes=5)
MIN_PASSWORD_LENGTH: Final = 12


class SignInFailed(AuthenticationFailed):
    """Wrong e-mail, password or code: one message for all, naming none of them."""


class SignInThrottled(RateLimited):
    """Too many failures for this user or from this address."""


@dataclass(slots=True, kw_only=True)
class StaffUser:
    id: str
    email: str
    role: Role
    location_id: str | None
    password_hash: str = field(repr=False)  # never in a log line or a traceback's locals
    created: datetime
    totp_secret: str | None = field(default=None, repr=False)
    totp_pending_secret: str | None = field(default=None, repr=False)
    totp_last_step: int | None = None
    failed_count: int = 0
    locked_until: datetime | None = None
    disabled_at: datetime | None = None

    @property
    def principal(self) -> Principal:
        return Principal(
            api_key_id=self.id, name=self.email, role=self.role, location_id=self.location_id
        )

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def record_failure(self, now: datetime) -> None:
        """One more wrong password; the MAX_FAILURES-th locks the user for LOCKOUT."""
        self.failed_count += 1
        if self.failed_count >= MAX_FAILURES:
            self.locked_until = now + LOCKOUT
            self.failed_count = 0

    def record_success(self) -> None:
        self.failed_count = 0
        self.locked_until = None


@dataclass(slots=True, kw_only=True)
class StaffSession:
    """A signed-in browser. Only a hash of the cookie's token is stored."""

    id: str = field(repr=False)  # sha-256 of the cookie token
    user_id: str
    csrf_token: str = field(repr=False)
    created: datetime
    last_seen: datetime
    second_factor_pending: bool = False
    ip: str | None = None
    ended_at: datetime | None = None
    flash: list[str] = field(default_factory=list)

    def expired(self, now: datetime) -> bool:
        if self.ended_at is not None:
            return True
        if self.second_factor_pending:
            return now - self.created > SECOND_FACTOR_WINDOW
        return now - self.last_seen > IDLE_TIMEOUT or now - self.created > ABSOLUTE_TIMEOUT


def throttled(failures_from_address: int) -> bool:
    return failures_from_address >= MAX_FAILURES_PER_ADDRESS


def normalize_email(email: str) -> str:
    return email.strip().lower()


def valid_email(email: str) -> bool:
    local, at, domain = email.partition("@")
    return bool(local) and bool(at) and "." in domain and " " not in email and len(email) <= 254
