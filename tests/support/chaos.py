"""The chaos engine shared by ``tests/chaos`` and ``bench/chaos.py``.

A :class:`Cluster` is the real thing on one fresh PostgreSQL database: two ``uvicorn
payments.asgi:app`` server processes (each restartable on its port; the integrators'
clients fail over between them as behind a load balancer), one ``payments worker``
process, a webhook receiver on 127.0.0.1 and an in-process container for the checks.
A trial (:func:`run_trial`) is generated from its seed alone: integrator flows
(create+confirm, confirm, capture, refund, each retried with its idempotency key, some
keys sent twice at once or reused with another body) run concurrently with a chaos
schedule (one-shot simulator faults: latency, timeout, HTTP 500, lost response;
SIGKILL of one server process, of both, of the worker; the gateway's events
delivered again, duplicated and out of order). Then the recovery job runs and
:func:`check_invariants` checks what a merchant relies on. The same seed makes the
same plan (the interleaving itself is the operating system's), so a failing seed is
a regression test.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import sqlalchemy as sa

from payments.apikeys.service import create_api_key
from payments.app.bootstrap import Container, build_container
from payments.app.capabilities import verify_ledger
from payments.audit.service import verify_audit_chain
from payments.events.tables import events as events_table
from payments.gateway_events.service import handle_gateway_event, process_pending_gateway_events
from payments.gateways.simulator import SimulatorGateway
from payments.gateways.simulator.store import charges as sim_charges
from payments.intents.service.recovery import recover_attempts
from payments.intents.tables import charges as our_charges
from payments.intents.tables import gateway_attempts, payment_intents
from payments.kernel.access import Role
from payments.kernel.clock import SystemClock
from payments.webhooks.tables import webhook_deliveries
from support.app import make_settings
from support.receiver import Receiver
from support.server import free_port, server_env, uvicorn_command

FAULT_KINDS = ("latency", "timeout", "http_500", "lost_response")
FAULT_OPERATIONS = ("charge", "capture", "refund", "retrieve_charge")
START_TIMEOUT = 60.0


class InvariantBroken(AssertionError):
    """A trial found a state a merchant must never see; the message names the seed."""


# ----------------------------------------------------------------------------- processes


class Child:
    """A restartable child process leading its own process group."""

    def __init__(self, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.argv, self.env, self.log_path = argv, env, log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

    def kill(self) -> None:
        """SIGKILL the whole group (uvicorn's supervisor and its workers at once)."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class Stats:
    trials: int = 0
    invariants: int = 0
    requests: int = 0
    responses: Counter[int] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    kills: Counter[str] = field(default_factory=Counter)
    events_replayed: int = 0
    takeover_seconds: list[float] = field(default_factory=list)
    seconds: Counter[str] = field(default_factory=Counter)  # wall time per trial phase

    def line(self) -> str:
        return (
            f"trials run: {self.trials}, invariants checked: {self.invariants}, "
            f"requests: {self.requests}, faults: {dict(self.faults)}, kills: {dict(self.kills)}, "
            f"gateway events replayed: {self.events_replayed}, "
            f"responses: {dict(sorted(self.responses.items()))}, "
            f"seconds: { {k: round(v) for k, v in self.seconds.items()} }"
        )


@dataclass
class Cluster:
    database_url: str
    log_dir: Path
    receiver: Receiver
    extra_env: dict[str, str] = field(default_factory=dict)
    ports: list[int] = field(default_factory=lambda: [free_port(), free_port()])
    stats: Stats = field(default_factory=Stats)
    container: Container = field(init=False)
    servers: list[Child] = field(init=False)
    worker: Child = field(init=False)
    secret: str = field(init=False)
    location: str = field(init=False)
    hooked_at: Any = field(init=False)
    _starting: dict[int, asyncio.Task[None]] = field(default_factory=dict)

    def url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.ports[n % len(self.ports)]}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}

    @property
    def sim(self) -> SimulatorGateway:
        gateway = self.container.gateway
        assert isinstance(gateway, SimulatorGateway)
        return gateway

    def _env(self) -> dict[str, str]:
        return server_env(
            self.database_url,
            {
                "PAYMENTS_DATABASE_POOL_SIZE": "6",
                "PAYMENTS_WEBHOOK_ALLOW_HTTP_HOSTS": "127.0.0.1",
                "PAYMENTS_RECOVERY_STALE_SECONDS": "3",
            }
            | self.extra_env,
        )

    async def start(self) -> None:
        self.container = build_container(make_settings(self.database_url), clock=SystemClock())
        await self.container.prepare()
        key = await create_api_key(
            role=Role.admin,
            name="chaos",
            location_id=None,
            uow_factory=self.container.uow_factory,
            clock=self.container.clock,
        )
        self.secret = key.secret
        self.servers = [
            Child(uvicorn_command(port, workers=1), self._env(), self.log_dir / f"server-{n}.log")
            for n, port in enumerate(self.ports)
        ]
        self.worker = Child(
            [sys.executable, "-m", "payments.app.cli", "worker"],
            self._env(),
            self.log_dir / "worker.log",
        )
        for server in self.servers:
            server.start()
        self.worker.start()
        await asyncio.gather(*[self.wait_healthy(n) for n in range(len(self.servers))])
        async with self.client() as client:
            hook = await client.post(
                "/v1/webhook_endpoints", json={"url": self.receiver.url, "enabled_events": ["*"]}
            )
            assert hook.status_code == 200, hook.text
            self.hooked_at = datetime.fromtimestamp(hook.json()["created"], UTC)
            shop = await client.post(
                "/v1/locations",
                json={
                    "name": "Chaos Shop",
                    "address": {"line1": "Torstrasse 1", "city": "Berlin", "country": "DE"},
                    "timezone": "Europe/Berlin",
                },
            )
            assert shop.status_code == 200, shop.text
            self.location = shop.json()["id"]

    async def close(self) -> None:
        for task in self._starting.values():
            task.cancel()
        for server in self.servers:
            server.stop()
        self.worker.stop()
        await self.container.close()

    def client(self, connections: int = 40) -> httpx.AsyncClient:
        """A client of server 0; :func:`send` fails over to the other server."""
        return httpx.AsyncClient(
            base_url=self.url(0),
            headers=self.headers,
            timeout=httpx.Timeout(30.0, connect=5.0),
            limits=httpx.Limits(max_connections=connections),
        )

    async def wait_healthy(self, n: int) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        server = self.servers[n]
        async with httpx.AsyncClient(timeout=1) as probe:
            while True:
                assert server.process is not None
                if server.process.poll() is not None:
                    raise RuntimeError(f"server exited; see {server.log_path}")
                with contextlib.suppress(httpx.TransportError):
                    if (await probe.get(f"{self.url(n)}/healthz")).status_code == 200:
                        return
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start in time")
                await asyncio.sleep(0.1)  # a child process binding its port

    async def kill_server(self, n: int, *, wait: bool = True) -> None:
        """SIGKILL server ``n`` (the other one keeps serving) and start it again; without
        ``wait`` the restart goes on in the background (:meth:`serving` lists the others)."""
        self.servers[n].kill()
        self.stats.kills["server"] += 1
        self.servers[n].start()
        self._starting[n] = asyncio.create_task(self.wait_healthy(n))
        if wait:
            await self.all_up()

    def serving(self) -> list[int]:
        """The servers not restarting now."""
        return [
            n
            for n in range(len(self.servers))
            if self._starting.get(n) is None or self._starting[n].done()
        ]

    async def all_up(self) -> None:
        starting = [t for t in self._starting.values() if not t.done()]
        await asyncio.gather(*starting)
        for task in self._starting.values():
            task.result()  # a server that failed to start fails the run
        self._starting.clear()

    async def kill_all_servers(self) -> None:
        """A full outage: every server SIGKILLed at once, then started again."""
        for server in self.servers:
            server.kill()
        self.stats.kills["all_servers"] += 1
        for server in self.servers:
            server.start()
        await asyncio.gather(*[self.wait_healthy(n) for n in range(len(self.servers))])

    def kill_worker(self) -> None:
        self.worker.kill()
        self.stats.kills["worker"] += 1
        self.worker.start()


