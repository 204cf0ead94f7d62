"""Webhook delivery to a real local receiver, on SQLite and PostgreSQL.

The receiver answers from a script (500, a timeout, 200, ...); the worker job runs
one round at a time under a FrozenClock that the test moves to each retry time.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import psycopg
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from payments.app.bootstrap import Container
from payments.kernel.clock import FrozenClock
from payments.webhooks.domain.delivery import RETRY_DELAYS, RETRY_WINDOW, AttemptOutcome
from payments.webhooks.service.deliver import deliver_due, dispatch_events, lease_for
from support.app import Api
from support.receiver import Receiver, running_receiver
from support.webhooks import TEST_TIMEOUT_SECONDS, webhook_ready, worker_round


@pytest.fixture
def clock() -> FrozenClock:
    # near the wall clock, because receivers check webhook-timestamp against theirs
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def container(container: Container) -> AsyncIterator[Container]:
    async with webhook_ready(container) as ready:
        yield ready


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


async def register(api: Api, headers: dict[str, str], url: str, *events: str) -> dict[str, Any]:
    body = {"url": url, "enabled_events": list(events or ["*"])}
    response = await api.client.post("/v1/webhook_endpoints", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def new_customer(api: Api, headers: dict[str, str], name: str = "Ada") -> str:
    response = await api.client.post("/v1/customers", json={"name": name}, headers=headers)
    assert response.status_code == 200, response.text
    events = (await api.client.get("/v1/events", headers=headers)).json()["data"]
    return next(e["id"] for e in events if e["data"]["object"]["id"] == response.json()["id"])


async def deliveries(api: Api, headers: dict[str, str], endpoint_id: str) -> list[dict[str, Any]]:
    response = await api.client.get(
        f"/v1/webhook_endpoints/{endpoint_id}/deliveries", params={"limit": 100}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]  # type: ignore[no-any-return]


def at(unix: int) -> datetime:
    return datetime.fromtimestamp(unix, UTC)


async def test_a_failing_endpoint_is_retried_on_schedule_until_it_answers_2xx(
    api: Api, receiver: Receiver, clock: FrozenClock
) -> None:
    admin = await api.key()
    endpoint = await register(api, admin, receiver.url, "customer.created")
    event_id = await new_customer(api, admin)
    receiver.answer(500, "timeout")  # then the default: 200
    start = clock.now()

    await worker_round(api.container)
    [first] = await deliveries(api, admin, endpoint["id"])
    assert (first["event"], first["status"], first["attempts"]) == (event_id, "pending", 1)
    assert first["last_response"]["status_code"] == 500
    assert first["last_error"]["code"] == "http_status"
    body = first["last_response"]["body"]
    assert "4242424242424242" not in body and "abcdefghijkl" not in body and "boom" in body
    assert start + timedelta(minutes=5) <= at(first["next_attempt_at"])
    assert at(first["next_attempt_at"]) <= start + timedelta(minutes=5.5)

    await worker_round(api.container)  # not due yet: nothing is sent
    assert len(receiver.requests) == 1

    clock.set(at(first["next_attempt_at"]))
    await worker_round(api.container)
    [second] = await deliveries(api, admin, endpoint["id"])
    assert (second["status"], second["attempts"]) == ("pending", 2)
    assert second["last_error"]["code"] == "timeout"
    assert second["last_response"]["status_code"] is None
    assert second["last_response"]["latency_ms"] >= 1500
    retry_at = at(second["next_attempt_at"])
    assert clock.now() + timedelta(minutes=30) <= retry_at <= clock.now() + timedelta(minutes=33)

    clock.set(retry_at)
    await worker_round(api.container)
    [done] = await deliveries(api, admin, endpoint["id"])
    assert (done["status"], done["attempts"], done["next_attempt_at"]) == ("succeeded", 3, None)
    assert done["last_response"]["status_code"] == 200 and done["last_error"] is None
    assert done["last_attempt_at"] == int(retry_at.timestamp())

    assert [r.headers["webhook-id"] for r in receiver.requests] == [event_id] * 3
    assert len({r.body for r in receiver.requests}) == 1
    secret = endpoint["secret"]
    for request in receiver.requests:
        sent_at = at(int(request.headers["webhook-timestamp"]))
        expected = Webhook(secret).sign(event_id, sent_at, request.body.decode())
        assert request.headers["webhook-signature"] == expected
    # the first attempt was signed at the wall clock's time: the official verifier accepts it
    payload = Webhook(secret).verify(receiver.requests[0].body, receiver.requests[0].headers)
    event = (await api.client.get(f"/v1/events/{event_id}", headers=admin)).json()
    assert payload == event
    assert receiver.requests[0].headers["content-type"] == "application/json"


async def test_retries_stop_after_three_days_and_the_delivery_fails(
    api: Api, receiver: Receiver, clock: FrozenClock
) -> None:
    receiver.default = 500
    admin = await api.key()
    endpoint = await register(api, admin, receiver.url, "customer.*")
    await new_customer(api, admin)
    created = clock.now()
    await worker_round(api.container)
    while (d := (await deliveries(api, admin, endpoint["id"]))[0])["status"] == "pending":
        clock.set(at(d["next_attempt_at"]))
        await worker_round(api.container)
    assert d["status"] == "failed" and d["next_attempt_at"] is None
    assert d["attempts"] in (10, 11)
    assert len(receiver.requests) == d["attempts"]
    sent = [at(int(r.headers["webhook-timestamp"])) for r in receiver.requests]
    assert sent[0] == created
    for n, (before, after) in enumerate(itertools.pairwise(sent)):
        base = RETRY_DELAYS[min(n, len(RETRY_DELAYS) - 1)]
        assert base <= after - before <= base * 1.1 + timedelta(seconds=1), n
    assert sent[-1] - created <= RETRY_WINDOW


async def test_secret_rotation_signs_with_both_secrets_until_the_old_one_expires(
    api: Api, receiver: Receiver, clock: FrozenClock
) -> None:
    admin = await api.key()
    endpoint = await register(api, admin, receiver.url, "customer.created")
    old = endpoint["secret"]
    rotated = await api.client.post(
        f"/v1/webhook_endpoints/{endpoint['id']}/rotate_secret",
        json={"expires_in_seconds": 60},
        headers=admin,
    )
    new = rotated.json()["secret"]

    await new_customer(api, admin, "During grace")
    await worker_round(api.container)
    during = receiver.requests[-1]
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(during.body, during.headers)
    Webhook(new).verify(during.body, during.headers)

    clock.advance(seconds=61)
    await new_customer(api, admin, "After grace")
    await worker_round(api.container)
    after = receiver.requests[-1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    Webhook(new).verify(after.body, after.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(after.body, after.headers)

    audit = await api.client.get(
        "/v1/audit_log", params={"action": "webhook_endpoint.secret_rotated"}, headers=admin
    )
    [record] = audit.json()["data"]
    assert record["target"]["id"] == endpoint["id"] and record["actor"]["type"] == "api_key"
    assert record["changes"]["after"]["expires_in_seconds"] == 60
    assert old not in audit.text and new not in audit.text


async def test_the_default_grace_period_is_a_day(
    api: Api, receiver: Receiver, clock: FrozenClock
) -> None:
    admin = await api.key()
    endpoint = await register(api, admin, receiver.url, "customer.created")
    await api.client.post(f"/v1/webhook_endpoints/{endpoint['id']}/rotate_secret", headers=admin)
    for offset, signatures in ((timedelta(hours=23, minutes=59), 2), (timedelta(minutes=2), 1)):
        clock.advance(offset)
        await new_customer(api, admin)
        await worker_round(api.container)
        assert len(receiver.requests[-1].headers["webhook-signature"].split(" ")) == signatures


async def test_endpoints_receive_only_the_events_they_subscribe_to(
    api: Api, receiver: Receiver, clock: FrozenClock
) -> None:
    admin = await api.key()
    shop = await api.location(admin)
    shop_admin = await api.key("admin", location=shop["id"])
    clock.advance(seconds=1)  # the endpoints below are newer than that shop's event
    base = receiver.url
    everything = await register(api, admin, f"{base}/all", "*")
    customers = await register(api, admin, f"{base}/customers", "customer.*")
    updates = await register(api, admin, f"{base}/updates", "customer.updated")
    locations = await register(api, admin, f"{base}/locations", "location.created")
    paused = await register(api, admin, f"{base}/paused", "*")
    await api.client.post(
        f"/v1/webhook_endpoints/{paused['id']}", json={"disabled": True}, headers=admin
    )
    shop_only = await register(api, shop_admin, f"{base}/shop", "customer.created")

    customer = (await api.client.post("/v1/customers", json={"name": "A"}, headers=admin)).json()
    await api.client.post(f"/v1/customers/{customer['id']}", json={"name": "B"}, headers=admin)
    await api.client.post("/v1/customers", json={"name": "Local"}, headers=shop_admin)
    await api.location(
        admin, name="Amsterdam", address={"country": "NL"}, timezone="Europe/Amsterdam"
    )
    clock.advance(seconds=1)
    late = await register(api, admin, f"{base}/late", "customer.*")  # after those events
    while await worker_round(api.container):
        pass

    got: dict[str, list[str]] = {}
    for r in receiver.requests:
        got.setdefault(r.path, []).append(orjson.loads(r.body)["type"])
    assert sorted(got["/hooks/customers"]) == [
        "customer.created",
        "customer.created",
        "customer.updated",
    ]
    assert got["/hooks/updates"] == ["customer.updated"]
    assert got["/hooks/locations"] == ["location.created"]
    assert got["/hooks/shop"] == ["customer.created"]
    assert {"customer.created", "customer.updated", "location.created"} <= set(got["/hooks/all"])
    assert "/hooks/paused" not in got and "/hooks/late" not in got
    assert (await deliveries(api, admin, late["id"])) == []
    assert all(d["status"] == "succeeded" for d in await deliveries(api, admin, everything["id"]))
    assert len(await deliveries(api, admin, customers["id"])) == 3
    assert (await deliveries(api, admin, updates["id"]))[0]["event_type"] == "customer.updated"
    assert len(await deliveries(api, admin, locations["id"])) == 1
    assert (await deliveries(api, shop_admin, shop_only["id"]))[0]["status"] == "succeeded"


async def test_deliveries_to_one_endpoint_go_out_in_event_order(
    api: Api, receiver: Receiver
) -> None:
    admin = await api.key()
    await register(api, admin, receiver.url, "customer.created")
    created = [await new_customer(api, admin, f"C{i}") for i in range(5)]
    async with webhook_ready(api.container, webhook_batch_size=1) as one_at_a_time:
        while await worker_round(one_at_a_time):
            pass
    assert [r.headers["webhook-id"] for r in receiver.requests] == created


async def test_a_host_resolving_to_a_private_address_is_refused_at_send_time(
    api: Api, receiver: Receiver, clock: FrozenClock
) -> None:
    admin = await api.key()
    sneaky = await register(api, admin, f"https://localhost:{receiver.port}/hooks", "customer.*")
    await new_customer(api, admin)
    await worker_round(api.container)
    [refused] = await deliveries(api, admin, sneaky["id"])
    assert refused["status"] == "pending" and refused["attempts"] == 1
    assert refused["last_error"]["code"] == "address_refused"
    assert "loopback" in refused["last_error"]["message"]
    assert "SSRF" in refused["last_error"]["message"]
    assert receiver.requests == []

    # an endpoint registered while its host was allowed is refused once it no longer is
    allowed = await register(api, admin, receiver.url, "customer.*")
    async with webhook_ready(api.container, webhook_allow_http_hosts="") as strict:
        await new_customer(api, admin)
        await worker_round(strict)
    [later] = [d for d in await deliveries(api, admin, allowed["id"])]
    assert later["last_error"]["code"] == "address_refused"
    assert receiver.requests == []


async def test_an_endpoint_failing_for_five_days_is_disabled_with_an_event(
    api: Api, receiver: Receiver, clock: FrozenClock
) -> None:
    receiver.default = 500
    admin = await api.key()
    endpoint = await register(api, admin, receiver.url, "customer.*")
    start = clock.now()
    await new_customer(api, admin, "Day 0")
    await worker_round(api.container)  # the failure streak starts now
    for day in (1, 2, 3, 4, 5):
        clock.set(start + timedelta(days=day))
        await new_customer(api, admin, f"Day {day}")
        await worker_round(api.container)
        while True:
            pending = [
                d
                for d in await deliveries(api, admin, endpoint["id"])
                if d["status"] == "pending" and d["next_attempt_at"]
            ]
            due = min((at(d["next_attempt_at"]) for d in pending), default=None)
            if due is None or due >= start + timedelta(days=day + 1):
                break
            clock.set(max(due, clock.now()))
            if not await worker_round(api.container):
                break  # what is left belongs to a disabled endpoint
        status = (
            await api.client.get(f"/v1/webhook_endpoints/{endpoint['id']}", headers=admin)
        ).json()["status"]
        assert status == ("disabled" if day == 5 else "enabled"), day

    events = (
        await api.client.get(
            "/v1/events", params={"type": "webhook_endpoint.disabled"}, headers=admin
        )
    ).json()["data"]
    assert len(events) == 1
    assert events[0]["data"]["object"]["id"] == endpoint["id"]
    assert events[0]["data"]["object"]["status"] == "disabled"
    audit = await api.client.get(
        "/v1/audit_log", params={"action": "webhook_endpoint.disabled"}, headers=admin
    )
    [record] = audit.json()["data"]
    assert record["target"] == {"object": "webhook_endpoint", "id": endpoint["id"]}
    assert record["actor"]["type"] == "system"
    assert record["changes"]["after"] == {"status": "disabled"}
    assert record["changes"]["before"]["failing_since"] == int(start.timestamp())

    sent = len(receiver.requests)
    clock.advance(hours=12)
    await new_customer(api, admin, "While disabled")
    await worker_round(api.container)
    assert len(receiver.requests) == sent  # nothing goes to a disabled endpoint

    receiver.default = 200
    resumed = await api.client.post(
        f"/v1/webhook_endpoints/{endpoint['id']}", json={"disabled": False}, headers=admin
    )
    assert resumed.json()["status"] == "enabled"
    await new_customer(api, admin, "Back")
    await worker_round(api.container)
    names = [orjson.loads(r.body)["data"]["object"]["name"] for r in receiver.requests[sent:]]
    assert "Back" in names


async def test_a_success_ends_the_failure_streak(
    api: Api, receiver: Receiver, clock: FrozenClock
) -> None:
    admin = await api.key()
    endpoint = await register(api, admin, receiver.url, "customer.*")
    start = clock.now()
    for day, answer in ((0, 500), (3, 200), (6, 500), (8, 500)):
        clock.set(start + timedelta(days=day))
        receiver.answer(answer)
        await new_customer(api, admin, f"Day {day}")
        await worker_round(api.container)
    got = (await api.client.get(f"/v1/webhook_endpoints/{endpoint['id']}", headers=admin)).json()
    assert got["status"] == "enabled"  # failing since day 6 only


async def test_an_unreachable_endpoint_is_a_connection_error(api: Api) -> None:
    from support.server import free_port

    admin = await api.key()
    endpoint = await register(api, admin, f"http://127.0.0.1:{free_port()}/x", "customer.*")
    await new_customer(api, admin)
    await worker_round(api.container)
    [d] = await deliveries(api, admin, endpoint["id"])
    assert d["last_error"]["code"] == "connection_error" and d["status"] == "pending"


async def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    api: Api, receiver: Receiver
) -> None:
    admin = await api.key()
    endpoint = await register(api, admin, receiver.url, "customer.*")
    receiver.answer(302)
    await new_customer(api, admin)
    await worker_round(api.container)
    [d] = await deliveries(api, admin, endpoint["id"])
    assert d["last_response"]["status_code"] == 302 and d["status"] == "pending"
    assert len(receiver.requests) == 1


def _open_transactions(database_url: str) -> Callable[[], object]:
    """A probe run by the receiver while it holds a request: can the database be written?"""
    if database_url.startswith("sqlite"):
        path = database_url.split(":///", 1)[1]

        def sqlite_probe() -> object:
            conn = sqlite3.connect(path, timeout=0.2, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")  # fails if a writer holds the database
                conn.execute("COMMIT")
                return "writable"
            except sqlite3.OperationalError as exc:
                return str(exc)
            finally:
                conn.close()

        return sqlite_probe
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")

    def postgres_probe() -> object:
        with psycopg.connect(dsn) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
            ).fetchone()
        return "writable" if row and row[0] == 0 else f"{row} open transactions"

    return postgres_probe


async def test_no_transaction_is_open_while_a_webhook_is_sent(api: Api) -> None:
    with running_receiver(on_request=_open_transactions(api.container.settings.database_url)) as r:
        admin = await api.key()
        await register(api, admin, r.url, "customer.*")
        for name in ("A", "B", "C"):
            await new_customer(api, admin, name)
        await worker_round(api.container)
    assert r.observed == ["writable"] * 3


class _DyingSender:
    """A worker's sender that claims its batch and then never returns: the worker is
    killed (here: its task cancelled) holding the lease."""

    timeout = TEST_TIMEOUT_SECONDS

    def __init__(self) -> None:
        self.sending = asyncio.Event()

    async def send(self, url: str, body: bytes, headers: dict[str, str]) -> AttemptOutcome:
        self.sending.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def test_deliveries_a_dead_worker_held_go_out_when_its_lease_ends(
    api: Api, receiver: Receiver, clock: FrozenClock
) -> None:
    # Chaos seeds 20000179, 20000182 and 20000211: a worker SIGKILLed between claiming a
    # batch and recording it held those deliveries for a minute past its timeout.
    admin = await api.key()
    await register(api, admin, receiver.url, "customer.created")
    event_id = await new_customer(api, admin)
    c = api.container
    assert await dispatch_events(uow_factory=c.uow_factory, clock=clock) >= 1
    dying = _DyingSender()
    worker = asyncio.create_task(deliver_due(uow_factory=c.uow_factory, clock=clock, sender=dying))
    await asyncio.wait_for(dying.sending.wait(), 10)  # claimed and committed, then killed
    worker.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await worker
    claimed_at = clock.now()
    lease = lease_for(TEST_TIMEOUT_SECONDS)
    assert lease == timedelta(seconds=TEST_TIMEOUT_SECONDS + 5)

    clock.set(claimed_at + lease - timedelta(seconds=1))
    assert await worker_round(c) == 0  # still leased by the dead worker
    assert receiver.requests == []
    clock.set(claimed_at + lease)
    assert await worker_round(c) == 1
    assert [r.headers["webhook-id"] for r in receiver.requests] == [event_id]
    assert lease_for(10) == timedelta(seconds=20)  # the default timeout: held 20 s at most
