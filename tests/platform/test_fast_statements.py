"""Statements on the driver connection (PostgreSQL) behave as through SQLAlchemy.

``payments.platform.db.fast`` runs the records' add/save/get, events and ledger inserts
on the asyncpg connection on PostgreSQL and through SQLAlchemy on SQLite: the same
values come back (enums, aware datetimes, JSON, encrypted columns), in the unit of
work's transaction, with the same errors.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError

from payments.app.bootstrap import Container
from payments.events.domain import Event
from payments.events.repository import EventRepository
from payments.fraud.domain.model import Rule, RuleAction
from payments.fraud.repository import RuleRepository
from payments.fraud.tables import fraud_rules

NOW = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)


def _rule(rule_id: str) -> Rule:
    return Rule(
        id=rule_id,
        action=RuleAction("block"),
        predicate=":amount_in_eur: > 100",
        created=NOW,
        updated=NOW,
        description="fast path",
    )


async def test_records_round_trip_as_through_sqlalchemy(container: Container) -> None:
    async with container.uow_factory() as uow:
        rules = uow.repo(RuleRepository)
        await rules.add(_rule("rule_fast_1"))
        await rules.save(replace(_rule("rule_fast_1"), enabled=False, description="saved"))
        await uow.commit()
    async with container.uow_factory() as uow:
        rules = uow.repo(RuleRepository)
        fast = await rules.get("rule_fast_1")
        for_update = await rules.get("rule_fast_1", for_update=True)
        (through_sqlalchemy,) = await rules.find(fraud_rules.c.id == "rule_fast_1")
    assert fast == for_update == through_sqlalchemy
    assert fast is not None
    assert fast.action is RuleAction("block")
    assert fast.created == NOW and fast.created.tzinfo is not None
    assert (fast.enabled, fast.description) == (False, "saved")


async def test_a_failed_statement_raises_the_sqlalchemy_error_and_rolls_back(
    container: Container,
) -> None:
    async with container.uow_factory() as uow:
        await uow.repo(RuleRepository).add(_rule("rule_fast_2"))
        await uow.commit()
    with pytest.raises(IntegrityError):
        async with container.uow_factory() as uow:
            await uow.repo(RuleRepository).add(_rule("rule_fast_3"))
            await uow.repo(RuleRepository).add(_rule("rule_fast_2"))
            await uow.commit()
    async with container.uow_factory() as uow:
        assert await uow.repo(RuleRepository).get("rule_fast_3") is None  # rolled back


async def test_events_keep_their_encrypted_payload(container: Container) -> None:
    events = [
        Event(
            id=f"evt_fast_{n}",
            type="payment_intent.created",
            object_id="pi_fast",
            data={"object": {"id": "pi_fast", "amount": 2599 + n, "note": "é"}},
            created=NOW,
            location_id=None,
            request_id=None,
            idempotency_key=None,
            livemode=False,
        )
        for n in range(2)
    ]
    async with container.uow_factory() as uow:
        await uow.repo(EventRepository).add_all(events)  # an executemany
        await uow.repo(EventRepository).add(replace(events[0], id="evt_fast_9"))
        await uow.commit()
    async with container.uow_factory() as uow:
        found = [await uow.repo(EventRepository).get(e) for e in ("evt_fast_0", "evt_fast_1")]
    assert found == events
    async with container.engine.connect() as conn:  # stored encrypted, not as the JSON
        stored = (
            await conn.execute(sa.text("SELECT data FROM events WHERE id = 'evt_fast_1'"))
        ).scalar_one()
    assert "2600" not in str(stored)


async def test_a_lost_connection_is_invalidated_and_the_next_unit_of_work_gets_a_new_one(
    container: Container,
) -> None:
    if container.engine.dialect.name != "postgresql":
        pytest.skip("the driver-connection path runs on PostgreSQL only")
    async with container.uow_factory() as uow:
        await uow.repo(RuleRepository).add(_rule("rule_fast_lost"))
        await uow.commit()
    with pytest.raises(DBAPIError) as raised:
        async with container.uow_factory() as uow:
            rules = uow.repo(RuleRepository)
            own = rules._conn
            pid = (await own.execute(sa.select(sa.func.pg_backend_pid()))).scalar_one()
            async with container.engine.connect() as other:  # the server drops the session
                await other.execute(sa.text(f"SELECT pg_terminate_backend({int(pid)})"))
            await rules.get("rule_fast_lost")
    assert raised.value.connection_invalidated
    async with container.uow_factory() as uow:  # the pool replaced the dead connection
        assert await uow.repo(RuleRepository).get("rule_fast_lost") is not None
