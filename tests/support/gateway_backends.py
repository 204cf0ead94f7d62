"""One face for every gateway adapter in the contract suite: the adapter itself plus
the few test controls a scenario needs, implemented per backend (never mocks).

================================  ===============================  ==============================
control                           simulator                        Stripe adapter + fake Stripe
================================  ===============================  ==============================
``refuse_next(operation)``        ``http_500`` fault (raises        429 ``lock_timeout`` (the SDK
                                  GatewayNotSent)                   retries it with the same key)
``lose_next_response(op, ref)``   ``lost_response`` fault           processed, then the connection
                                                                    drops on every SDK attempt
``count_charges()``               rows in its charges table         PaymentIntents at the fake
``customer_authorizes(ref, ok)``  ``authorize_payment``, then the   ``authorize_local`` (settled at
                                  settlement delay passes           once, as at Stripe)
================================  ===============================  ==============================
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from payments.gateways.protocol import PaymentGateway
from payments.gateways.simulator import SimulatorGateway
from payments.gateways.simulator.store import charges
from payments.gateways.stripe import StripeGateway

from .fake_stripe import FakeStripe

_STRIPE_PATHS = {
    "charge": "/v1/payment_intents",
    "capture": "/v1/payment_intents/{ref}/capture",
    "cancel": "/v1/payment_intents/{ref}/cancel",
    "refund": "/v1/refunds",
}


@dataclass
class Backend:
    name: str
    gateway: PaymentGateway
    refuse_next: Callable[[str], Awaitable[None]]
    lose_next_response: Callable[[str, str | None], Awaitable[None]]
    count_charges: Callable[[], Awaitable[int]]
    customer_authorizes: Callable[[str, bool], Awaitable[None]]


def simulator_backend(name: str, sim: SimulatorGateway) -> Backend:
    async def refuse(operation: str) -> None:
        await sim.set_fault("http_500", operation=operation)

    async def lose(operation: str, _reference: str | None = None) -> None:
        await sim.set_fault("lost_response", operation=operation)

    async def count() -> int:
        async with sim.store.transaction() as conn:
            total = await conn.execute(sa.select(sa.func.count()).select_from(charges))
            return int(total.scalar_one())

    async def authorizes(reference: str, succeed: bool) -> None:
        await sim.authorize_payment(reference, succeed=succeed)
        clock: Any = sim.clock  # a FrozenClock in tests
        clock.advance(sim.settings.local_settlement_delay)
        await sim.process_due()

    return Backend(name, sim, refuse, lose, count, authorizes)


def stripe_backend(gateway: StripeGateway, fake: FakeStripe) -> Backend:
    attempts = gateway.config.max_network_retries + 1

    async def refuse(operation: str) -> None:
        fake.inject("lock_timeout", path=_STRIPE_PATHS[operation].format(ref="*"))

    async def lose(operation: str, reference: str | None = None) -> None:
        path = _STRIPE_PATHS[operation].format(ref=reference or "*")
        fake.inject("lost_response", path=path, times=attempts)

    async def count() -> int:
        return fake.count("payment_intent")

    async def authorizes(reference: str, succeed: bool) -> None:
        fake.authorize_local(reference, succeed=succeed)

    return Backend("stripe", gateway, refuse, lose, count, authorizes)