@contextlib.asynccontextmanager
async def running_cluster(
    database_url: str, log_dir: Path, receiver: Receiver, **env: str
) -> AsyncIterator[Cluster]:
    cluster = Cluster(database_url, log_dir, receiver, extra_env=dict(env))
    try:
        await cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(AttributeError):  # a start that failed half-way
            await cluster.close()


# Short leases for the random trials (a killed holder's key is free after 3 s, a dead
# worker's webhook lease after 8 s); the kill-servers scenario keeps the defaults.
FAST_LEASES = {
    "PAYMENTS_IDEMPOTENCY_LOCK_SECONDS": "3",
    "PAYMENTS_IDEMPOTENCY_LEASE_RENEW_SECONDS": "1",
    "PAYMENTS_WEBHOOK_TIMEOUT_SECONDS": "3",
}


# ----------------------------------------------------------------------------- clients

RETRYABLE = {409, 429, 500, 502, 503}


async def send(
    cluster: Cluster,
    client: httpx.AsyncClient,
    method: str,
    path: str,
    key: str | None,
    body: dict[str, Any] | None,
    *,
    rng: random.Random,
    budget: float,
) -> httpx.Response | None:
    """One integrator request, retried with the SAME key on a transport error, 409, 429 or
    a 5xx not replayed from the key, for at most ``budget`` seconds."""
    headers = {"Idempotency-Key": key} if key else {}
    server = rng.randrange(len(cluster.ports))  # the load balancer's pick
    deadline = time.monotonic() + budget
    blocked_since: float | None = None
    last: httpx.Response | None = None
    while time.monotonic() < deadline:
        cluster.stats.requests += 1
        try:
            last = await client.request(
                method, cluster.url(server) + path, json=body, headers=headers
            )
        except httpx.TransportError:
            last = None
            server += 1  # the load balancer takes the dead server out
            blocked_since = None  # an outage is not a key kept in use by a live server
        else:
            cluster.stats.responses[last.status_code] += 1
            in_use = last.status_code == 409 and _code(last) == "idempotency_key_in_use"
            if in_use and blocked_since is None:
                blocked_since = time.monotonic()
            if not in_use and blocked_since is not None:
                cluster.stats.takeover_seconds.append(time.monotonic() - blocked_since)
                blocked_since = None
            replayed = last.headers.get("idempotent-replayed") == "true"
            if last.status_code not in RETRYABLE or replayed:
                return last
        await asyncio.sleep(rng.uniform(0.05, 0.4))  # the integrator's backoff
    return last


