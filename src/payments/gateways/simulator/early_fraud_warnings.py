"""Early fraud warnings at the simulator (Stripe Radar's ``radar.early_fraud_warning``).

Stripe's "Warning" test card (``4000000000005423``, ``pm_card_createIssuerFraudRecord``)
succeeds, then its issuer reports the charge as fraud: the scheduler raises the warning
when the charge's issuer news falls due (``dispute_at``, as for the dispute cards). The
test hook :meth:`EarlyFraudWarningCalls.create_early_fraud_warning` raises one on any
succeeded card charge. A warning stops being ``actionable`` when its charge is disputed
or fully refunded (``radar.early_fraud_warning.updated``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.gateways.protocol import (
    EFW_FRAUD_TYPES,
    EarlyFraudWarning,
    GatewayInvalidRequest,
    ResourceMissing,
)

from . import charges as ch
from .events import Outbox
from .settings import new_id
from .store import early_fraud_warnings

if TYPE_CHECKING:
    from payments.kernel.clock import Clock

    from .faults import Faults
    from .store import SimulatorStore

T = TypeVar("T")
_TABLE = early_fraud_warnings


def snapshot(row: sa.Row) -> EarlyFraudWarning:
    return EarlyFraudWarning(
        reference=row.id,
        charge=row.charge_id,
        fraud_type=row.fraud_type,
        actionable=row.actionable,
        created=row.created,
    )


async def raise_warning(
    conn: AsyncConnection, outbox: Outbox, charge_id: str, fraud_type: str, now: datetime
) -> EarlyFraudWarning:
    """The issuer's warning on a succeeded card charge (one per charge: a second call
    returns the first)."""
    if fraud_type not in EFW_FRAUD_TYPES:
        raise GatewayInvalidRequest(
            f"fraud_type must be one of {', '.join(EFW_FRAUD_TYPES)}.",
            code="parameter_invalid",
            param="fraud_type",
        )
    row = await ch.load(conn, charge_id, lock=True)
    if ch.method_type(row) != "card" or row.status != "succeeded":
        raise GatewayInvalidRequest(
            "Only a succeeded card charge can receive an early fraud warning.",
            code="charge_unexpected_state",
            param="charge",
        )
    found = (await conn.execute(sa.select(_TABLE).where(_TABLE.c.charge_id == charge_id))).first()
    if found is not None:
        return snapshot(found)
    warning = EarlyFraudWarning(
        reference=new_id("issfr_sim", now),
        charge=charge_id,
        fraud_type=fraud_type,
        actionable=not row.disputed and row.amount_refunded < row.amount_received,
        created=now,
    )
    await conn.execute(
        _TABLE.insert().values(
            id=warning.reference,
            charge_id=charge_id,
            fraud_type=fraud_type,
            actionable=warning.actionable,
            created=now,
        )
    )
    outbox.add("radar.early_fraud_warning.created", now, early_fraud_warning=warning)
    return warning


async def settle_actionable(
    conn: AsyncConnection, outbox: Outbox, charge_id: str, now: datetime
) -> None:
    """After a dispute or a refund: the charge's warning is no longer actionable when the
    charge is disputed or fully refunded."""
    found = (
        await conn.execute(
            sa.select(_TABLE).where(_TABLE.c.charge_id == charge_id, _TABLE.c.actionable)
        )
    ).first()
    if found is None:
        return
    row = await ch.load(conn, charge_id)
    if not row.disputed and row.amount_refunded < row.amount_received:
        return
    await conn.execute(_TABLE.update().where(_TABLE.c.id == found.id).values(actionable=False))
    updated = (await conn.execute(sa.select(_TABLE).where(_TABLE.c.id == found.id))).one()
    outbox.add("radar.early_fraud_warning.updated", now, early_fraud_warning=snapshot(updated))


class EarlyFraudWarningCalls:
    """Mixed into :class:`~.gateway.SimulatorGateway`."""

    if TYPE_CHECKING:
        store: SimulatorStore
        clock: Clock
        _faults: Faults

        async def _hook(self, work: Callable[[AsyncConnection, Outbox], Awaitable[T]]) -> T: ...

        @staticmethod
        def _deliver(result: T, lose_response: bool, operation: str) -> T: ...

    async def retrieve_early_fraud_warning(self, warning: str) -> EarlyFraudWarning:
        plan = await self._faults.apply("retrieve_early_fraud_warning")
        async with self.store.transaction() as conn:
            row = (await conn.execute(sa.select(_TABLE).where(_TABLE.c.id == warning))).first()
        if row is None:
            raise ResourceMissing("early_fraud_warning", warning, param="early_fraud_warning")
        return self._deliver(snapshot(row), plan.lose_response, "retrieve_early_fraud_warning")

    async def create_early_fraud_warning(
        self, charge: str, fraud_type: str = "made_with_stolen_card"
    ) -> EarlyFraudWarning:
        """Test hook: the issuer of ``charge``'s card reports it as fraud."""
        now = self.clock.now()
        return await self._hook(
            lambda conn, outbox: raise_warning(conn, outbox, charge, fraud_type, now)
        )
