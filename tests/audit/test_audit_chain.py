"""The audit hash chain: canonical hashing, and every kind of tampering named."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.audit.domain import (
    ACTIONS,
    GENESIS_HASH,
    AuditRecord,
    ChainState,
    canonical_json,
    check_chain,
    check_head,
    compute_hash,
    diff,
    seal,
)

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def chain(n: int) -> list[AuditRecord]:
    records: list[AuditRecord] = []
    prev = GENESIS_HASH
    for i in range(1, n + 1):
        record = seal(
            seq=i,
            prev_hash=prev,
            id=f"aud_{i:026d}",
            created=T0 + timedelta(seconds=i, microseconds=i),
            actor_type="api_key",
            actor_id="key_1",
            actor_name="Finance desk",
            action="refund.approved",
            object_type="refund",
            object_id=f"re_{i}",
            location_id="loc_1",
            ip="203.0.113.7",
            request_id=f"req_{i}",
            changes={"before": {"status": "pending_approval"}, "after": {"status": "pending"}},
        )
        records.append(record)
        prev = record.hash
    return records


def walk(records: list[AuditRecord]) -> str | None:
    state = ChainState()
    broken = check_chain(records, state)
    return str(broken) if broken else None


def test_the_hash_is_sha256_of_the_canonical_json_of_everything_but_the_hash() -> None:
    (record,) = chain(1)
    content = dataclasses.asdict(record)
    del content["hash"]
    content["created"] = "2026-01-15T09:00:01.000001Z"
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert record.hash == hashlib.sha256(text.encode()).hexdigest()
    assert record.prev_hash == GENESIS_HASH


def test_canonical_json_ignores_key_order_and_refuses_non_json() -> None:
    assert canonical_json({"b": 1, "a": [1, "é"]}) == '{"a":[1,"é"],"b":1}'.encode()
    assert compute_hash({"a": 1, "b": 2}) == compute_hash({"b": 2, "a": 1})
    with pytest.raises(TypeError):
        canonical_json({"when": T0})
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_an_intact_chain_verifies_and_its_head_matches() -> None:
    records = chain(5)
    state = ChainState()
    assert check_chain(records[:2], state) is None  # in batches
    assert check_chain(records[2:], state) is None
    assert (state.seq, state.hash, state.count) == (5, records[-1].hash, 5)
    assert check_head(state, 5, records[-1].hash) is None
    assert check_head(ChainState(), None, None) is None


@pytest.mark.parametrize(
    "field", ["actor_name", "action", "object_id", "ip", "request_id", "location_id"]
)
def test_editing_any_field_breaks_that_records_hash(field: str) -> None:
    records = chain(4)
    records[2] = dataclasses.replace(records[2], **{field: "tampered"})
    assert (
        walk(records)
        == f"audit record {records[2].id} (#3): its hash does not match its content (it was edited)"
    )


def test_editing_the_changes_or_the_time_is_detected() -> None:
    records = chain(3)
    edited = dict(records[1].changes, after={"status": "canceled"})
    assert "edited" in str(
        walk([records[0], dataclasses.replace(records[1], changes=edited), records[2]])
    )
    moved = dataclasses.replace(records[1], created=records[1].created + timedelta(microseconds=1))
    assert "edited" in str(walk([records[0], moved, records[2]]))


def test_a_rehashed_edit_breaks_the_next_link() -> None:
    records = chain(3)
    forged = dataclasses.replace(records[1], actor_name="someone else")
    forged = dataclasses.replace(forged, hash=compute_hash(forged.content()))
    assert walk([records[0], forged, records[2]]) == (
        f"audit record {records[2].id} (#3): its prev_hash does not match record #2's hash "
        "(an earlier record was edited or replaced)"
    )


def test_deletions_are_named() -> None:
    records = chain(6)
    assert walk([records[0], records[2]]) == (
        f"audit record {records[2].id} (#3): follows #1: #2 is missing (deleted)"
    )
    assert "#2..#4 is missing" in str(walk([records[0], records[4]]))
    assert "#1 is missing" in str(walk(records[1:]))
    state = ChainState()
    assert check_chain(records[:5], state) is None  # the newest deleted: the head says so
    assert "records #6..#6 are missing" in str(check_head(state, 6, records[-1].hash))
    assert "head is missing" in str(check_head(state, None, None))
    assert "does not match" in str(check_head(state, 5, "f" * 64))


def test_only_registered_actions_can_be_sealed() -> None:
    with pytest.raises(ValueError, match="unregistered"):
        seal(seq=1, prev_hash=GENESIS_HASH, action="refund.stolen")
    assert "webhook_endpoint.disabled" in ACTIONS  # ready for the webhooks worker


def test_diff_keeps_only_changed_fields() -> None:
    assert diff({"status": "pending", "amount": 5}, {"status": "succeeded", "amount": 5}) == {
        "before": {"status": "pending"},
        "after": {"status": "succeeded"},
    }
    assert diff(None, {"amount": 5}) == {"before": {}, "after": {"amount": 5}}
    assert diff({"note": None}, {}) == {"before": {"note": None}, "after": {}}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(json_values)
def test_the_hash_survives_a_json_round_trip(value: Any) -> None:
    """What the database gives back (JSON/JSONB) hashes like what was written."""
    assert compute_hash({"changes": json.loads(json.dumps(value))}) == compute_hash(
        {"changes": value}
    )
