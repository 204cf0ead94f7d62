"""Registering readers, reading them, and connection tokens for SDK-driven readers."""

from __future__ import annotations

from dataclasses import dataclass

from payments.gateways.protocol import PaymentGateway, TerminalReaders
from payments.gateways.protocol import Reader as GatewayReader
from payments.intents.service.gateway_call import gateway_call, gateway_call_refusable
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.ids import id_for
from payments.kernel.pagination import Page, PageRequest
from payments.locations.repository import LocationRepository
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.terminal.domain import Reader, ReaderAction, ReaderStatus, RegisterReader
from payments.terminal.repository import ReaderActionRepository, ReaderRepository

#: A shop's metadata key naming its location at the gateway (Stripe: ``tml_...``), which
#: its readers are registered to.
TERMINAL_LOCATION_KEY = "terminal_location"


def gateway_location(metadata: dict[str, str]) -> str | None:
    return metadata.get(TERMINAL_LOCATION_KEY) or None


def terminal_of(gateway: PaymentGateway) -> TerminalReaders:
    """The gateway's reader calls, or a 400 where the gateway has no readers."""
    if not isinstance(gateway, TerminalReaders):
        raise InvalidRequest(
            f"The {gateway.name} gateway does not drive card readers.",
            code="terminal_unavailable",
        )
    return gateway


@dataclass(frozen=True, slots=True)
class ReaderView:
    reader: Reader
    action: ReaderAction | None


async def visible_reader(
    uow: UnitOfWork, reader_id: str, ctx: RequestContext, *, for_update: bool = False
) -> Reader:
    reader = await uow.repo(ReaderRepository).get(reader_id, for_update=for_update)
    if reader is None or not ctx.principal.sees_location(reader.location_id):
        raise NotFound.of("terminal.reader", reader_id)
    return reader


async def view_of(uow: UnitOfWork, reader: Reader) -> ReaderView:
    action = None
    if reader.action_id is not None:
        action = await uow.repo(ReaderActionRepository).get(reader.action_id)
    return ReaderView(reader, action)


def refresh(reader: Reader, seen: GatewayReader) -> None:
    """What the gateway says of the reader now (online or offline, its label)."""
    reader.status = ReaderStatus(seen.status)
    reader.label = seen.label or reader.label


async def register_reader(
    cmd: RegisterReader,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> ReaderView:
    """Register a reader with its code (``simulated-wpe`` on the simulator) at a shop."""
    ctx.require(Permission.write_payments)
    terminal = terminal_of(gateway)
    location_id = cmd.location or ctx.principal.location_id
    if location_id is None:
        raise InvalidRequest(
            "Missing required param: location (the shop the reader stands in).",
            code="parameter_missing",
            param="location",
        )
    async with uow_factory() as uow:
        location = await uow.repo(LocationRepository).get(location_id)
    if location is None or not ctx.principal.sees_location(location.id):
        raise NotFound.of("location", location_id, param="location")
    reader_id = id_for("terminal_reader")
    label = cmd.label or f"{location.name} reader"
    seen = await gateway_call_refusable(
        terminal.register_reader(
            registration_code=cmd.registration_code,
            label=label,
            location=gateway_location(location.metadata),
            idempotency_key=reader_id,
        )
    )
    reader = Reader(
        id=reader_id,
        location_id=location.id,
        label=label,
        device_type=seen.device_type,
        serial_number=seen.serial_number,
        status=ReaderStatus(seen.status),
        gateway=gateway.name,
        gateway_ref=seen.reference,
        gateway_location=seen.location,
        created=clock.now(),
        metadata=dict(cmd.metadata),
        livemode=False,
    )
    async with uow_factory() as uow:
        await uow.repo(ReaderRepository).add(reader)
        await uow.commit()
    return ReaderView(reader, None)


async def retrieve_reader(
    reader_id: str,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    ctx: RequestContext,
) -> ReaderView:
    """The reader as stored, its status refreshed from the gateway (online/offline)."""
    async with uow_factory() as uow:
        reader = await visible_reader(uow, reader_id, ctx)
    if isinstance(gateway, TerminalReaders) and gateway.name == reader.gateway:
        seen = await gateway_call(gateway.retrieve_reader(reader.gateway_ref))
        if seen.status != reader.status.value:
            async with uow_factory() as uow:
                reader = await visible_reader(uow, reader_id, ctx, for_update=True)
                refresh(reader, seen)
                await uow.repo(ReaderRepository).save(reader)
                await uow.commit()
    async with uow_factory() as uow:
        return await view_of(uow, reader)


async def list_readers(
    page: PageRequest,
    *,
    status: str | None,
    location: str | None,
    device_type: str | None,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
) -> Page[ReaderView]:
    async with uow_factory() as uow:
        found = await uow.repo(ReaderRepository).list_page(
            page,
            equals={"status": status, "device_type": device_type},
            location_id=ctx.list_location(location),
        )
        views = [await view_of(uow, reader) for reader in found.data]
    return Page(views, found.has_more)


async def create_connection_token(
    *,
    location: str | None,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    ctx: RequestContext,
) -> tuple[str, str | None]:
    """A secret an SDK-driven reader connects with (limited to a shop's readers when
    ``location`` is given, and always for a key bound to a shop)."""
    ctx.require(Permission.write_payments)
    terminal = terminal_of(gateway)
    location_id = location or ctx.principal.location_id
    found = None
    if location_id is not None:
        async with uow_factory() as uow:
            found = await uow.repo(LocationRepository).get(location_id)
        if found is None or not ctx.principal.sees_location(found.id):
            raise NotFound.of("location", location_id, param="location")
    secret = await gateway_call(
        terminal.create_connection_token(location=gateway_location(found.metadata))
        if found is not None
        else terminal.create_connection_token(location=None)
    )
    return secret, location_id


class ReaderCollections:
    """Tells payments that a reader is collecting an intent (registered with
    :func:`payments.intents.service.collectors.register_collector`)."""

    async def collecting(self, uow: UnitOfWork, payment_intent_id: str) -> str | None:
        action = await uow.repo(ReaderActionRepository).open_for_intent(payment_intent_id)
        return f"on reader {action.reader_id}" if action is not None else None
