"""SetupIntents on the simulator: save a payment method for later payments, charge nothing.

How a setup ends, by the method's test scenario (Stripe's test cards and IBANs):

* a card that declines (``4000000000000002``, ``...9995``, ``pm_card_chargeDeclined``, ...)
  -> ``failed`` with the card's decline;
* a card that asks for 3-D Secure (``4000002500003155``, ``4000002760003184``,
  ``4000000000003220``, ...) -> ``requires_action`` with the simulator's challenge page;
  passed -> ``succeeded``, failed -> ``failed`` (``payment_intent_authentication_failure``,
  Stripe's code for both intents);
* any other card -> ``succeeded``;
* ``sepa_debit`` -> ``succeeded`` with a mandate, when the customer's online acceptance
  (``mandate``) is given; without it the request is refused (``mandate_data``);
* other methods cannot be set up here (refused, ``payment_method_type``).

A card set up for off-session use (``3ds_unless_setup``: ``4000002500003155``) is then
charged off-session without a challenge, as at Stripe.

Every mutating call runs in one transaction of the simulator's database under the
caller's idempotency key (replayed verbatim on a repeat).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.gateways.codec import decode, encode
from payments.gateways.protocol import (
    Decline,
    GatewayInvalidRequest,
    ResourceMissing,
    SetupRequest,
    SetupResult,
)

from .events import Outbox
from .idempotency import check_key
from .settings import new_id
from .store import setups
from .testdata import DECLINES, SCENARIOS

if TYPE_CHECKING:
    from payments.kernel.clock import Clock

    from .faults import Faults
    from .idempotency import Idempotency
    from .methods import PaymentMethods, ResolvedMethod
    from .settings import SimulatorSettings
    from .store import SimulatorStore

T = TypeVar("T")

_INSERT = setups.insert().returning(*setups.c)


def setup_snapshot(row: sa.Row) -> SetupResult:
    return SetupResult(
        reference=row.id,
        status=row.status,
        created=row.created,
        payment_method=row.payment_method,
        usage=row.usage,
        decline=decode(Decline, row.decline) if row.decline else None,
        redirect_url=row.redirect_url,
        mandate=row.mandate,
        customer=row.customer,
    )


def _outcome(
    method: ResolvedMethod, request: SetupRequest, reference: str, now: datetime, base: str
) -> dict[str, Any]:
    kind = method.details.type
    if kind == "sepa_debit":
        if request.mandate is None:
            raise GatewayInvalidRequest(
                "mandate_data[customer_acceptance] with online acceptance is required to set "
                "up a sepa_debit payment method.",
                code="parameter_missing",
                param="mandate_data",
            )
        return {"status": "succeeded", "mandate": new_id("mandate_sim", now)}
    if kind != "card":
        raise GatewayInvalidRequest(
            f"A {kind} payment method cannot be set up for later payments.",
            code="payment_method_type_invalid",
            param="payment_method",
        )
    behaviour = SCENARIOS[method.scenario]
    if behaviour.decline is not None:
        return {"status": "failed", "decline": encode(behaviour.decline)}
    if behaviour.three_ds != "none":
        query = f"?{urlencode({'return_url': request.return_url})}" if request.return_url else ""
        return {
            "status": "requires_action",
            "redirect_url": f"{base.rstrip('/')}/{reference}{query}",
        }
    return {"status": "succeeded"}


async def load_setup(conn: AsyncConnection, reference: str, *, lock: bool = False) -> sa.Row:
    query = sa.select(setups).where(setups.c.id == reference)
    row = (await conn.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        raise ResourceMissing("setup_intent", reference, param="setup_intent")
    return row


async def set_up_for_off_session(conn: AsyncConnection, payment_method: str) -> bool:
    """Whether ``payment_method`` has a succeeded off-session setup."""
    found = await conn.execute(
        sa.select(setups.c.id)
        .where(
            setups.c.payment_method == payment_method,
            setups.c.status == "succeeded",
            setups.c.usage == "off_session",
        )
        .limit(1)
    )
    return found.first() is not None


async def _update(
    conn: AsyncConnection, reference: str, now: datetime, **values: Any
) -> SetupResult:
    await conn.execute(
        setups.update().where(setups.c.id == reference).values(updated=now, **values)
    )
    return setup_snapshot(await load_setup(conn, reference))


class SetupCalls:
    """The simulator's :class:`~payments.gateways.protocol.PaymentMethodSetup` calls and
    the 3-D Secure test hook of a setup (a mixin of ``SimulatorGateway``)."""

    store: SimulatorStore
    clock: Clock
    settings: SimulatorSettings
    _faults: Faults
    _idempotency: Idempotency
    _methods: PaymentMethods

    if TYPE_CHECKING:

        def _deliver(self, result: T, lose_response: bool, operation: str) -> T: ...

        async def _hook(self, work: Callable[[AsyncConnection, Outbox], Awaitable[T]]) -> T: ...

    async def setup(self, request: SetupRequest) -> SetupResult:
        plan = await self._faults.apply("setup")
        key = check_key(request.idempotency_key)
        if request.usage not in ("off_session", "on_session"):
            raise GatewayInvalidRequest(
                "usage must be off_session or on_session", code="parameter_invalid", param="usage"
            )
        now = self.clock.now()
        params = {
            "payment_method": request.payment_method,
            "customer": request.customer,
            "usage": request.usage,
            "return_url": request.return_url,
            "mandate": encode(request.mandate) if request.mandate else None,
            "metadata": dict(request.metadata),
        }

        async def work(conn: AsyncConnection, _outbox: Outbox) -> SetupResult:
            method = await self._methods.resolve(conn, request.payment_method, now)
            reference = new_id("seti_sim", now)
            values = _outcome(method, request, reference, now, self.settings.action_url_base)
            row = await conn.execute(
                _INSERT,
                {
                    "id": reference,
                    "payment_method": method.ref,
                    "scenario": method.scenario,
                    "usage": request.usage,
                    "customer": request.customer,
                    "return_url": request.return_url,
                    "meta": dict(request.metadata),
                    "created": now,
                    "updated": now,
                    **values,
                },
            )
            return setup_snapshot(row.one())

        result = await self._idempotency.run(
            key=key, operation="setup", params=params, result_type=SetupResult, now=now, work=work
        )
        return self._deliver(result, plan.lose_response, "setup")

    async def retrieve_setup(self, reference: str) -> SetupResult:
        plan = await self._faults.apply("retrieve_setup")
        async with self.store.transaction() as conn:
            result = setup_snapshot(await load_setup(conn, reference))
        return self._deliver(result, plan.lose_response, "retrieve_setup")

    async def cancel_setup(self, reference: str, *, idempotency_key: str) -> SetupResult:
        plan = await self._faults.apply("cancel_setup")
        key = check_key(idempotency_key)
        now = self.clock.now()

        async def work(conn: AsyncConnection, _outbox: Outbox) -> SetupResult:
            row = await load_setup(conn, reference, lock=True)
            if row.status in ("succeeded", "canceled"):
                raise GatewayInvalidRequest(
                    f"You cannot cancel this SetupIntent because it has a status of {row.status}.",
                    code="setup_intent_unexpected_state",
                )
            return await _update(conn, reference, now, status="canceled", redirect_url=None)

        result = await self._idempotency.run(
            key=key,
            operation="cancel_setup",
            params={"reference": reference},
            result_type=SetupResult,
            now=now,
            work=work,
        )
        return self._deliver(result, plan.lose_response, "cancel_setup")

    async def complete_setup_action(self, reference: str, *, succeed: bool = True) -> SetupResult:
        """The customer passes (or fails) the 3-D Secure challenge of setup ``reference``."""
        now = self.clock.now()

        async def work(conn: AsyncConnection, _outbox: Outbox) -> SetupResult:
            row = await load_setup(conn, reference, lock=True)
            if row.status != "requires_action":
                raise GatewayInvalidRequest(
                    f"You cannot complete a 3-D Secure challenge on this SetupIntent because "
                    f"it has a status of {row.status}.",
                    code="setup_intent_unexpected_state",
                )
            if succeed:
                return await _update(conn, reference, now, status="succeeded", redirect_url=None)
            return await _update(
                conn,
                reference,
                now,
                status="failed",
                redirect_url=None,
                decline=encode(DECLINES["authentication_failed"]),
            )

        return await self._hook(work)