def _code(response: httpx.Response) -> str | None:
    with contextlib.suppress(ValueError, KeyError, TypeError):
        return str(response.json()["error"]["code"])
    return None


@dataclass
class Flow:
    """One integrator's payment story and what it was told."""

    tag: str
    key: str
    amount: int
    manual: bool
    intent: str | None = None
    told: str | None = None  # the last status we answered with
    captured: bool = False
    refunded: int = 0
    notes: list[str] = field(default_factory=list)


async def payment_flow(
    cluster: Cluster, client: httpx.AsyncClient, flow: Flow, rng: random.Random, budget: float
) -> None:
    body: dict[str, Any] = {
        "amount": flow.amount,
        "location": cluster.location,
        "payment_method": "pm_card_visa",
        "confirm": True,
        "metadata": {"chaos": flow.tag},
    }
    if flow.manual:
        body["capture_method"] = "manual"
    deadline = time.monotonic() + budget

    def post(
        path: str, key: str, payload: dict[str, Any], seconds: float | None = None
    ) -> Awaitable[httpx.Response | None]:
        left = max(0.5, deadline - time.monotonic()) if seconds is None else seconds
        return send(cluster, client, "POST", path, key, payload, rng=rng, budget=left)

    sends = [post("/v1/payment_intents", flow.key, body)]
    if rng.random() < 0.3:  # the same key twice at once (a double-click, a retrying proxy)
        sends.append(post("/v1/payment_intents", flow.key, body))
    reuse = rng.random() < 0.1
    answers = await asyncio.gather(*sends)
    if reuse:  # the same key later with another body: refused (or busy), never executed
        other = await post("/v1/payment_intents", flow.key, body | {"amount": flow.amount + 1}, 2.0)
        if other is not None and other.status_code not in (400, 409):
            flow.notes.append(f"a reused key with another body answered {other.status_code}")
    first = answers[0]
    if first is None or first.status_code != 200:
        return
    pi = first.json()
    flow.intent, flow.told = pi["id"], pi["status"]
    for _ in range(3):  # a provably unsent charge leaves the intent to be confirmed again
        if flow.told not in ("requires_confirmation", "requires_payment_method"):
            break
        confirmed = await post(
            f"/v1/payment_intents/{flow.intent}/confirm",
            f"{flow.key}-confirm-{_}",
            {"payment_method": "pm_card_visa"},
        )
        if confirmed is None or confirmed.status_code != 200:
            return
        flow.told = confirmed.json()["status"]
    if flow.told == "requires_capture" and rng.random() < 0.8:
        captured = await post(
            f"/v1/payment_intents/{flow.intent}/capture", f"{flow.key}-capture", {}
        )
        if captured is not None and captured.status_code == 200:
            flow.told = captured.json()["status"]
            flow.captured = flow.told == "succeeded"
    if flow.told == "succeeded" and rng.random() < 0.4:
        amount = rng.randint(1, min(flow.amount, 5_000))
        refund_body = {"payment_intent": flow.intent, "amount": amount}
        refunds = [post("/v1/refunds", f"{flow.key}-refund", refund_body)]
        if rng.random() < 0.3:  # the same refund key twice at once
            refunds.append(post("/v1/refunds", f"{flow.key}-refund", refund_body))
        done = await asyncio.gather(*refunds)
        ids = {r.json()["id"] for r in done if r is not None and r.status_code == 200}
        if len(ids) > 1:
            flow.notes.append(f"one refund key made {len(ids)} refunds")
        if ids:
            flow.refunded = amount


