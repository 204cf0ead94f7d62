"""The recovery job: settle gateway attempts whose outcome we never learned.

An attempt is due when its outcome is ``unknown`` (timeout, lost response) and
its backoff has passed, or when it is still ``started`` long after it began
(the process that made the call died). Recovery repeats the very same call
with the very same idempotency key: if the first call reached the gateway, the
gateway replays its stored result; if it did not, the call happens now, as the
customer asked. Either way money moves once.

Several workers may run this at once: attempts are claimed with
``FOR UPDATE SKIP LOCKED`` and a lease, and settling re-checks the attempt
under its row lock.
"""

from __future__ import annotations

from datetime import timedelta

from payments.gateways.protocol import ChargeResult, GatewayError, PaymentGateway
from payments.intents.domain.model import GatewayAttempt
from payments.intents.repository import AttemptRepository
from payments.intents.service.attempts import call_gateway, settle_attempt
from payments.kernel.clock import Clock
from payments.kernel.context import SYSTEM
from payments.kernel.errors import PaymentsError
from payments.platform.db.uow import UnitOfWorkFactory
from payments.platform.logs import get_logger

log = get_logger("payments.recovery")

LEASE = timedelta(minutes=5)


async def recover_attempts(
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    stale_after: timedelta = timedelta(seconds=60),
    batch: int = 50,
) -> int:
    now = clock.now()
    async with uow_factory() as uow:
        attempts = await uow.repo(AttemptRepository).claim_due(
            now, stale_before=now - stale_after, lease_until=now + LEASE, limit=batch
        )
        await uow.commit()
    for attempt in attempts:
        outcome = await _find_first(attempt, gateway) or await call_gateway(attempt, gateway)
        log.info(
            "recovering_attempt",
            attempt=attempt.id,
            operation=attempt.operation,
            outcome=type(outcome).__name__,
        )
        try:
            await settle_attempt(
                attempt.id,
                outcome,
                uow_factory=uow_factory,
                clock=clock,
                ctx=SYSTEM,
                recovering=True,
            )
        except PaymentsError as exc:  # recorded on the attempt; nobody is waiting for it
            log.info("recovered_with_error", attempt=attempt.id, code=exc.code)
    return len(attempts)


async def _find_first(attempt: GatewayAttempt, gateway: PaymentGateway) -> ChargeResult | None:
    """A gateway that caches error answers per idempotency key (Stripe replays a 500 for
    the same key) cannot settle a charge by repeating it; look the charge up by the
    attempt id first where the adapter can (``find_charge_by_attempt``)."""
    finder = getattr(gateway, "find_charge_by_attempt", None)
    if finder is None or attempt.operation != "charge":
        return None
    try:
        found: ChargeResult | None = await finder(attempt.id)
    except GatewayError:
        return None
    return found
