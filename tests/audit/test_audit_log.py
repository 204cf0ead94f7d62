"""The audit trail: who did what, from where, in which request, in the same transaction;
readable by finance and admin only; any later edit or deletion is detected by
``payments audit verify`` (run as a real subprocess)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

import sqlalchemy as sa

from payments.audit.tables import audit_log
from support.app import Api
from support.refunds import paid, refund, shop, verified


def audit_verify(database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "payments.app.cli", "audit", "verify"],
        env=os.environ | {"PAYMENTS_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def _approved_refund(api: Api) -> tuple[dict[str, str], dict[str, str], dict[str, object]]:
    admin, loc = await shop(api)
    pi = await paid(api, admin, loc["id"], amount=50000)
    clerk, finance = await api.key("clerk"), await api.key("finance")
    waiting = (
        await refund(api, clerk, payment_intent=pi["id"], amount=30000, note="dead on arrival")
    ).json()
    approved = await api.client.post(f"/v1/refunds/{waiting['id']}/approve", headers=finance)
    assert approved.status_code == 200, approved.text
    return clerk, finance, waiting


async def test_refund_actions_are_audited_with_who_where_and_what_changed(api: Api) -> None:
    clerk, finance, waiting = await _approved_refund(api)
    response = await api.client.get(
        "/v1/audit_log", params={"object": waiting["id"], "limit": 100}, headers=finance
    )
    assert response.status_code == 200, response.text
    records = list(reversed(response.json()["data"]))  # oldest first
    assert [r["action"] for r in records] == [
        "refund.requested",
        "refund.approved",
        "refund.sent",
        "refund.succeeded",
    ]
    requested, approved = records[0], records[1]
    assert requested["actor"] == {
        "type": "api_key",
        "id": waiting["requested_by"]["id"],  # type: ignore[index]
        "name": "test clerk",
    }
    assert requested["ip"] == "203.0.113.7"
    assert requested["request_id"].startswith("req_")
    assert requested["changes"]["after"]["amount"] == 30000
    assert requested["changes"]["after"]["note"] == "dead on arrival"
    assert requested["changes"]["after"]["approval_required_because"] == "amount_above_threshold"
    assert approved["actor"]["name"] == "test finance"
    assert approved["changes"] == {
        "before": {"status": "pending_approval"},
        "after": {"status": "pending", "decision": "approved"},
    }
    assert [r["seq"] for r in records] == sorted(r["seq"] for r in records)
    for earlier, later in itertools.pairwise(records):
        if later["seq"] == earlier["seq"] + 1:
            assert later["prev_hash"] == earlier["hash"]
    by_action = await api.client.get(
        "/v1/audit_log", params={"action": "refund.approved"}, headers=finance
    )
    assert [r["target"]["id"] for r in by_action.json()["data"]] == [waiting["id"]]
    actor = approved["actor"]["id"]
    by_actor = await api.client.get("/v1/audit_log", params={"actor": actor}, headers=finance)
    assert {r["action"] for r in by_actor.json()["data"]} == {
        "refund.approved",
        "refund.sent",
        "refund.succeeded",
    }
    assert (await api.client.get("/v1/audit_log", headers=clerk)).status_code == 403
    await verified(api)


async def test_captures_cancels_and_api_keys_are_audited(api: Api) -> None:
    admin, loc = await shop(api)
    held = await paid(api, admin, loc["id"], amount=7000, capture_method="manual")
    captured = await api.client.post(
        f"/v1/payment_intents/{held['id']}/capture", json={"amount_to_capture": 5000}, headers=admin
    )
    assert captured.status_code == 200
    other = await paid(api, admin, loc["id"], amount=7000, capture_method="manual")
    await api.client.post(f"/v1/payment_intents/{other['id']}/cancel", headers=admin)
    records = (await api.client.get("/v1/audit_log", params={"limit": 100}, headers=admin)).json()[
        "data"
    ]
    actions = [(r["action"], r["target"]["id"]) for r in records]
    assert ("payment_intent.capture_requested", held["id"]) in actions
    assert ("payment_intent.cancel_requested", other["id"]) in actions
    capture = next(r for r in records if r["action"] == "payment_intent.capture_requested")
    assert capture["changes"]["after"] == {"amount_to_capture": 5000, "currency": "eur"}
    created_keys = [r for r in records if r["action"] == "api_key.created"]
    assert created_keys and created_keys[0]["actor"]["type"] == "cli"
    await verified(api)


async def test_audit_verify_passes_then_names_an_edited_record(api: Api) -> None:
    await _approved_refund(api)
    url = api.container.settings.database_url
    ok = audit_verify(url)
    assert ok.returncode == 0, ok.stderr
    assert "audit verify: OK" in ok.stdout
    async with api.container.engine.begin() as conn:
        victim = (
            await conn.execute(
                sa.select(audit_log.c.id, audit_log.c.seq).where(
                    audit_log.c.action == "refund.approved"
                )
            )
        ).one()
        await conn.execute(  # someone "fixes" the approval in SQL
            audit_log.update().where(audit_log.c.id == victim.id).values(actor_name="test admin")
        )
    broken = audit_verify(url)
    assert broken.returncode == 1
    assert f"audit record {victim.id} (#{victim.seq})" in broken.stderr
    assert "edited" in broken.stderr


async def test_audit_verify_detects_a_deleted_record(api: Api) -> None:
    await _approved_refund(api)
    url = api.container.settings.database_url
    async with api.container.engine.begin() as conn:
        middle = (
            await conn.execute(
                sa.select(audit_log.c.seq).where(audit_log.c.action == "refund.approved")
            )
        ).scalar_one()
        await conn.execute(audit_log.delete().where(audit_log.c.seq == middle))
    broken = audit_verify(url)
    assert broken.returncode == 1
    assert f"#{middle} is missing (deleted)" in broken.stderr


async def test_audit_verify_detects_a_deleted_newest_record(api: Api) -> None:
    await _approved_refund(api)
    url = api.container.settings.database_url
    async with api.container.engine.begin() as conn:
        newest = (await conn.execute(sa.select(sa.func.max(audit_log.c.seq)))).scalar_one()
        await conn.execute(audit_log.delete().where(audit_log.c.seq == newest))
    broken = audit_verify(url)
    assert broken.returncode == 1
    assert "missing (deleted)" in broken.stderr
