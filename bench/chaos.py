"""Chaos runs: seeded random interleavings over real server processes on PostgreSQL.

    .venv/bin/python bench/chaos.py --trials 1000 --seed 20
    .venv/bin/python bench/chaos.py --trials 500 --first-trial 500   # the second half, alongside
    .venv/bin/python bench/chaos.py --scenario kill-servers    # 600 payments, 16 clients, 8 kills

What it does, all on this machine (loopback only):

1. creates a fresh PostgreSQL database (``--admin-url``) and migrates it;
2. starts a webhook receiver, two ``uvicorn payments.asgi:app`` server processes, one
   ``payments worker`` process, an admin key, a shop and a webhook endpoint for ``*``;
3. ``--scenario trials`` (the default): runs ``--trials`` trials, trial ``n`` from seed
   ``seed * 1000003 + n`` (see ``tests/support/chaos.py``): concurrent integrator flows
   with idempotency-key retries and reuse, simulator faults (latency, timeout, HTTP
   500, lost response), SIGKILL of a server, of both, of the worker, gateway events
   replayed duplicated and out of order; after each, the recovery job runs and the
   invariants are checked (one intent per key, no double charge, no lost payment, our
   view equals the gateway's, no call left in doubt, ledger verify, audit verify, every
   webhook delivered). The first broken invariant stops the run, naming its seed;
   ``--keep-going`` counts failures and goes on;
   ``--scenario kill-servers``: ``--payments`` payments from ``--clients`` integrators
   that retry each with its key for at most 60 s, while the servers are SIGKILLed
   ``--kills`` times (with the default 10 s idempotency lease; the trials use short
   leases, ``FAST_LEASES``, to fit more trials in an hour): every key must end with exactly one succeeded PaymentIntent and
   exactly one charge at the gateway;
4. runs the real ``payments ledger verify`` and ``payments audit verify`` on the
   database, prints ONE JSON line (trials run, invariants checked, requests, faults,
   kills, failures with their seeds, the load average) and exits 1 on any failure;
5. drops the database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from payments.platform.db import migrate  # noqa: E402
from support import databases  # noqa: E402
from support.chaos import (  # noqa: E402
    FAST_LEASES,
    Cluster,
    InvariantBroken,
    Stats,
    TrialPlan,
    kill_servers_scenario,
    run_trial,
    running_cluster,
)
from support.databases import postgres_database  # noqa: E402
from support.receiver import running_receiver  # noqa: E402


def _cli_verify(database_url: str, what: str) -> bool:
    env = os.environ | {"PAYMENTS_DATABASE_URL": database_url, "PAYMENTS_LOG_LEVEL": "WARNING"}
    done = subprocess.run(
        [sys.executable, "-m", "payments.app.cli", what, "verify"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"payments {what} verify failed:\n{done.stdout}{done.stderr}", file=sys.stderr)
    return done.returncode == 0


async def _trials(cluster: Cluster, args: argparse.Namespace, failures: list[str]) -> None:
    plan = TrialPlan(flows=args.flows, actions=args.actions, window=args.window)
    started = time.monotonic()
    for n in range(args.first_trial, args.first_trial + args.trials):
        seed = args.seed * 1_000_003 + n
        try:
            await run_trial(cluster, seed, plan)
        except InvariantBroken as broken:
            failures.append(str(broken))
            print(f"FAILED {broken}", file=sys.stderr, flush=True)
            if not args.keep_going:
                return
        if (n + 1 - args.first_trial) % args.report_every == 0:
            print(
                f"[{time.monotonic() - started:7.0f}s] {cluster.stats.line()}",
                file=sys.stderr,
                flush=True,
            )
        if args.max_seconds and time.monotonic() - started > args.max_seconds:
            print(f"stopping: --max-seconds {args.max_seconds} reached", file=sys.stderr)
            return


async def _run(args: argparse.Namespace, url: str, log_dir: Path) -> tuple[Stats, list[str]]:
    failures: list[str] = []
    with running_receiver() as receiver:
        env = {} if args.scenario == "kill-servers" else FAST_LEASES  # the defaults, proven
        async with running_cluster(url, log_dir, receiver, **env) as cluster:
            if args.scenario == "kill-servers":
                try:
                    found = await kill_servers_scenario(
                        cluster,
                        payments=args.payments,
                        clients=args.clients,
                        kills=args.kills,
                        seed=args.seed,
                        progress=lambda line: print(line, file=sys.stderr, flush=True),
                    )
                    print(json.dumps(found), file=sys.stderr)
                except InvariantBroken as broken:
                    failures.append(str(broken))
            else:
                await _trials(cluster, args, failures)
            return cluster.stats, failures


def main(args: argparse.Namespace) -> int:
    result: dict[str, object] = {
        "scenario": args.scenario,
        "seed": args.seed,
        "first_trial": args.first_trial,
    }
    started = time.monotonic()
    databases.POSTGRES_ADMIN_URL = args.admin_url
    with (
        postgres_database("payments_chaos") as url,
        tempfile.TemporaryDirectory(prefix="chaos-") as logs,
    ):
        migrate.upgrade(url)
        stats, failures = asyncio.run(_run(args, url, Path(args.log_dir or logs)))
        ledger_ok = _cli_verify(url, "ledger")
        audit_ok = _cli_verify(url, "audit")
    result |= {
        "trials_run": stats.trials,
        "invariants_checked": stats.invariants + 2,
        "requests": stats.requests,
        "responses": dict(sorted(stats.responses.items())),
        "faults": dict(stats.faults),
        "kills": dict(stats.kills),
        "gateway_events_replayed": stats.events_replayed,
        "longest_409_s": round(max(stats.takeover_seconds), 1) if stats.takeover_seconds else 0,
        "ledger_verify": ledger_ok,
        "audit_verify": audit_ok,
        "failures": failures,
        "elapsed_s": round(time.monotonic() - started, 1),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result))
    return 0 if not failures and ledger_ok and audit_ok else 1


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scenario", choices=["trials", "kill-servers"], default="trials")
    p.add_argument("--trials", type=int, default=100)
    p.add_argument("--seed", type=int, default=20)
    p.add_argument(
        "--first-trial",
        type=int,
        default=0,
        help="start at this trial number (shard a long run: --first-trial 500 --trials 500)",
    )
    p.add_argument("--flows", type=int, default=6, help="integrator flows per trial")
    p.add_argument("--actions", type=int, default=4, help="chaos actions per trial")
    p.add_argument("--window", type=float, default=2.0, help="seconds a trial's chaos spans")
    p.add_argument("--keep-going", action="store_true", help="count failures and go on")
    p.add_argument("--max-seconds", type=float, default=0, help="stop after this long")
    p.add_argument("--report-every", type=int, default=10)
    p.add_argument("--payments", type=int, default=600)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--kills", type=int, default=8)
    p.add_argument("--log-dir", default=None, help="keep the server and worker logs here")
    p.add_argument(
        "--admin-url",
        default=os.environ.get(
            "PAYMENTS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    return p.parse_args()


if __name__ == "__main__":
    sys.exit(main(_args()))
