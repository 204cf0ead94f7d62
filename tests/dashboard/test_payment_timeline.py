"""A payment's timeline shows its webhook deliveries to those who manage webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from payments.app.bootstrap import Container
from payments.app.capabilities import run_once
from support.app import Api
from support.dashboard import sign_in, staff_user
from support.receiver import Receiver, running_receiver
from support.refunds import paid, shop
from support.webhooks import webhook_ready


@pytest.fixture
async def container(container: Container) -> AsyncIterator[Container]:
    async with webhook_ready(container) as ready:
        yield ready


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


async def test_the_timeline_names_each_webhook_delivery(
    api: Api, receiver: Receiver, browserless: httpx.AsyncClient
) -> None:
    admin, location = await shop(api)
    await api.client.post(
        "/v1/webhook_endpoints",
        json={"url": receiver.url, "enabled_events": ["payment_intent.succeeded"]},
        headers=admin,
    )
    pi = await paid(api, admin, location["id"])
    await run_once(api.container, only={"deliver_webhooks"})
    assert len(receiver.requests) == 1

    await sign_in(browserless, await staff_user(api.container, "finance"))
    page = await browserless.get(f"/dashboard/payments/{pi['id']}")
    assert "webhook: payment_intent.succeeded succeeded" in page.text

    clerk = httpx.AsyncClient(transport=browserless._transport, base_url="http://testserver")
    async with clerk:
        await sign_in(clerk, await staff_user(api.container, "clerk"))
        seen = await clerk.get(f"/dashboard/payments/{pi['id']}")
        assert seen.status_code == 200
        assert "webhook:" not in seen.text and "ledger:" not in seen.text