# ----------------------------------------------------------------------------- chaos


async def replay_gateway_events(cluster: Cluster, rng: random.Random) -> int:
    """Deliver gateway events again: a random sample, duplicated, out of order, at once."""
    page = await cluster.sim.list_events(after=None, limit=100)
    events = list(page.events)
    while page.has_more and page.next_cursor:
        page = await cluster.sim.list_events(after=page.next_cursor, limit=100)
        events += page.events
    if not events:
        return 0
    sample = rng.sample(events, min(len(events), rng.randint(1, 12)))
    sample += rng.sample(sample, len(sample) // 2)  # duplicates
    rng.shuffle(sample)
    c = cluster.container
    # as in the poller, a delivery that fails (a gateway fault while the charge is fetched)
    # is left stored and unapplied: process_pending_gateway_events applies it later
    await asyncio.gather(
        *[
            handle_gateway_event(e, uow_factory=c.uow_factory, gateway=c.gateway, clock=c.clock)
            for e in sample
        ],
        return_exceptions=True,
    )
    cluster.stats.events_replayed += len(sample)
    return len(sample)


async def chaos_action(cluster: Cluster, rng: random.Random, kill_rate: float) -> None:
    """A fault (most of the time), a kill (``kill_rate`` of the time, scaled), or a
    replay of the gateway's events."""
    roll = rng.random()
    # (kill_rate 1 draws nothing more: the seeds of bench/chaos.py's plan stay the same)
    if kill_rate < 1.0 and roll < 0.91 and rng.random() >= kill_rate:
        roll = 0.0  # a fault instead of a kill
    if roll < 0.55:
        kind = rng.choice(FAULT_KINDS)
        operation = rng.choice(FAULT_OPERATIONS)
        await cluster.sim.set_fault(
            kind,  # type: ignore[arg-type]
            operation=operation,
            latency_ms=rng.randint(100, 2_500) if kind == "latency" else 0,
        )
        cluster.stats.faults[kind] += 1
    elif roll < 0.75:
        serving = cluster.serving()
        if len(serving) > 1:  # the one left keeps serving while the killed one restarts
            await cluster.kill_server(rng.choice(serving), wait=False)
    elif roll < 0.89:
        cluster.kill_worker()
    elif roll < 0.91:
        await cluster.all_up()
        await cluster.kill_all_servers()
    else:
        await replay_gateway_events(cluster, rng)


@dataclass(frozen=True)
class TrialPlan:
    flows: int = 8
    actions: int = 4
    window: float = 3.0  # seconds over which the chaos actions are spread
    budget: float = 60.0  # how long one integrator retries one request
    kill_rate: float = 1.0  # 0: no kills, only faults and event replays


async def run_trial(cluster: Cluster, seed: int, plan: TrialPlan = TrialPlan()) -> list[Flow]:
    rng = random.Random(seed)
    flows = [
        Flow(
            tag=f"s{seed}-f{i}",
            key=f"chaos-s{seed}-f{i}",
            amount=rng.randint(100, 90_000),
            manual=rng.random() < 0.3,
        )
        for i in range(plan.flows)
    ]
    flow_rngs = [random.Random(rng.getrandbits(64)) for _ in flows]
    offsets = sorted(rng.uniform(0, plan.window) for _ in range(plan.actions))
    chaos_rng = random.Random(rng.getrandbits(64))
    async with cluster.client() as client:

        async def delayed(i: int, flow: Flow) -> None:
            await asyncio.sleep(flow_rngs[i].uniform(0, plan.window))  # spread the arrivals
            await payment_flow(cluster, client, flow, flow_rngs[i], plan.budget)

        async def chaos() -> None:
            started = time.monotonic()
            for offset in offsets:
                await asyncio.sleep(max(0.0, offset - (time.monotonic() - started)))
                await chaos_action(cluster, chaos_rng, plan.kill_rate)

        t0 = time.monotonic()
        await asyncio.gather(chaos(), *[delayed(i, f) for i, f in enumerate(flows)])
    await cluster.sim.clear_faults()
    t1 = time.monotonic()
    await settle(cluster)
    t2 = time.monotonic()
    await check_invariants(cluster, seed, flows)
    t3 = time.monotonic()
    for phase, spent in (("flows", t1 - t0), ("recovery", t2 - t1), ("checks", t3 - t2)):
        cluster.stats.seconds[phase] += spent
    cluster.stats.trials += 1
    return flows


class _Later:
    """The system clock moved on by ``ahead``: recovery's backoff and staleness lapse."""

    def __init__(self, ahead: timedelta) -> None:
        self._ahead = ahead

    def now(self) -> Any:
        return SystemClock().now() + self._ahead


async def settle(cluster: Cluster) -> None:
    await settle_attempts(cluster.container)


async def settle_attempts(c: Container, *, ahead: timedelta = timedelta(hours=1)) -> None:
    """Run the recovery job (on a clock ``ahead`` of now, past every backoff) until no
    gateway call is left in doubt, then apply the gateway's pending news: "after the
    recovery job runs" in the invariants means after this."""
    later = _Later(ahead)
    for _ in range(50):
        await recover_attempts(
            uow_factory=c.uow_factory,
            gateway=c.gateway,
            clock=later,
            stale_after=timedelta(seconds=c.settings.recovery_stale_seconds),
        )
        async with c.engine.connect() as conn:
            open_attempts = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(gateway_attempts)
                    .where(gateway_attempts.c.status.in_(("started", "unknown")))
                )
            ).scalar_one()
        if open_attempts == 0:
            break
        await asyncio.sleep(0.2)  # an attempt the live worker leased a moment ago
    await c.gateway.process_due()  # type: ignore[attr-defined]
    await process_pending_gateway_events(uow_factory=c.uow_factory, gateway=c.gateway, clock=later)


