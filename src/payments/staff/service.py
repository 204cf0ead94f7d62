"""Staff users: create them, sign them in (password, then TOTP when enrolled), keep their
sessions, sign them out.

Passwords are hashed with argon2id (argon2-cffi); hashing runs in a worker thread so a
sign-in never stalls the event loop. The cookie carries a random token; the database
keeps only its SHA-256, so a copy of the sessions table signs nobody in. Failed sign-ins
count per user (MAX_FAILURES locks them out for LOCKOUT) and per address (throttled
after MAX_FAILURES_PER_ADDRESS within THROTTLE_WINDOW). Sign-ins, failures of a known
user, lock-outs and sign-outs are in the audit trail.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import string
from dataclasses import dataclass, field
from datetime import timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from payments.audit.service import CLI, record_audit
from payments.kernel.access import Role
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import Conflict, InvalidRequest, NotFound, must_exist
from payments.kernel.ids import id_for
from payments.locations.repository import LocationRepository
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.staff.domain import (
    ABSOLUTE_TIMEOUT,
    MIN_PASSWORD_LENGTH,
    THROTTLE_WINDOW,
    SignInFailed,
    SignInThrottled,
    StaffSession,
    StaffUser,
    normalize_email,
    throttled,
    valid_email,
)
from payments.staff.repository import (
    SignInAttemptRepository,
    StaffSessionRepository,
    StaffUserRepository,
)

_HASHER = PasswordHasher()
_ALPHABET = string.ascii_letters + string.digits
GENERATED_PASSWORD_LENGTH = 20
TOTP_ISSUER = "MyComputer Payments"
_WRONG = "Wrong e-mail address, password or code."
# verified against when the e-mail is unknown, so both answers take as long
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


def generate_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(GENERATED_PASSWORD_LENGTH))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _hash(password: str) -> str:
    return await asyncio.to_thread(_HASHER.hash, password)


async def _verify(password_hash: str, password: str) -> bool:
    def check() -> bool:
        try:
            return _HASHER.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


async def create_staff_user(
    *,
    email: str,
    role: Role,
    location_id: str | None,
    password: str,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext = CLI,
) -> StaffUser:
    email = normalize_email(email)
    if not valid_email(email):
        raise InvalidRequest(f"Invalid e-mail address: {email!r}", param="email")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidRequest(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.",
            param="password",
        )
    user = StaffUser(
        id=id_for("staff_user"),
        email=email,
        role=role,
        location_id=location_id,
        password_hash=await _hash(password),
        created=clock.now(),
    )
    async with uow_factory() as uow:
        if location_id is not None and await uow.repo(LocationRepository).get(location_id) is None:
            raise NotFound.of("location", location_id, param="location")
        if await uow.repo(StaffUserRepository).by_email(email) is not None:
            raise Conflict(f"A staff user with e-mail {email} exists already.", param="email")
        await uow.repo(StaffUserRepository).add(user)
        await record_audit(
            uow,
            "staff_user.created",
            object_type="staff_user",
            object_id=user.id,
            ctx=ctx,
            clock=clock,
            after={"email": email, "role": role.value, "location": location_id},
            location_id=location_id,
        )
        await uow.commit()
    return user


async def count_staff_users(*, uow_factory: UnitOfWorkFactory) -> int:
    async with uow_factory() as uow:
        return await uow.repo(StaffUserRepository).count()


async def list_staff_users(*, uow_factory: UnitOfWorkFactory) -> list[StaffUser]:
    async with uow_factory() as uow:
        return await uow.repo(StaffUserRepository).all()


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A new session: ``token`` goes into the cookie (and nowhere else)."""

    token: str = field(repr=False)
    session: StaffSession
    user: StaffUser

    @property
    def needs_second_factor(self) -> bool:
        return self.session.second_factor_pending


def _ctx(user: StaffUser, ip: str | None) -> RequestContext:
    return RequestContext(principal=user.principal, ip=ip)


async def _audit(
    uow: UnitOfWork, action: str, user: StaffUser, ip: str | None, clock: Clock, **after: object
) -> None:
    await record_audit(
        uow,
        action,
        object_type="staff_user",
        object_id=user.id,
        ctx=_ctx(user, ip),
        clock=clock,
        after=dict(after) or None,
        location_id=user.location_id,
    )


