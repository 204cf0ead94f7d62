"""The deployment files, checked without a Docker engine (none runs on these machines):
the image's command is run here as a real process, exactly as the Dockerfile states it,
with the Dockerfile's environment; it serves, passes its own HEALTHCHECK, and on SIGTERM
lets a payment in flight finish before it exits. compose.yaml and the ECS task
definitions name only settings that exist."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import yaml

from payments.apikeys.service import create_api_key
from payments.app.bootstrap import Container
from payments.app.capabilities import verify_ledger
from payments.gateways.simulator import SimulatorGateway
from payments.gateways.simulator.store import faults as sim_faults
from payments.kernel.access import Role
from payments.platform.config import Settings
from support.server import free_port

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
BIN = Path(sys.executable).parent


def instructions(name: str) -> list[str]:
    """The arguments of every ``name`` instruction, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [
        line.split(None, 1)[1].strip()
        for line in joined.splitlines()
        if line.strip().upper().startswith(name + " ")
    ]


def runtime_env() -> dict[str, str]:
    """The ENV of the image's last stage, as the container sees it."""
    last_stage = re.sub(r"\\\n\s*", " ", DOCKERFILE).rsplit("\nFROM ", 1)[1]
    env: dict[str, str] = {}
    for line in last_stage.splitlines():
        if line.startswith("ENV "):
            for pair in shlex.split(line[4:]):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def image_command() -> list[str]:
    (entrypoint,) = instructions("ENTRYPOINT")
    (cmd,) = instructions("CMD")
    return [*json.loads(entrypoint), *json.loads(cmd)]


def test_the_image_is_multi_stage_slim_and_runs_as_an_unprivileged_user() -> None:
    froms = instructions("FROM")
    assert len(froms) >= 2 and froms[-1].startswith("python:3.11-slim")
    (user,) = instructions("USER")
    assert user.split(":")[0] not in {"root", "0"}
    (healthcheck,) = instructions("HEALTHCHECK")
    assert healthcheck.endswith('CMD ["payments", "healthcheck"]')
    assert image_command() == ["payments", "serve"]
    assert runtime_env()["PAYMENTS_ENVIRONMENT"] == "production"


def _settings_named(text: str) -> set[str]:
    return set(re.findall(r"\bPAYMENTS_([A-Z0-9_]+)\b", text))


KNOWN = {name.upper() for name in Settings.model_fields}
#: Variables of the deployment files that are not the service's settings (passwords the
#: files compose URLs from).
NOT_SETTINGS = {"APP_DB_PASSWORD", "OWNER_DB_PASSWORD", "RABBITMQ_PASSWORD"}


@pytest.mark.parametrize(
    "path",
    [
        "Dockerfile",
        "compose.yaml",
        "deploy/compose.env.example",
        "deploy/ecs/api-task-definition.json",
        "deploy/ecs/worker-task-definition.json",
    ],
)
def test_deployment_files_name_only_settings_that_exist(path: str) -> None:
    named = _settings_named((ROOT / path).read_text()) - NOT_SETTINGS
    assert named, path
    assert named <= KNOWN, f"{path}: unknown settings {sorted(named - KNOWN)}"


def test_compose_runs_migrations_first_then_api_replicas_and_a_worker() -> None:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "rabbitmq", "migrate", "api", "worker"} <= services.keys()
    assert services["migrate"]["command"] == ["migrate", "--check"]
    assert services["migrate"]["environment"]["PAYMENTS_DATABASE_APP_ROLE"] == "payments_app"
    for name in ("api", "worker"):
        service = services[name]
        assert service["depends_on"]["migrate"]["condition"] == ("service_completed_successfully")
        assert "payments_app:" in service["environment"]["PAYMENTS_DATABASE_URL"]
        assert int(service["stop_grace_period"].rstrip("s")) > 30  # > the API's own grace
    assert services["api"]["deploy"]["replicas"] >= 2
    assert services["worker"]["command"] == ["worker"]