# ----------------------------------------------------------------------------- invariants


async def check_invariants(
    cluster: Cluster, seed: int, flows: list[Flow], *, webhook_wait: float = 60.0
) -> None:
    failures: list[str] = []

    def check(ok: bool, what: str) -> None:
        cluster.stats.invariants += 1
        if not ok:
            failures.append(what)

    c = cluster.container
    tags = {f.tag: f for f in flows}
    async with c.engine.connect() as conn:
        intents = [
            r
            for r in (await conn.execute(sa.select(payment_intents))).all()
            if (r.metadata or {}).get("chaos") in tags
        ]
        ids = [r.id for r in intents]
        ours = (
            (
                await conn.execute(
                    sa.select(our_charges).where(our_charges.c.payment_intent_id.in_(ids))
                )
            ).all()
            if ids
            else []
        )
        open_attempts = (
            (
                await conn.execute(
                    sa.select(gateway_attempts.c.id).where(
                        gateway_attempts.c.payment_intent_id.in_(ids),
                        gateway_attempts.c.status.in_(("started", "unknown")),
                    )
                )
            ).all()
            if ids
            else []
        )
    async with cluster.sim.store.transaction() as conn:
        theirs = [
            r
            for r in (await conn.execute(sa.select(sim_charges))).all()
            if (r.meta or {}).get("payment_intent") in set(ids)
        ]
    by_tag: dict[str, list[Any]] = {}
    for r in intents:
        by_tag.setdefault(r.metadata["chaos"], []).append(r)
    ours_by_ref = {r.gateway_ref: r for r in ours if r.gateway_ref}
    intent_by_id = {r.id: r for r in intents}
    money_taken = Counter(
        r.meta["payment_intent"] for r in theirs if r.status in ("succeeded", "requires_capture")
    )

    check(not open_attempts, f"gateway calls still in doubt after recovery: {open_attempts}")
    for flow in flows:
        mine = by_tag.get(flow.tag, [])
        check(len(mine) <= 1, f"{flow.key}: one key made {len(mine)} PaymentIntents")
        for note in flow.notes:
            check(False, f"{flow.key}: {note}")
        if flow.intent is not None:
            check(
                [r.id for r in mine] == [flow.intent],
                f"{flow.key}: told {flow.intent}, stored {[r.id for r in mine]}",
            )
        told = [r for r in mine if r.id == flow.intent]
        if flow.told in ("succeeded", "requires_capture") and told:
            check(
                told[0].status in ("succeeded", "requires_capture"),
                f"{flow.key}: told {flow.told}, now {told[0].status} (a lost payment)",
            )
    for pi_id, taken in money_taken.items():
        check(taken == 1, f"{pi_id}: {taken} charges took money at the gateway (double charge)")
    for sim in theirs:
        mine_charge = ours_by_ref.get(sim.id)
        check(mine_charge is not None, f"gateway charge {sim.id} unknown to us (a lost payment)")
        if mine_charge is None:
            continue
        pi = intent_by_id[sim.meta["payment_intent"]]
        if sim.status in ("succeeded", "requires_capture", "canceled"):
            check(pi.status == sim.status, f"{pi.id}: ours {pi.status}, gateway {sim.status}")
        check(
            (pi.amount_received, mine_charge.amount_refunded)
            == (sim.amount_received, sim.amount_refunded),
            f"{pi.id}: received/refunded ours {(pi.amount_received, mine_charge.amount_refunded)}"
            f", gateway {(sim.amount_received, sim.amount_refunded)}",
        )
    for r in intents:
        check(r.status != "processing", f"{r.id} still processing after recovery")
    problems = await verify_ledger(uow_factory=c.uow_factory)
    check(problems == [], f"ledger verify: {problems}")
    count, broken = await verify_audit_chain(uow_factory=c.uow_factory)
    check(broken is None, f"audit verify: {broken} (of {count})")
    undelivered = await _undelivered(cluster, webhook_wait)
    check(not undelivered, f"webhook events never delivered: {sorted(undelivered)[:10]}")
    if failures:
        raise InvariantBroken(f"seed {seed}: " + "; ".join(failures))


