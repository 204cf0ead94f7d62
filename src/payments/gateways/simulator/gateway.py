"""``SimulatorGateway``: the embedded gateway that behaves like Stripe in test mode.

::

    gateway = SimulatorGateway("sqlite+aiosqlite:///var/sim.sqlite3", clock=SystemClock())
    await gateway.store.create_all()          # explicit, idempotent
    result = await gateway.charge(ChargeRequest(amount=1999, currency="eur",
                                                payment_method="pm_card_visa",
                                                idempotency_key="att_123"))
    await gateway.aclose()                    # disposes the engine it created

Every protocol call first applies injected faults (see :mod:`.faults`), then
runs in one short committed transaction of the simulator's own database.
Test hooks (``complete_action``, ``authorize_payment``, ``pending_blik_payment``,
``simulate_bank_transfer``, ``resolve_dispute``, ``process_due``, ``set_fault``,
``clear_faults``) are not part of the protocol and ignore faults. Dispute calls live in :mod:`.disputes`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from payments.gateways.codec import encode
from payments.gateways.protocol import (
    BalanceTransaction,
    ChargeRequest,
    ChargeResult,
    EventPage,
    GatewayInvalidRequest,
    GatewayOutcomeUnknown,
    PaymentMethod,
    PaymentMethodInput,
    Payout,
    RefundResult,
    ResourceMissing,
)
from payments.kernel.clock import Clock, SystemClock
from payments.kernel.money import (
    AmountOutOfRange,
    MoneyError,
    check_amount,
    normalize_currency,
)
from payments.platform.db.fast import Fast

from . import charges as ch
from . import operations as ops
from .balance import BalanceCalls
from .disputes import DisputeCalls
from .early_fraud_warnings import EarlyFraudWarningCalls
from .events import EventLog, Outbox
from .faults import FaultKind, Faults
from .idempotency import Idempotency, check_key
from .methods import PaymentMethods
from .scheduler import Scheduler
from .settings import SimulatorSettings, new_id
from .setups import SetupCalls, set_up_for_off_session
from .store import SimulatorStore, blik_codes, charges
from .terminal import TerminalCalls

T = TypeVar("T")
MAX_AMOUNT = 99_999_999  # Stripe's maximum charge amount in minor units
_INSERT_CHARGE = Fast(charges.insert().returning(*charges.c))


class SimulatorGateway(DisputeCalls, EarlyFraudWarningCalls, TerminalCalls, SetupCalls):
    """A :class:`~payments.gateways.protocol.PaymentGateway` backed by its own DB,
    with the optional ``RefundCanceling``, ``DisputeManagement``, ``TerminalReaders`` and
    ``PaymentMethodSetup`` capabilities (terminal readers: :mod:`.terminal`; SetupIntents:
    :mod:`.setups`)."""

    def __init__(
        self,
        database: str | AsyncEngine | SimulatorStore,
        *,
        clock: Clock | None = None,
        settings: SimulatorSettings | None = None,
    ) -> None:
        self.store = database if isinstance(database, SimulatorStore) else SimulatorStore(database)
        self.clock: Clock = clock or SystemClock()
        self.settings = settings or SimulatorSettings()
        self._events = EventLog(self.store, self.settings)
        self._balance = BalanceCalls(self.store, self.settings)
        self._idempotency = Idempotency(self.store, self._events)
        self._faults = Faults(self.store, self.clock)
        self._methods = PaymentMethods(self.settings)
        self._scheduler = Scheduler(self.store, self.clock, self.settings, self._events)

    @property
    def name(self) -> str:
        return "simulator"

    async def aclose(self) -> None:
        await self.store.dispose()

    async def __aenter__(self) -> SimulatorGateway:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ protocol

    async def create_payment_method(
        self, source: PaymentMethodInput, *, idempotency_key: str | None = None
    ) -> PaymentMethod:
        if idempotency_key is None and self.store.is_postgres:
            created = await self._create_payment_method_unless_faulted(source)
            if created is not None:
                return created
        plan = await self._faults.apply("create_payment_method")
        now = self.clock.now()

        async def work(conn: AsyncConnection, _outbox: Outbox) -> PaymentMethod:
            return await self._methods.create(conn, source, now)

        if idempotency_key is not None:
            check_key(idempotency_key)
        _details, scenario = self._methods.describe(source, now)  # validate before storing
        result = await self._idempotency.run(
            key=idempotency_key,
            operation="create_payment_method",
            params=self._methods.request_params(source),
            result_type=PaymentMethod,
            now=now,
            work=work,
        )
        self._methods.remember(result, scenario)  # committed: a charge needs no lookup
        return self._deliver(result, plan.lose_response, "create_payment_method")

    async def _create_payment_method_unless_faulted(
        self, source: PaymentMethodInput
    ) -> PaymentMethod | None:
        """PostgreSQL, no key: the method inserted by the statement that also says whether
        a fault is set (no statement of its own for the faults). None: nothing was stored
        (a fault is set, or the source is invalid): the caller applies the faults first."""
        now = self.clock.now()
        with suppress(Exception):  # rolled back; the caller's path raises what it must
            _details, scenario = self._methods.describe(source, now)
            async with self.store.transaction() as conn:
                created, faulted = await self._methods.create_unless_faulted(
                    conn, source, now, "create_payment_method"
                )
                if faulted:
                    raise _Faulted
            self._methods.remember(created, scenario)
            return created
        return None

    async def charge(self, request: ChargeRequest) -> ChargeResult:
        # faults are applied with the idempotency key (Idempotency.run_with_faults)
        key = check_key(request.idempotency_key)
        currency = _checked_money(request.amount, request.currency)
        if request.capture_method not in ("automatic", "manual"):
            raise GatewayInvalidRequest(
                "capture_method must be automatic or manual",
                code="parameter_invalid",
                param="capture_method",
            )
        now = self.clock.now()
        params = {
            "amount": request.amount,
            "currency": currency,
            "payment_method": request.payment_method,
            "capture_method": request.capture_method,
            "customer": request.customer,
            "off_session": request.off_session,
            "return_url": request.return_url,
            "description": request.description,
            "metadata": dict(request.metadata),
            "blik_code": request.blik_code,  # only its hash is stored, with the key
        }

        async def work(conn: AsyncConnection, outbox: Outbox) -> ChargeResult:
            method = await self._methods.resolve(conn, request.payment_method, now)
            if (
                request.off_session
                and method.scenario == "3ds_unless_setup"
                and await set_up_for_off_session(conn, method.ref)
            ):  # set up for off-session use through a SetupIntent: no challenge now
                method = replace(method, scenario="3ds_setup_for_off_session")
            reference = new_id("ch_sim", now)
            values = ch.initial_values(method, request, currency, reference, now, self.settings)
            inserted = await _INSERT_CHARGE.first(
                conn,
                {
                    "id": reference,
                    "amount": request.amount,
                    "currency": currency,
                    "capture_method": request.capture_method,
                    "payment_method": method.ref,
                    "payment_method_details": encode(method.details),
                    "scenario": method.scenario,
                    "off_session": request.off_session,
                    "customer": request.customer,
                    "return_url": request.return_url,
                    "meta": dict(request.metadata),
                    "created": now,
                    "updated": now,
                    **values,
                },
            )
            result = ch.snapshot(inserted)
            if method.details.type == "blik" and result.status == "requires_action":
                await conn.execute(
                    blik_codes.insert().values(
                        charge_id=reference,
                        code_fingerprint=self._methods.fingerprint("blik", request.blik_code or ""),
                        created=now,
                    )
                )
            ch.announce(outbox, result, now)
            return result

        result, plan = await self._idempotency.run_with_faults(
            self._faults,
            key=key,
            operation="charge",
            params=params,
            result_type=ChargeResult,
            now=now,
            work=work,
        )
        return self._deliver(result, plan.lose_response, "charge")

    async def capture(
        self, reference: str, *, amount: int | None = None, idempotency_key: str
    ) -> ChargeResult:
        now = self.clock.now()
        return await self._mutate(
            "capture",
            idempotency_key,
            {"reference": reference, "amount": amount},
            ChargeResult,
            lambda conn, outbox: ops.capture(conn, outbox, reference, amount, now, self.settings),
        )

    async def increment_authorization(
        self, reference: str, *, amount: int, idempotency_key: str
    ) -> ChargeResult:
        now = self.clock.now()
        return await self._mutate(
            "increment_authorization",
            idempotency_key,
            {"reference": reference, "amount": amount},
            ChargeResult,
            lambda conn, outbox: ops.increment_authorization(conn, outbox, reference, amount, now),
        )

    async def cancel(self, reference: str, *, idempotency_key: str) -> ChargeResult:
        now = self.clock.now()
        return await self._mutate(
            "cancel",
            idempotency_key,
            {"reference": reference},
            ChargeResult,
            lambda conn, outbox: ops.cancel(conn, outbox, reference, now),
        )

    async def refund(
        self,
        reference: str,
        *,
        amount: int | None = None,
        idempotency_key: str,
        reason: str | None = None,
    ) -> RefundResult:
        now = self.clock.now()
        return await self._mutate(
            "refund",
            idempotency_key,
            {"reference": reference, "amount": amount, "reason": reason},
            RefundResult,
            lambda conn, outbox: ops.refund(
                conn, outbox, reference, amount, reason, now, self.settings
            ),
        )

    async def cancel_refund(self, reference: str, *, idempotency_key: str) -> RefundResult:
        await self._scheduler.process_due()  # a refund that settled by now is no longer pending
        now = self.clock.now()
        return await self._mutate(
            "cancel_refund",
            idempotency_key,
            {"reference": reference},
            RefundResult,
            lambda conn, outbox: ops.cancel_refund(conn, outbox, reference, now),
        )

    async def retrieve_charge(self, reference: str) -> ChargeResult:
        plan = await self._faults.apply("retrieve_charge")
        await self._scheduler.process_due(charge=reference)
        async with self.store.transaction() as conn:
            result = ch.snapshot(await ch.load(conn, reference))
        return self._deliver(result, plan.lose_response, "retrieve_charge")

    async def list_events(self, *, after: str | None = None, limit: int = 100) -> EventPage:
        plan = await self._faults.apply("list_events")
        await self._scheduler.process_due()
        page = await self._events.page(after, limit)
        return self._deliver(page, plan.lose_response, "list_events")

    # ------------------------------------------------------------------ balance, payouts

    async def list_payouts(
        self, *, arrival_from: datetime | None = None, arrival_to: datetime | None = None
    ) -> tuple[Payout, ...]:
        plan = await self._faults.apply("list_payouts")
        await self.process_due()
        found = await self._balance.payouts_between(self.clock.now(), arrival_from, arrival_to)
        return self._deliver(found, plan.lose_response, "list_payouts")

    async def retrieve_payout(self, payout: str) -> Payout:
        plan = await self._faults.apply("retrieve_payout")
        await self.process_due()
        found = await self._balance.payout(self.clock.now(), payout)
        return self._deliver(found, plan.lose_response, "retrieve_payout")

    async def list_balance_transactions(
        self,
        *,
        payout: str | None = None,
        type: str | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
    ) -> tuple[BalanceTransaction, ...]:
        plan = await self._faults.apply("list_balance_transactions")
        await self.process_due()
        found = await self._balance.transactions(
            self.clock.now(),
            payout=payout,
            type_=type,
            created_from=created_from,
            created_to=created_to,
        )
        return self._deliver(found, plan.lose_response, "list_balance_transactions")

    async def retrieve_balance_transaction(self, transaction: str) -> BalanceTransaction:
        plan = await self._faults.apply("retrieve_balance_transaction")
        await self.process_due()
        found = await self._balance.transactions(
            self.clock.now(),
            payout=None,
            type_=None,
            created_from=None,
            created_to=None,
            ident=transaction,
        )
        if not found:
            raise ResourceMissing("balance_transaction", transaction, param="id")
        return self._deliver(found[0], plan.lose_response, "retrieve_balance_transaction")

    # ------------------------------------------------------------------ test hooks

    async def process_due(self) -> int:
        """Apply every scheduled transition due by ``clock.now()`` and make the automatic
        payouts of the days that are over; return how many transitions were applied."""
        done = await self._scheduler.process_due()
        await self._balance.pay_out(self.clock.now())
        return done

    async def complete_action(self, reference: str, *, succeed: bool = True) -> ChargeResult:
        """The customer passes (or fails) the 3-D Secure challenge of ``reference``."""
        now = self.clock.now()
        return await self._hook(
            lambda conn, outbox: ops.complete_action(
                conn, outbox, reference, succeed, now, self.settings
            )
        )

    async def authorize_payment(self, reference: str, *, succeed: bool = True) -> ChargeResult:
        """The customer authorizes (or fails) the local method payment ``reference`` on the
        method's page: processing (settling after ``local_settlement_delay``), or failed."""
        now = self.clock.now()
        return await self._hook(
            lambda conn, outbox: ops.authorize_payment(
                conn, outbox, reference, succeed, now, self.settings
            )
        )

    async def pending_blik_payment(self, code: str) -> ChargeResult | None:
        """The newest BLIK payment waiting for approval that was started with ``code`` (what
        the customer's banking app shows), if any."""
        await self._scheduler.process_due()  # one that ran out of time is not waiting
        fingerprint = self._methods.fingerprint("blik", code)
        async with self.store.transaction() as conn:
            row = (
                await conn.execute(
                    sa.select(charges)
                    .join(blik_codes, blik_codes.c.charge_id == charges.c.id)
                    .where(
                        blik_codes.c.code_fingerprint == fingerprint,
                        charges.c.status == "requires_action",
                    )
                    .order_by(blik_codes.c.created.desc(), blik_codes.c.charge_id.desc())
                    .limit(1)
                )
            ).first()
        return ch.snapshot(row) if row is not None else None

    async def simulate_bank_transfer(self, reference: str, amount: int) -> ChargeResult:
        """Funds arrive for a bank transfer, quoting a charge or transfer reference."""
        now = self.clock.now()

        async def work(conn: AsyncConnection, outbox: Outbox) -> ChargeResult:
            found = (
                await conn.execute(
                    sa.select(charges.c.id).where(
                        sa.or_(charges.c.id == reference, charges.c.transfer_reference == reference)
                    )
                )
            ).scalar()
            if found is None:
                raise ResourceMissing("charge", reference, param="reference")
            return await ops.fund_bank_transfer(conn, outbox, found, amount, now, self.settings)

        return await self._hook(work)

    async def set_fault(
        self,
        kind: FaultKind,
        *,
        operation: str | None = None,
        count: int | None = 1,
        latency_ms: int = 0,
    ) -> int:
        """Inject a fault (one-shot by default, ``count=None`` persistent); returns its id."""
        return await self._faults.set(kind, operation=operation, count=count, latency_ms=latency_ms)

    async def clear_faults(self) -> None:
        await self._faults.clear()

    # ------------------------------------------------------------------ plumbing

    def _fingerprint(self, number: str) -> str:
        return self._methods.fingerprint("card", number)

    async def _mutate(
        self,
        operation: str,
        idempotency_key: str,
        params: Mapping[str, Any],
        result_type: type[T],
        work: Callable[[AsyncConnection, Outbox], Awaitable[T]],
    ) -> T:
        plan = await self._faults.apply(operation)
        key = check_key(idempotency_key)
        await self._scheduler.process_due(charge=str(params["reference"]))  # the world as of now
        result = await self._idempotency.run(
            key=key,
            operation=operation,
            params=params,
            result_type=result_type,
            now=self.clock.now(),
            work=work,
        )
        return self._deliver(result, plan.lose_response, operation)

    async def _hook(self, work: Callable[[AsyncConnection, Outbox], Awaitable[T]]) -> T:
        async with self.store.transaction() as conn:
            outbox = Outbox()
            result = await work(conn, outbox)
            await self._events.write(conn, outbox)
        return result

    @staticmethod
    def _deliver(result: T, lose_response: bool, operation: str) -> T:
        if lose_response:
            raise GatewayOutcomeUnknown(
                f"simulated lost response on {operation} (it was processed)"
            )
        return result


class _Faulted(Exception):
    """A fault is set: roll back and apply it first."""


def _checked_money(amount: int, currency: str) -> str:
    try:
        code = normalize_currency(currency)
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise AmountOutOfRange(
                "amount must be an integer of minor units", code="parameter_invalid_integer"
            )
        check_amount(amount, code, maximum=MAX_AMOUNT)
    except AmountOutOfRange as exc:
        raise GatewayInvalidRequest(str(exc), code=exc.code, param="amount") from None
    except MoneyError as exc:
        raise GatewayInvalidRequest(str(exc), code="parameter_invalid", param="currency") from None
    return code
