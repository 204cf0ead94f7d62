"""API keys: random secrets shown once, stored only as a SHA-256 hash, revocable.

A secret is ``sk_test_`` (or ``sk_live_``) plus 40 random base62 characters
(about 238 bits), so a fast hash is the right tool: there is nothing to
brute-force, and verification stays cheap on every request.
"""

from __future__ import annotations

import hashlib
import secrets
import string
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from payments.apikeys.repository import ApiKeyRepository
from payments.audit.service import CLI, record_audit
from payments.kernel.access import ApiKey, Principal, Role
from payments.kernel.clock import Clock, SystemClock
from payments.kernel.context import RequestContext
from payments.kernel.errors import AuthenticationFailed, InvalidRequest, NotFound, must_exist
from payments.kernel.ids import id_for
from payments.locations.repository import LocationRepository
from payments.platform.db.uow import UnitOfWorkFactory

_ALPHABET = string.ascii_letters + string.digits
SECRET_LENGTH = 40


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret(livemode: bool) -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(SECRET_LENGTH))
    return f"sk_{'live' if livemode else 'test'}_{body}"


@dataclass(frozen=True, slots=True)
class CreatedKey:
    key: ApiKey
    secret: str


async def create_api_key(
    *,
    role: Role,
    name: str,
    location_id: str | None,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    livemode: bool = False,
    ctx: RequestContext = CLI,
) -> CreatedKey:
    """Create a key; ``ctx`` is who does it, for the audit trail (default: the CLI)."""
    secret = _new_secret(livemode)
    key = ApiKey(
        id=id_for("api_key"),
        name=name,
        role=role,
        redacted=f"{secret[:8]}...{secret[-4:]}",
        created=clock.now(),
        location_id=location_id,
    )
    async with uow_factory() as uow:
        if location_id is not None and await uow.repo(LocationRepository).get(location_id) is None:
            raise NotFound.of("location", location_id, param="location")
        await uow.repo(ApiKeyRepository).add(key, secret_hash=hash_secret(secret))
        await record_audit(
            uow,
            "api_key.created",
            object_type="api_key",
            object_id=key.id,
            ctx=ctx,
            clock=clock,
            after={"name": name, "role": role.value, "location": location_id},
            location_id=location_id,
        )
        await uow.commit()
    return CreatedKey(key=key, secret=secret)


async def list_api_keys(*, uow_factory: UnitOfWorkFactory) -> list[ApiKey]:
    async with uow_factory() as uow:
        return await uow.repo(ApiKeyRepository).all()


async def revoke_api_key(
    key_id: str, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext = CLI
) -> ApiKey:
    async with uow_factory() as uow:
        key = await uow.repo(ApiKeyRepository).get(key_id)
        if key is None:
            raise NotFound.of("api_key", key_id)
        if not await uow.repo(ApiKeyRepository).revoke(key_id, clock.now()):
            raise InvalidRequest(f"API key {key_id} is already revoked", code="already_revoked")
        await record_audit(
            uow,
            "api_key.revoked",
            object_type="api_key",
            object_id=key_id,
            ctx=ctx,
            clock=clock,
            before={"active": True},
            after={"active": False},
            location_id=key.location_id,
        )
        await uow.commit()
        revoked = must_exist(await uow.repo(ApiKeyRepository).get(key_id), "api_key", key_id)
    return revoked


#: How long a rolled key may keep working beside its successor (Stripe offers up to 7 days).
MAX_ROLL_OVERLAP = timedelta(days=7)


async def roll_api_key(
    key_id: str,
    *,
    overlap: timedelta,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext = CLI,
) -> tuple[CreatedKey, ApiKey]:
    """Rotate a key with overlap: a new key of the same name, role and shop, shown once;
    the old one keeps working for ``overlap`` (0: stops now), so the systems that use it
    can switch without an outage. Returns the new key and the old one as it now is."""
    if not timedelta(0) <= overlap <= MAX_ROLL_OVERLAP:
        raise InvalidRequest(
            "The overlap must be between 0 and 7 days.", param="expires_in", code="invalid_overlap"
        )
    now = clock.now()
    async with uow_factory() as uow:
        repo = uow.repo(ApiKeyRepository)
        old = await repo.get(key_id)
        if old is None:
            raise NotFound.of("api_key", key_id)
        if not old.usable_at(now) or old.rolled_to is not None:
            raise InvalidRequest(
                f"API key {key_id} is revoked, expired or already rolled", code="already_revoked"
            )
        secret = _new_secret(old.redacted.startswith("sk_live"))
        new = ApiKey(
            id=id_for("api_key"),
            name=old.name,
            role=old.role,
            redacted=f"{secret[:8]}...{secret[-4:]}",
            created=now,
            location_id=old.location_id,
        )
        await repo.add(new, secret_hash=hash_secret(secret))
        if not await repo.roll(key_id, successor=new.id, expires_at=now + overlap):
            raise InvalidRequest(f"API key {key_id} was rolled meanwhile", code="already_revoked")
        await record_audit(
            uow,
            "api_key.rolled",
            object_type="api_key",
            object_id=key_id,
            ctx=ctx,
            clock=clock,
            before={"expires_at": None},
            after={"expires_at": (now + overlap).isoformat(), "rolled_to": new.id},
            location_id=old.location_id,
        )
        await uow.commit()
        rolled = must_exist(await repo.get(key_id), "api_key", key_id)
    return CreatedKey(key=new, secret=secret), rolled


async def count_active_keys(*, uow_factory: UnitOfWorkFactory) -> int:
    async with uow_factory() as uow:
        return await uow.repo(ApiKeyRepository).count_active()


class Authenticator:
    """Verifies bearer secrets, with a short in-process cache (its TTL bounds revocation lag)."""

    def __init__(
        self, uow_factory: UnitOfWorkFactory, *, cache_seconds: float, clock: Clock | None = None
    ) -> None:
        self._uow_factory = uow_factory
        self._ttl = cache_seconds
        self._clock = clock or SystemClock()
        self._cache: dict[str, tuple[float, Principal, datetime | None]] = {}

    async def authenticate(self, authorization: str | None) -> Principal:
        if not authorization:
            raise AuthenticationFailed(
                "You did not provide an API key. Send it as 'Authorization: Bearer sk_...'.",
                code="api_key_missing",
            )
        scheme, _, secret = authorization.partition(" ")
        secret = secret.strip()
        if scheme.lower() != "bearer" or not secret.startswith("sk_"):
            raise AuthenticationFailed(
                "Invalid authorization header; expected 'Bearer sk_...'.",
                code="invalid_api_key",
            )
        digest = hash_secret(secret)
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached and cached[0] > now and (cached[2] is None or self._clock.now() < cached[2]):
            return cached[1]
        async with self._uow_factory() as uow:
            key = await uow.repo(ApiKeyRepository).by_secret_hash(digest)
        if key is None or not key.usable_at(self._clock.now()):
            self._cache.pop(digest, None)
            raise AuthenticationFailed(
                "Invalid API key provided: " + (secret[:8] + "..." + secret[-4:]),
                code="invalid_api_key",
            )
        principal = Principal(
            api_key_id=key.id, name=key.name, role=key.role, location_id=key.location_id
        )
        if self._ttl > 0:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[digest] = (now + self._ttl, principal, key.expires_at)
        return principal
