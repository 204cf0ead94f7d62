"""What ``payments ledger verify`` proves about charges: every succeeded (captured)
charge is posted as paid exactly once and nothing else is; every authorization of a
charge (its hold) is posted exactly once."""

from __future__ import annotations

from payments.intents.repository import ChargeRepository
from payments.ledger.domain.checks import Balances
from payments.ledger.domain.journal import TransactionKind
from payments.ledger.repository import LedgerRepository
from payments.platform.db.uow import UnitOfWork

PAID_KINDS = [TransactionKind.CHARGE_SUCCEEDED.value, TransactionKind.CHARGE_CAPTURED.value]


async def verify_charges(uow: UnitOfWork, balances: Balances) -> list[str]:
    problems: list[str] = []
    ledger = uow.repo(LedgerRepository)
    paid = await ledger.postings_by_source(PAID_KINDS)
    authorized = await ledger.postings_by_source([TransactionKind.CHARGE_AUTHORIZED.value])
    seen: set[str] = set()
    for charge_id, captured, amount_authorized, _c, _r in await uow.repo(
        ChargeRepository
    ).ledger_view():
        seen.add(charge_id)
        if captured and paid.get(charge_id, 0) != 1:
            problems.append(
                f"charge {charge_id} succeeded but is posted {paid.get(charge_id, 0)} times"
            )
        if not captured and paid.get(charge_id, 0):
            problems.append(f"charge {charge_id} is not captured but is posted as paid")
        if amount_authorized and authorized.get(charge_id, 0) != 1:
            problems.append(
                f"charge {charge_id} was authorized but its hold is posted "
                f"{authorized.get(charge_id, 0)} times"
            )
    problems += [f"posting for unknown charge {c}" for c in sorted(set(paid) - seen)]
    return problems