def test_ecs_tasks_take_secrets_from_the_secret_store_and_stop_gracefully() -> None:
    for path in ("api", "worker"):
        task = json.loads((ROOT / f"deploy/ecs/{path}-task-definition.json").read_text())
        (container,) = task["containerDefinitions"]
        plain = {e["name"] for e in container["environment"]}
        secret = {s["name"] for s in container["secrets"]}
        assert {"PAYMENTS_DATABASE_URL", "PAYMENTS_STRIPE_SECRET_KEY"} <= secret
        assert not any("SECRET" in n or "DATABASE_URL" in n for n in plain)
        assert container["stopTimeout"] > 30
    assert container["command"] == ["worker"]


async def _eventually(probe: Any, what: str) -> Any:
    deadline = time.monotonic() + 30.0
    while (found := await probe()) is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)
    return found


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.mark.slow
async def test_the_image_command_serves_passes_its_healthcheck_and_drains_on_sigterm(
    container: Container, tmp_path: Path
) -> None:
    port = free_port()
    env = (
        os.environ
        | runtime_env()
        | {
            "PATH": f"{BIN}:{os.environ['PATH']}",
            "PAYMENTS_PORT": str(port),
            "PAYMENTS_HOST": "127.0.0.1",
            "PAYMENTS_DATA_DIR": str(tmp_path),
            # the key that encrypted the test database's data (the container's)
            "PAYMENTS_KEY_FILE": str(container.settings.resolved_key_file),
            "PAYMENTS_DATABASE_URL": container.settings.database_url,
            "PAYMENTS_EMBEDDED_WORKER": "false",
            "PAYMENTS_SEED_SAMPLE_DATA": "false",
            "PAYMENTS_RATE_LIMIT_PER_SECOND": "0",
            "PAYMENTS_LOG_LEVEL": "WARNING",
            "PAYMENTS_SHUTDOWN_GRACE_SECONDS": "20",
        }
    )
    command = image_command()
    healthcheck = ["payments", "healthcheck"]
    unhealthy = await asyncio.create_subprocess_exec(
        *healthcheck, env=env, stderr=asyncio.subprocess.PIPE
    )
    _, complaint = await unhealthy.communicate()
    assert unhealthy.returncode == 1 and complaint.startswith(b"unhealthy:")
    server = await asyncio.to_thread(_start, command, env, tmp_path / "server.log")
    try:

        async def healthy() -> bool | None:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            probe = await asyncio.create_subprocess_exec(*healthcheck, env=env)
            return True if await probe.wait() == 0 else None

        await _eventually(healthy, "the HEALTHCHECK to pass")
        key = await create_api_key(
            role=Role.admin,
            name="image",
            location_id=None,
            uow_factory=container.uow_factory,
            clock=container.clock,
        )
        headers = {"Authorization": f"Bearer {key.secret}"}
        sim = container.gateway
        assert isinstance(sim, SimulatorGateway)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            shop = await client.post(
                "/v1/locations",
                json={
                    "name": "Image Shop",
                    "address": {"line1": "Torstrasse 1", "city": "Berlin", "country": "DE"},
                    "timezone": "Europe/Berlin",
                },
                headers=headers,
            )
            assert shop.status_code == 200, shop.text
            assert shop.headers["x-content-type-options"] == "nosniff"
            pi = await client.post(
                "/v1/payment_intents",
                json={
                    "amount": 2500,
                    "location": shop.json()["id"],
                    "payment_method": "pm_card_visa",
                },
                headers=headers,
            )
            pi_id = pi.json()["id"]
            fault = await sim.set_fault("latency", operation="charge", latency_ms=2_000)
            confirm = asyncio.create_task(
                client.post(f"/v1/payment_intents/{pi_id}/confirm", headers=headers)
            )

            async def in_flight() -> bool | None:
                async with sim.store.transaction() as conn:
                    remaining = (
                        await conn.execute(
                            sa.select(sim_faults.c.remaining).where(sim_faults.c.id == fault)
                        )
                    ).scalar_one()
                return True if remaining == 0 else None

            await _eventually(in_flight, "the charge to reach the gateway")
            server.send_signal(signal.SIGTERM)  # what `docker stop` and ECS send
            answered = await confirm
        assert answered.status_code == 200, answered.text
        assert answered.json()["status"] == "succeeded"
        # uvicorn re-raises the signal once it has drained: "terminated by SIGTERM", on time
        assert await asyncio.to_thread(server.wait, 25) in (0, -signal.SIGTERM)
        assert await verify_ledger(uow_factory=container.uow_factory) == []
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