async def _fail(
    uow: UnitOfWork, user: StaffUser, *, ip: str, clock: Clock, step: str
) -> SignInFailed | SignInThrottled:
    """Count the failure (committed), audit it, and return the error to raise."""
    now = clock.now()
    user.record_failure(now)
    await uow.repo(StaffUserRepository).save(user)
    await uow.repo(SignInAttemptRepository).add(email=user.email, ip=ip, succeeded=False, when=now)
    await _audit(uow, "staff_user.sign_in_failed", user, ip, clock, step=step)
    if user.locked(now):
        await _audit(
            uow,
            "staff_user.locked_out",
            user,
            ip,
            clock,
            until=user.locked_until.isoformat() if user.locked_until else None,
        )
    await uow.commit()
    if user.locked(now):
        return _locked_error()
    return SignInFailed(_WRONG, code="sign_in_failed")


def _locked_error() -> SignInThrottled:
    return SignInThrottled(
        "Too many failed sign-ins: this account is locked for a while. Try again later "
        "or ask an administrator.",
        code="account_locked",
    )


async def sign_in(
    email: str,
    password: str,
    *,
    ip: str,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> SignedIn:
    """Check the password; open a session (pending its second factor when the user has
    TOTP). Raises :class:`SignInFailed` or :class:`SignInThrottled`."""
    email = normalize_email(email)
    now = clock.now()
    async with uow_factory() as uow:
        failures = await uow.repo(SignInAttemptRepository).failures_from(ip, now - THROTTLE_WINDOW)
        user = await uow.repo(StaffUserRepository).by_email(email)
    if throttled(failures):
        raise SignInThrottled(
            "Too many failed sign-ins from this address: wait a few minutes.",
            code="sign_in_throttled",
        )
    if user is not None and user.locked(now):
        raise _locked_error()
    ok = await _verify(user.password_hash if user else _DUMMY_HASH, password)
    async with uow_factory() as uow:
        if user is None or user.disabled_at is not None:
            await uow.repo(SignInAttemptRepository).add(
                email=email, ip=ip, succeeded=False, when=now
            )
            await uow.commit()
            raise SignInFailed(_WRONG, code="sign_in_failed")
        user = must_exist(
            await uow.repo(StaffUserRepository).get(user.id, for_update=True), "staff_user", user.id
        )
        if user.locked(now):
            raise _locked_error()
        if not ok:
            raise await _fail(uow, user, ip=ip, clock=clock, step="password")
        user.record_success()
        await uow.repo(StaffUserRepository).save(user)
        token = secrets.token_urlsafe(32)
        session = StaffSession(
            id=token_hash(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created=now,
            last_seen=now,
            second_factor_pending=user.totp_secret is not None,
            ip=ip,
        )
        await uow.repo(StaffSessionRepository).add(session)
        if not session.second_factor_pending:
            await uow.repo(SignInAttemptRepository).add(
                email=email, ip=ip, succeeded=True, when=now
            )
            await _audit(uow, "staff_user.signed_in", user, ip, clock, second_factor=False)
        await uow.commit()
    return SignedIn(token=token, session=session, user=user)


def _totp_step(secret: str, code: str, clock: Clock, last_step: int | None) -> int | None:
    """The time step ``code`` is valid for (one step of drift either way), or None; a
    step at or before ``last_step`` (a code used already) is refused."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = clock.now()
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            if last_step is not None and step <= last_step:
                return None
            return step
    return None


async def complete_second_factor(
    token: str, code: str, *, ip: str, uow_factory: UnitOfWorkFactory, clock: Clock
) -> StaffUser:
    """The TOTP code for a session pending it; wrong codes count as failed sign-ins."""
    now = clock.now()
    async with uow_factory() as uow:
        session = await uow.repo(StaffSessionRepository).get(token_hash(token))
        if session is None or not session.second_factor_pending or session.expired(now):
            raise SignInFailed("The sign-in expired: start again.", code="sign_in_expired")
        user = must_exist(
            await uow.repo(StaffUserRepository).get(session.user_id, for_update=True),
            "staff_user",
            session.user_id,
        )
        if user.locked(now):
            await uow.repo(StaffSessionRepository).end(session.id, now)
            await uow.commit()
            raise _locked_error()
        step = _totp_step(user.totp_secret or "", code, clock, user.totp_last_step)
        if step is None:
            error = await _fail(uow, user, ip=ip, clock=clock, step="second_factor")
            if isinstance(error, SignInThrottled):
                async with uow_factory() as again:
                    await again.repo(StaffSessionRepository).end(session.id, now)
                    await again.commit()
            raise error
        user.totp_last_step = step
        user.record_success()
        await uow.repo(StaffUserRepository).save(user)
        await uow.repo(StaffSessionRepository).promote(session.id, now)
        await uow.repo(SignInAttemptRepository).add(
            email=user.email, ip=ip, succeeded=True, when=now
        )
        await _audit(uow, "staff_user.signed_in", user, ip, clock, second_factor=True)
        await uow.commit()
    return user


@dataclass(frozen=True, slots=True)
class CurrentSession:
    session: StaffSession
    user: StaffUser


async def current_session(
    token: str | None, *, uow_factory: UnitOfWorkFactory, clock: Clock
) -> CurrentSession | None:
    """The signed-in user of a cookie's token (its idle timer restarted), or None when
    there is none, it expired, waits for its second factor, or the user is disabled."""
    if not token:
        return None
    now = clock.now()
    async with uow_factory() as uow:
        session = await uow.repo(StaffSessionRepository).get(token_hash(token))
        if session is None or session.second_factor_pending or session.expired(now):
            return None
        user = await uow.repo(StaffUserRepository).get(session.user_id)
        if user is None or user.disabled_at is not None:
            return None
        await uow.repo(StaffSessionRepository).touch(session.id, now)
        await uow.commit()
    session.last_seen = now
    return CurrentSession(session=session, user=user)


async def pending_session(
    token: str | None, *, uow_factory: UnitOfWorkFactory, clock: Clock
) -> StaffSession | None:
    """A session still waiting for its second factor (and not expired)."""
    if not token:
        return None
    async with uow_factory() as uow:
        session = await uow.repo(StaffSessionRepository).get(token_hash(token))
    if session is None or not session.second_factor_pending or session.expired(clock.now()):
        return None
    return session


async def sign_out(
    token: str, *, ip: str | None, uow_factory: UnitOfWorkFactory, clock: Clock
) -> None:
    now = clock.now()
    async with uow_factory() as uow:
        session = await uow.repo(StaffSessionRepository).get(token_hash(token))
        if session is None or session.ended_at is not None:
            return
        await uow.repo(StaffSessionRepository).end(session.id, now)
        user = await uow.repo(StaffUserRepository).get(session.user_id)
        if user is not None and not session.second_factor_pending:
            await _audit(uow, "staff_user.signed_out", user, ip, clock)
        await uow.commit()


async def begin_totp_enrolment(user_id: str, *, uow_factory: UnitOfWorkFactory) -> tuple[str, str]:
    """A new secret (kept pending until confirmed) and its ``otpauth://`` URI."""
    secret = pyotp.random_base32()
    async with uow_factory() as uow:
        user = must_exist(
            await uow.repo(StaffUserRepository).get(user_id, for_update=True), "staff_user", user_id
        )
        user.totp_pending_secret = secret
        await uow.repo(StaffUserRepository).save(user)
        await uow.commit()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)
    return secret, uri


async def confirm_totp_enrolment(
    user_id: str, code: str, *, ip: str | None, uow_factory: UnitOfWorkFactory, clock: Clock
) -> None:
    """The first code from the authenticator app proves the secret was stored there."""
    async with uow_factory() as uow:
        user = must_exist(
            await uow.repo(StaffUserRepository).get(user_id, for_update=True), "staff_user", user_id
        )
        secret = user.totp_pending_secret
        step = _totp_step(secret, code, clock, None) if secret else None
        if secret is None or step is None:
            raise InvalidRequest(
                "That code does not match: check the time on the phone and try again.",
                code="totp_code_invalid",
                param="code",
            )
        user.totp_secret, user.totp_pending_secret, user.totp_last_step = secret, None, step
        await uow.repo(StaffUserRepository).save(user)
        await _audit(uow, "staff_user.second_factor_enabled", user, ip, clock)
        await uow.commit()


async def purge_sign_in_records(*, uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Forget sign-in attempts older than a day (the throttle looks back THROTTLE_WINDOW)
    and sessions unused for longer than the absolute timeout (they can never be used
    again). The audit trail keeps the sign-ins themselves."""
    now = clock.now()
    async with uow_factory() as uow:
        attempts = await uow.repo(SignInAttemptRepository).purge_before(now - timedelta(days=1))
        sessions = await uow.repo(StaffSessionRepository).purge_before(now - ABSOLUTE_TIMEOUT)
        await uow.commit()
    return attempts + sessions