async def _undelivered(cluster: Cluster, wait: float) -> set[str]:
    """Event ids the receiver has not seen, after waiting up to ``wait`` for the worker."""
    deadline = time.monotonic() + wait
    while True:
        async with cluster.container.engine.connect() as conn:
            # every event since the endpoint was registered (it is the first thing made)
            wanted = set(
                (
                    await conn.execute(
                        sa.select(events_table.c.id).where(
                            events_table.c.created >= cluster.hooked_at
                        )
                    )
                ).scalars()
            )
            pending = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(webhook_deliveries)
                    .where(webhook_deliveries.c.status != "succeeded")
                )
            ).scalar_one()
        seen = {_event_id(r.body) for r in list(cluster.receiver.requests)}
        missing = wanted - seen
        if not missing and not pending:
            return set()
        if time.monotonic() > deadline:
            return missing
        await asyncio.sleep(0.25)  # the worker process delivering


def _event_id(body: bytes) -> str:
    with contextlib.suppress(ValueError, KeyError, TypeError):
        return str(orjson.loads(body)["id"])
    return ""


async def kill_servers_scenario(
    cluster: Cluster,
    *,
    payments: int,
    clients: int,
    kills: int,
    seed: int,
    budget: float = 60.0,
    progress: Callable[[str], object] | None = None,
) -> dict[str, Any]:
    """The issue's scenario: ``payments`` create+confirm payments from ``clients``
    integrators that retry each with its key for at most ``budget`` s, while the whole
    server is SIGKILLed ``kills`` times; every key must end with exactly one succeeded
    PaymentIntent and exactly one charge at the gateway."""
    rng = random.Random(seed)
    await cluster.sim.set_fault("latency", operation="charge", count=None, latency_ms=150)
    flows = [
        Flow(
            tag=f"k{seed}-{i}",
            key=f"kill-{seed}-{i}",
            amount=rng.randint(100, 90_000),
            manual=False,
        )
        for i in range(payments)
    ]
    queue: asyncio.Queue[Flow] = asyncio.Queue()
    for flow in flows:
        queue.put_nowait(flow)
    done = asyncio.Event()
    progressed = asyncio.Event()  # set after every payment answered
    answered = [0]
    started = time.monotonic()

    async with cluster.client(connections=clients * 2) as client:

        async def integrator(n: int) -> None:
            own = random.Random(rng.getrandbits(64) + n)
            while not queue.empty():
                flow = queue.get_nowait()
                body = {
                    "amount": flow.amount,
                    "location": cluster.location,
                    "payment_method": "pm_card_visa",
                    "confirm": True,
                    "metadata": {"chaos": flow.tag},
                }
                answer = await send(
                    cluster,
                    client,
                    "POST",
                    "/v1/payment_intents",
                    flow.key,
                    body,
                    rng=own,
                    budget=budget,
                )
                if answer is not None and answer.status_code == 200:
                    flow.intent, flow.told = answer.json()["id"], answer.json()["status"]
                else:
                    flow.notes.append(
                        f"no answer within {budget}s: "
                        f"{answer.status_code if answer is not None else 'transport error'}"
                    )
                answered[0] += 1
                progressed.set()

        async def killer() -> None:
            for i in range(kills):
                expected = len(flows) * (i + 1) / (kills + 1)
                while answered[0] < expected and not done.is_set():
                    progressed.clear()
                    await progressed.wait()
                if done.is_set():
                    return
                target = i % len(cluster.servers)
                starting = cluster._starting.get(target)
                if starting is not None:
                    await starting  # a server still starting is not killed
                await asyncio.sleep(rng.uniform(0, 0.3))  # land at a random point in a call
                await cluster.kill_server(target, wait=False)
                if progress is not None:
                    progress(f"kill {i + 1}/{kills} at {time.monotonic() - started:.1f}s")

        killing = asyncio.create_task(killer())
        await asyncio.gather(*[integrator(n) for n in range(clients)])
        done.set()
        progressed.set()
        await killing
        await cluster.all_up()
    await cluster.sim.clear_faults()
    elapsed = time.monotonic() - started
    # the worker's recovery settles what the kills left in doubt; wait for it to finish
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        async with cluster.container.engine.connect() as conn:
            doubt = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(payment_intents)
                    .where(payment_intents.c.status == "processing")
                )
            ).scalar_one()
        if not doubt:
            break
        await asyncio.sleep(0.5)  # the separate worker process recovering
    await settle(cluster)
    await check_invariants(cluster, seed, flows)
    intents = {f.intent for f in flows}
    async with cluster.container.engine.connect() as conn:
        statuses = Counter(
            r.status
            for r in (await conn.execute(sa.select(payment_intents))).all()
            if r.id in intents
        )
    async with cluster.sim.store.transaction() as conn:
        taken = Counter(
            r.meta.get("payment_intent")
            for r in (await conn.execute(sa.select(sim_charges))).all()
            if r.status == "succeeded" and r.meta.get("payment_intent") in intents
        )
    succeeded = statuses.get("succeeded", 0)
    cluster.stats.invariants += 2
    if succeeded != payments or len(taken) != payments or set(taken.values()) != {1}:
        raise InvariantBroken(
            f"seed {seed}: {succeeded}/{payments} keys succeeded, gateway charges per intent "
            f"{dict(Counter(taken.values()))} over {len(taken)} intents"
        )
    takeovers = cluster.stats.takeover_seconds
    return {
        "payments": payments,
        "clients": clients,
        "kills": cluster.stats.kills["server"],
        "succeeded_intents": succeeded,
        "gateway_charges": sum(taken.values()),
        "elapsed_s": round(elapsed, 1),
        "longest_409_s": round(max(takeovers), 1) if takeovers else 0.0,
        "takeovers": len(takeovers),
    }
