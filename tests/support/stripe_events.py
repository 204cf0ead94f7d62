"""Stripe webhooks into the service under test: signed like Stripe signs them, events
built from Stripe's official fixtures (``fixtures3.json``, via :mod:`.fake_stripe_objects`),
and one helper that delivers what the fake Stripe emitted and lets the worker apply it.

::

    payload = event_payload("charge.dispute.created", dispute_object)
    response = await post_webhook(api, payload)               # signed with WEBHOOK_SECRET
    response = await post_webhook(api, payload, signature="t=1,v1=forged")
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from payments.app.bootstrap import Container
from payments.app.capabilities import run_once
from payments.intents.repository import ChargeRepository
from payments.refunds.repository import RefundRepository

from . import fake_stripe_objects as o
from .app import Api
from .fake_stripe import FakeStripe
from .refunds import poll_gateway, skip_past_gateway_events

WEBHOOK_SECRET = "whsec_fake_e2e_0123456789abcdef"
TOLERANCE_SECONDS = 300  # Stripe's SDK default, the receiver's too
MAX_NETWORK_RETRIES = 1  # the service's SDK tries each call twice: inject faults for both


def signed(payload: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """A ``Stripe-Signature`` header for ``payload`` (v1 scheme: HMAC-SHA256 of ``t.payload``).

    The SDK checks the timestamp against the real clock, so ``at`` defaults to now."""
    timestamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def event_payload(kind: str, obj: dict[str, Any], *, event_id: str | None = None) -> bytes:
    """A Stripe Event (Stripe's ``event`` fixture) of type ``kind`` carrying ``obj``."""
    event = o.event(kind, obj, None)
    if event_id is not None:
        event["id"] = event_id
    return json.dumps(event).encode()


async def post_webhook(
    api: Api, payload: bytes, *, signature: str | None = None, secret: str = WEBHOOK_SECRET
) -> httpx.Response:
    """POST ``payload`` to ``/webhooks/stripe`` as Stripe would (signed unless given)."""
    return await api.client.post(
        "/webhooks/stripe",
        content=payload,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": signature if signature is not None else signed(payload, secret),
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        },
    )


async def apply_stored_events(container: Container) -> int:
    """Run the worker job that applies stored gateway events until it is idle."""
    applied = 0
    while n := (await run_once(container, only={"process_gateway_events"}))[
        "process_gateway_events"
    ]:
        applied += n
    return applied


@dataclass
class StripeDeliveries:
    """Delivers the fake Stripe's events to the service, each once, in emission order."""

    fake: FakeStripe
    delivered: int = 0

    def pending(self) -> list[dict[str, Any]]:
        with self.fake.lock:
            return list(self.fake.state.events[self.delivered :])

    def skip(self) -> None:
        """Forget what the fake emitted so far (not delivered)."""
        self.delivered += len(self.pending())

    async def deliver(self, api: Api) -> list[str]:
        """POST every new event (signed), then apply the stored ones; their types."""
        sent = []
        for event in self.pending():
            response = await post_webhook(api, json.dumps(event).encode())
            assert response.status_code == 200, response.text
            self.delivered += 1
            sent.append(event["type"])
        await apply_stored_events(api.container)
        return sent


@dataclass
class Harness:
    """One gateway behind the HTTP API, with the few controls a scenario needs."""

    gateway: str  # "simulator" | "stripe"
    api: Api
    fake: FakeStripe | None = None
    deliveries: StripeDeliveries | None = None

    async def start(self) -> None:
        if self.fake is None:  # the simulator's database outlives each test's tables
            await skip_past_gateway_events(self.api.container)

    async def news(self) -> list[str]:
        """Let the gateway's asynchronous news reach the service, as in production."""
        if self.deliveries is not None:
            return await self.deliveries.deliver(self.api)
        await poll_gateway(self.api.container)
        return []

    async def fail_refund_later(self, refund_id: str) -> None:
        """The card refund of ``refund_id`` (paid with ``pm_card_refundFail``) fails at
        the gateway after it succeeded, and the news arrives."""
        if self.fake is not None:
            self.fake.fail_refund(await self.gateway_ref("refunds", refund_id))
        else:
            delay = self.api.container.gateway.settings.refund_failure_delay  # type: ignore[attr-defined]
            self.api.container.clock.advance(delay + timedelta(seconds=1))  # type: ignore[attr-defined]
        await self.news()

    async def gateway_ref(self, repository: str, object_id: str) -> str:
        repo: Any = {"refunds": RefundRepository, "charges": ChargeRepository}[repository]
        async with self.api.container.uow_factory() as uow:
            found = await uow.repo(repo).get(object_id)
        assert found is not None and found.gateway_ref is not None
        return str(found.gateway_ref)
