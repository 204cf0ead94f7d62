"""Terminal readers at the simulator: Stripe's simulated reader (``simulated-wpe``).

Registering the code ``simulated-wpe`` creates a ``simulated_wisepos_e`` reader, online.
A reader runs one action at a time, as Stripe's does: ``process_payment`` and
``refund_payment`` stay ``in_progress`` until a card is presented with the test hook
:meth:`TerminalCalls.present_payment_method` (Stripe's
``/v1/test_helpers/terminal/readers/{id}/present_payment_method``), which reads the card,
charges (or refunds) it and appends ``terminal.reader.action_succeeded`` or
``terminal.reader.action_failed`` with the reader and the charge (refund) to the event
log. ``set_reader_display`` succeeds at once; ``cancel_reader_action`` fails the action
in progress (``canceled``).

Refusals use Stripe's codes: ``terminal_reader_offline`` (the test hook
:meth:`TerminalCalls.set_reader_status` takes a reader offline),
``terminal_reader_busy`` (an action is in progress), ``card_declined`` on an Interac
card (``interac_present`` exists only in Canada) and
``terminal_reader_action_not_in_progress`` when a card is presented with no action
waiting for one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.gateways.codec import decode, encode
from payments.gateways.protocol import (
    CardPresentDetails,
    CardPresentInput,
    CardPresentReceipt,
    Cart,
    ChargeResult,
    Decline,
    GatewayInvalidRequest,
    PaymentMethodDetails,
    Reader,
    ReaderAction,
    ReaderPaymentRequest,
    RefundResult,
    ResourceMissing,
)

from . import charges as ch
from . import operations as ops
from .events import Outbox
from .settings import new_id
from .store import charges, readers
from .testdata import CARDS_BY_NUMBER, SCENARIOS, luhn_ok

if TYPE_CHECKING:
    from payments.kernel.clock import Clock

    from .faults import Faults
    from .idempotency import Idempotency
    from .settings import SimulatorSettings
    from .store import SimulatorStore

T = TypeVar("T")

SIMULATED_CODE = "simulated-wpe"
SIMULATED_DEVICE = "simulated_wisepos_e"
DEFAULT_CARD = "4242424242424242"  # what Stripe's simulated reader reads when not told
_NETWORK_AIDS = {  # EMV application ids and names printed on receipts
    "visa": ("A0000000031010", "VISA CREDIT"),
    "mastercard": ("A0000000041010", "MASTERCARD"),
    "amex": ("A00000002501", "AMERICAN EXPRESS"),
    "discover": ("A0000001523010", "DISCOVER"),
    "diners": ("A0000001523010", "DINERS CLUB"),
    "jcb": ("A0000000651010", "JCB"),
    "unionpay": ("A000000333010101", "UNIONPAY"),
}


def reader_snapshot(row: sa.Row) -> Reader:
    return Reader(
        reference=row.id,
        device_type=row.device_type,
        label=row.label,
        location=row.location,
        serial_number=row.serial_number,
        status=row.status,
        action=decode(ReaderAction, row.action) if row.action else None,
        ip_address="192.168.2.2",
        device_sw_version="",
    )


def offline(reference: str) -> GatewayInvalidRequest:
    return GatewayInvalidRequest(
        f"Reader {reference} is currently unreachable, please ensure the reader is powered on "
        "and connected to the internet before retrying your request.",
        code="terminal_reader_offline",
        param="reader",
    )


def busy(reference: str) -> GatewayInvalidRequest:
    return GatewayInvalidRequest(
        f"Reader {reference} is currently busy processing another request. Please reference "
        "the integration guide for details on how to handle this error.",
        code="terminal_reader_busy",
        param="reader",
    )


def not_in_progress(reference: str) -> GatewayInvalidRequest:
    return GatewayInvalidRequest(
        f"Reader {reference} has no action in progress that waits for a card.",
        code="terminal_reader_action_not_in_progress",
        param="reader",
    )


async def _load(conn: AsyncConnection, reference: str, *, lock: bool = True) -> sa.Row:
    query = sa.select(readers).where(readers.c.id == reference)
    row = (await conn.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        raise ResourceMissing("terminal.reader", reference, param="reader")
    return row


async def _ready(conn: AsyncConnection, reference: str) -> sa.Row:
    """The reader, online and idle (no action in progress)."""
    row = await _load(conn, reference)
    if row.status != "online":
        raise offline(reference)
    if row.action is not None and row.action.get("status") == "in_progress":
        raise busy(reference)
    return row


async def _set_action(
    conn: AsyncConnection, reference: str, action: ReaderAction, extra: dict[str, Any]
) -> Reader:
    stored = encode(action) | {"_sim": extra}
    await conn.execute(readers.update().where(readers.c.id == reference).values(action=stored))
    return reader_snapshot(await _load(conn, reference))


def _card_present(number: str, fingerprint: str, now: datetime) -> tuple[Any, CardPresentDetails]:
    card = CARDS_BY_NUMBER.get(number)
    if card is None or not luhn_ok(number):
        raise GatewayInvalidRequest(
            "Only published test card numbers are accepted by this gateway.",
            code="pan_not_allowed",
            param="card_present[number]",
        )
    aid, name = _NETWORK_AIDS.get(card.brand, ("A0000000031010", card.brand.upper()))
    if card.brand == "visa" and card.funding == "debit":
        name = "VISA DEBIT"
    auth = str(int(hashlib.sha256(f"{fingerprint}{now.isoformat()}".encode()).hexdigest(), 16))
    details = CardPresentDetails(
        brand=card.brand,
        last4=number[-4:],
        exp_month=12,
        exp_year=now.year + 3,
        country=card.country,
        fingerprint=fingerprint,
        funding=card.funding,
        read_method="contactless_emv",
        network=card.brand,
        receipt=CardPresentReceipt(
            account_type=card.funding,
            application_cryptogram=auth[:16].rjust(16, "0"),
            application_preferred_name=name,
            authorization_code=auth[-6:],
            authorization_response_code="3030",
            cardholder_verification_method="approval",
            dedicated_file_name=aid,
            terminal_verification_results="0000000000",
            transaction_status_information="0000",
        ),
    )
    return card, details


class TerminalCalls:
    """The simulator's :class:`~payments.gateways.protocol.TerminalReaders` calls and test
    hooks (a mixin of :class:`~payments.gateways.simulator.SimulatorGateway`)."""

    store: SimulatorStore
    clock: Clock
    settings: SimulatorSettings
    _faults: Faults
    _idempotency: Idempotency

    if TYPE_CHECKING:

        def _deliver(self, result: T, lose_response: bool, operation: str) -> T: ...

        async def _hook(self, work: Callable[[AsyncConnection, Outbox], Awaitable[T]]) -> T: ...

        async def _mutate(
            self,
            operation: str,
            idempotency_key: str,
            params: Any,
            result_type: type[T],
            work: Callable[[AsyncConnection, Outbox], Awaitable[T]],
        ) -> T: ...

        def _fingerprint(self, number: str) -> str: ...

    async def register_reader(
        self, *, registration_code: str, label: str, location: str | None, idempotency_key: str
    ) -> Reader:
        if registration_code != SIMULATED_CODE:
            raise GatewayInvalidRequest(
                "Invalid registration code: the simulator registers only Stripe's simulated "
                f"reader, code {SIMULATED_CODE!r}.",
                code="parameter_invalid",
                param="registration_code",
            )
        now = self.clock.now()

        async def work(conn: AsyncConnection, _outbox: Outbox) -> Reader:
            reference = new_id("tmr_sim", now)
            await conn.execute(
                readers.insert().values(
                    id=reference,
                    label=label,
                    location=location,
                    device_type=SIMULATED_DEVICE,
                    serial_number="SIM-" + reference[-12:],
                    status="online",
                    action=None,
                    created=now,
                )
            )
            return reader_snapshot(await _load(conn, reference, lock=False))

        return await self._mutate(
            "register_reader",
            idempotency_key,
            {"reference": "", "label": label, "location": location},
            Reader,
            work,
        )

    async def retrieve_reader(self, reference: str) -> Reader:
        async with self.store.transaction() as conn:
            return reader_snapshot(await _load(conn, reference, lock=False))

    async def create_connection_token(self, *, location: str | None) -> str:
        return new_id("pst_test", self.clock.now())

    async def process_payment(self, reader: str, request: ReaderPaymentRequest) -> Reader:
        now = self.clock.now()
        currency = request.currency.lower()

        async def work(conn: AsyncConnection, _outbox: Outbox) -> Reader:
            await _ready(conn, reader)
            action = ReaderAction(
                type="process_payment_intent",
                status="in_progress",
                payment_intent=new_id("pi_sim", now),
                amount=request.amount,
                currency=currency,
            )
            extra = {
                "capture_method": request.capture_method,
                "description": request.description,
                "metadata": dict(request.metadata),
            }
            return await _set_action(conn, reader, action, extra)

        params = {
            "reference": "",
            "reader": reader,
            "amount": request.amount,
            "currency": currency,
            "capture_method": request.capture_method,
        }
        return await self._mutate("process_payment", request.idempotency_key, params, Reader, work)

    async def refund_payment(
        self, reader: str, charge: str, *, amount: int | None, idempotency_key: str
    ) -> Reader:
        async def work(conn: AsyncConnection, _outbox: Outbox) -> Reader:
            await _ready(conn, reader)
            row = await ch.load(conn, charge)
            if ch.method_type(row) != "card_present":
                raise GatewayInvalidRequest(
                    "Only card_present charges can be refunded on a reader.",
                    code="charge_invalid_parameter",
                    param="charge",
                )
            action = ReaderAction(
                type="refund_payment",
                status="in_progress",
                charge=charge,
                amount=amount,
                currency=row.currency,
            )
            card = row.payment_method_details["card_present"]["fingerprint"]
            return await _set_action(conn, reader, action, {"fingerprint": card})

        params = {"reference": charge, "reader": reader, "amount": amount}
        return await self._mutate("refund_payment", idempotency_key, params, Reader, work)

    async def set_reader_display(self, reader: str, cart: Cart, *, idempotency_key: str) -> Reader:
        async def work(conn: AsyncConnection, _outbox: Outbox) -> Reader:
            await _ready(conn, reader)
            action = ReaderAction(type="set_reader_display", status="succeeded", cart=cart)
            return await _set_action(conn, reader, action, {})

        params = {"reference": "", "reader": reader, "cart": encode(cart)}
        return await self._mutate("set_reader_display", idempotency_key, params, Reader, work)

    async def cancel_reader_action(self, reader: str, *, idempotency_key: str) -> Reader:
        now = self.clock.now()

        async def work(conn: AsyncConnection, outbox: Outbox) -> Reader:
            row = await _load(conn, reader)
            if row.status != "online":
                raise offline(reader)
            current = decode(ReaderAction, row.action) if row.action else None
            if current is None or current.status != "in_progress":
                raise not_in_progress(reader)
            failed = replace(
                current,
                status="failed",
                failure_code="canceled",
                failure_message="The action was canceled.",
            )
            snapshot = await _set_action(conn, reader, failed, {})
            outbox.add("terminal.reader.action_failed", now, reader=snapshot)
            return snapshot

        return await self._mutate(
            "cancel_reader_action",
            idempotency_key,
            {"reference": "", "reader": reader},
            Reader,
            work,
        )

    async def retrieve_refund(self, reference: str) -> RefundResult:
        async with self.store.transaction() as conn:
            return ops.refund_snapshot(await ops.load_refund(conn, reference))

    # ------------------------------------------------------------------ test hooks

    async def set_reader_status(self, reader: str, status: str) -> Reader:
        """Take a reader offline (unplugged, no network) or back online."""
        if status not in ("online", "offline"):
            raise GatewayInvalidRequest(
                "status must be online or offline", code="parameter_invalid", param="status"
            )

        async def work(conn: AsyncConnection, _outbox: Outbox) -> Reader:
            await _load(conn, reader)
            await conn.execute(readers.update().where(readers.c.id == reader).values(status=status))
            return reader_snapshot(await _load(conn, reader))

        return await self._hook(work)

    async def present_payment_method(
        self, reader: str, card: CardPresentInput | None = None
    ) -> Reader:
        """The customer taps a card on the reader: the action in progress completes, and
        its ``terminal.reader.action_*`` event (with the charge or refund) is logged."""
        card = card or CardPresentInput()
        now = self.clock.now()

        async def work(conn: AsyncConnection, outbox: Outbox) -> Reader:
            row = await _load(conn, reader)
            if row.status != "online":
                raise offline(reader)
            stored = dict(row.action or {})
            extra = stored.pop("_sim", {})
            action = decode(ReaderAction, stored) if stored else None
            if action is None or action.status != "in_progress":
                raise not_in_progress(reader)
            if card.type == "interac_present":
                return await self._fail(
                    conn,
                    outbox,
                    reader,
                    action,
                    Decline(
                        code="card_declined",
                        message="Interac cards (interac_present) are accepted only in Canada.",
                        decline_code="transaction_not_allowed",
                    ),
                    now,
                )
            number = "".join(c for c in (card.number or DEFAULT_CARD) if c not in " -")
            sim_card, details = _card_present(number, self._fingerprint(number), now)
            if action.type == "refund_payment":
                return await self._refund_on_reader(
                    conn, outbox, reader, action, extra, details, now
                )
            return await self._charge_on_reader(
                conn, outbox, reader, action, extra, sim_card, details, now
            )

        return await self._hook(work)

    async def _fail(
        self,
        conn: AsyncConnection,
        outbox: Outbox,
        reader: str,
        action: ReaderAction,
        decline: Decline,
        now: datetime,
        charge: ChargeResult | None = None,
    ) -> Reader:
        failed = replace(
            action, status="failed", failure_code=decline.code, failure_message=decline.message
        )
        snapshot = await _set_action(conn, reader, failed, {})
        outbox.add("terminal.reader.action_failed", now, reader=snapshot, charge=charge)
        return snapshot

    async def _charge_on_reader(
        self,
        conn: AsyncConnection,
        outbox: Outbox,
        reader: str,
        action: ReaderAction,
        extra: dict[str, Any],
        sim_card: Any,
        details: CardPresentDetails,
        now: datetime,
    ) -> Reader:
        behaviour = SCENARIOS[sim_card.scenario]
        amount, currency = action.amount or 0, action.currency or "eur"
        capture_method = extra.get("capture_method", "automatic")
        decline = behaviour.decline or behaviour.decline_after_auth  # no 3-D Secure at a reader
        if decline is not None:
            values: dict[str, Any] = ch.failed(decline)
        elif capture_method == "manual":
            values = {"status": "requires_capture", "amount_capturable": amount}
        else:
            values = ch.succeeded(
                kind="card_present",
                scenario=sim_card.scenario,
                country=details.country,
                amount=amount,
                currency=currency,
                now=now,
                settings=self.settings,
            )
        reference = new_id("ch_sim", now)
        method = PaymentMethodDetails(type="card_present", card_present=details)
        inserted = await conn.execute(
            charges.insert()
            .values(
                id=reference,
                amount=amount,
                currency=currency,
                capture_method=capture_method,
                payment_method=new_id("pm_sim", now),
                payment_method_details=encode(method),
                scenario=sim_card.scenario,
                off_session=False,
                customer=None,
                return_url=None,
                meta=dict(extra.get("metadata") or {}),
                created=now,
                updated=now,
                **values,
            )
            .returning(*charges.c)
        )
        result = ch.snapshot(inserted.one())
        if decline is not None:
            return await self._fail(conn, outbox, reader, action, decline, now, charge=result)
        done = replace(action, status="succeeded")
        snapshot = await _set_action(conn, reader, done, {})
        outbox.add("terminal.reader.action_succeeded", now, reader=snapshot, charge=result)
        return snapshot

    async def _refund_on_reader(
        self,
        conn: AsyncConnection,
        outbox: Outbox,
        reader: str,
        action: ReaderAction,
        extra: dict[str, Any],
        details: CardPresentDetails,
        now: datetime,
    ) -> Reader:
        if details.fingerprint != extra.get("fingerprint"):
            return await self._fail(
                conn,
                outbox,
                reader,
                action,
                Decline(
                    code="card_declined",
                    message="The card presented is not the card that paid this charge.",
                    decline_code="card_not_supported",
                ),
                now,
            )
        inner = Outbox()  # the refund's own events stay out: the reader's event carries it
        refund = await ops.refund(
            conn, inner, action.charge or "", action.amount, None, now, self.settings
        )
        done = replace(action, status="succeeded", refund=refund.reference, amount=refund.amount)
        snapshot = await _set_action(conn, reader, done, {})
        outbox.add("terminal.reader.action_succeeded", now, reader=snapshot, refund=refund)
        return snapshot
