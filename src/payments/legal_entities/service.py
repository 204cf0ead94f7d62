"""Legal entities: admins create and change them; every key reads them (they are printed
on every invoice anyway)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from payments.events.service import record_event
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import SYSTEM, RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.geo import normalize_country
from payments.kernel.ids import id_for
from payments.kernel.metadata import update_metadata, validate_metadata
from payments.kernel.pagination import Page, PageRequest
from payments.kernel.unset import Unset
from payments.legal_entities.domain import (
    DEFAULT_CREDIT_NOTE_NUMBER_PATTERN,
    DEFAULT_INVOICE_NUMBER_PATTERN,
    DEFAULT_RETENTION_YEARS,
    CreateLegalEntity,
    InvalidPattern,
    LegalEntity,
    UpdateLegalEntity,
    check_pattern,
    default_prefix,
)
from payments.legal_entities.render import legal_entity_object
from payments.legal_entities.repository import LegalEntityRepository
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.tax.domain import InvalidVatId, TaxIdType
from payments.tax.domain import normalize_vat_id as tax_normalize_vat_id

_CLEARABLE = (
    "tax_number",
    "registration_number",
    "email",
    "phone",
    "invoice_footer",
    "logo",
)


def normalize_vat_id(value: str, *, param: str) -> str:
    """A seller's VAT identifier in the tax engine's normal form (its type told by its
    prefix: CHE..., GB..., NO.../...MVA, else an EU member state's), checksum checked."""
    compact = "".join(ch for ch in value.upper() if ch.isalnum())
    if compact.startswith("CHE"):
        kind = TaxIdType.CH_VAT
    elif compact.startswith("GB"):
        kind = TaxIdType.GB_VAT
    elif compact.startswith("NO") or compact.endswith("MVA"):
        kind, value = TaxIdType.NO_VAT, compact.removeprefix("NO")
    else:
        kind = TaxIdType.EU_VAT
    try:
        return tax_normalize_vat_id(kind.value, value)
    except InvalidVatId:
        raise InvalidVatId(
            f"Invalid VAT ID: {value!r} fails its country's format or checksum", param=param
        ) from None


def _address(address: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = {k: address.get(k) for k in ("line1", "line2", "postal_code", "city", "state")}
    cleaned["country"] = normalize_country(address.get("country") or "", param="address[country]")
    return cleaned


def _iban(value: str) -> IBAN:
    try:
        return IBAN(value)
    except SchwiftyException as exc:
        raise InvalidRequest(f"Invalid IBAN: {exc}", code="invalid_iban", param="iban") from None


def _bic(value: str) -> str:
    try:
        return str(BIC(value))
    except SchwiftyException as exc:
        raise InvalidRequest(f"Invalid BIC: {exc}", param="bic") from None


def _bank(iban: str, bic: str | None) -> tuple[str, str | None]:
    """The IBAN compacted; the BIC checked, or looked up from the IBAN's bank code."""
    parsed = _iban(iban)
    if bic:
        return parsed.compact, _bic(bic)
    found = parsed.bic
    return parsed.compact, str(found) if found is not None else None


def _pattern(pattern: str, prefix: str, param: str) -> str:
    try:
        return check_pattern(pattern, prefix=prefix)
    except InvalidPattern as exc:
        raise InvalidRequest(str(exc), param=param) from None


def _checked(entity: LegalEntity) -> LegalEntity:
    _pattern(entity.invoice_number_pattern, entity.invoice_prefix, "invoice_number_pattern")
    _pattern(entity.credit_note_number_pattern, entity.invoice_prefix, "credit_note_number_pattern")
    if entity.vat_id is not None:
        normalize_vat_id(entity.vat_id, param="vat_id")
    return entity


async def create_legal_entity(
    cmd: CreateLegalEntity, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> LegalEntity:
    ctx.require(Permission.write_legal_entities)
    address = _address(cmd.address)
    iban, bic = _bank(cmd.iban, cmd.bic)
    entity = _checked(
        LegalEntity(
            id=id_for("legal_entity"),
            legal_name=cmd.legal_name,
            address=address,
            iban=iban,
            bic=bic,
            vat_id=normalize_vat_id(cmd.vat_id, param="vat_id") if cmd.vat_id else None,
            tax_number=cmd.tax_number or None,
            registration_number=cmd.registration_number or None,
            email=cmd.email or None,
            phone=cmd.phone or None,
            invoice_footer=cmd.invoice_footer or None,
            logo=cmd.logo or None,
            invoice_prefix=cmd.invoice_prefix or default_prefix(address["country"]),
            invoice_number_pattern=cmd.invoice_number_pattern or DEFAULT_INVOICE_NUMBER_PATTERN,
            credit_note_number_pattern=(
                cmd.credit_note_number_pattern or DEFAULT_CREDIT_NOTE_NUMBER_PATTERN
            ),
            retention_years=cmd.retention_years or DEFAULT_RETENTION_YEARS,
            created=clock.now(),
            metadata=validate_metadata(dict(cmd.metadata)),
        )
    )
    async with uow_factory() as uow:
        await uow.repo(LegalEntityRepository).add(entity)
        await record_event(
            uow, "legal_entity.created", legal_entity_object(entity), ctx=ctx, clock=clock
        )
        await uow.commit()
    return entity


async def get_legal_entity(uow: UnitOfWork, entity_id: str, *, param: str = "id") -> LegalEntity:
    """The entity, or 404 naming ``param`` (other capabilities look sellers up with this)."""
    entity = await uow.repo(LegalEntityRepository).get(entity_id)
    if entity is None:
        raise NotFound.of("legal_entity", entity_id, param=param)
    return entity


async def retrieve_legal_entity(
    entity_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> LegalEntity:
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        return await get_legal_entity(uow, entity_id)


def _changes(cmd: UpdateLegalEntity, current: LegalEntity) -> dict[str, Any]:
    """The fields ``cmd`` sends (``UNSET`` ones stay), checked and normalised."""
    changes: dict[str, Any] = {}
    if not isinstance(cmd.legal_name, Unset):
        changes["legal_name"] = cmd.legal_name
    if not isinstance(cmd.address, Unset):
        changes["address"] = _address(cmd.address)
    if not (isinstance(cmd.iban, Unset) and isinstance(cmd.bic, Unset)):
        changes["iban"], changes["bic"] = _bank(
            current.iban if isinstance(cmd.iban, Unset) else cmd.iban,
            current.bic if isinstance(cmd.bic, Unset) else cmd.bic,
        )
    if not isinstance(cmd.vat_id, Unset):
        changes["vat_id"] = normalize_vat_id(cmd.vat_id, param="vat_id") if cmd.vat_id else None
    for name in _CLEARABLE:
        value = getattr(cmd, name)
        if not isinstance(value, Unset):
            changes[name] = value or None
    for name in (
        "invoice_prefix",
        "invoice_number_pattern",
        "credit_note_number_pattern",
        "retention_years",
    ):
        value = getattr(cmd, name)
        if not isinstance(value, Unset):
            changes[name] = value
    if not isinstance(cmd.metadata, Unset):  # null clears it, as at Stripe
        update = None if cmd.metadata is None else dict(cmd.metadata)
        changes["metadata"] = update_metadata(current.metadata, update)
    return changes


async def update_legal_entity(
    cmd: UpdateLegalEntity, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> LegalEntity:
    """Changes apply to invoices finalized from now on; finalized ones keep the seller
    details they were issued with."""
    ctx.require(Permission.write_legal_entities)
    async with uow_factory() as uow:
        current = await get_legal_entity(uow, cmd.id)
        updated = _checked(replace(current, **_changes(cmd, current)))
        before, after = legal_entity_object(current), legal_entity_object(updated)
        previous = {k: before[k] for k in after if before[k] != after[k]}
        if previous:
            await uow.repo(LegalEntityRepository).save(updated)
            await record_event(
                uow,
                "legal_entity.updated",
                after,
                ctx=ctx,
                clock=clock,
                previous_attributes=previous,
            )
        await uow.commit()
    return updated


async def list_legal_entities(
    page: PageRequest, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Page[LegalEntity]:
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        return await uow.repo(LegalEntityRepository).list_page(page)


#: One seller per sample shop's country, with valid-format VAT IDs and IBANs (test data:
#: the numbers pass their checksums; they are not these companies' real accounts).
SAMPLE_LEGAL_ENTITIES: dict[str, CreateLegalEntity] = {
    "DE": CreateLegalEntity(
        legal_name="MyComputer Deutschland GmbH",
        address={
            "line1": "Torstrasse 101",
            "postal_code": "10119",
            "city": "Berlin",
            "country": "DE",
        },
        vat_id="DE136695976",
        tax_number="30/123/45678",
        registration_number="HRB 123456 B, Amtsgericht Charlottenburg",
        iban="DE89370400440532013000",
        email="rechnung@mycomputer.example",
        invoice_footer="MyComputer Deutschland GmbH · Geschäftsführung: Ada Lovelace",
        invoice_prefix="DE1",
    ),
    "NL": CreateLegalEntity(
        legal_name="MyComputer Nederland B.V.",
        address={
            "line1": "Damrak 70",
            "postal_code": "1012 LM",
            "city": "Amsterdam",
            "country": "NL",
        },
        vat_id="NL004495445B01",
        registration_number="KvK 12345678",
        iban="NL91ABNA0417164300",
        email="factuur@mycomputer.example",
        invoice_prefix="NL1",
    ),
    "PL": CreateLegalEntity(
        legal_name="MyComputer Polska Sp. z o.o.",
        address={
            "line1": "ul. Marszalkowska 84",
            "postal_code": "00-514",
            "city": "Warszawa",
            "country": "PL",
        },
        vat_id="PL5260250274",
        registration_number="KRS 0000123456",
        iban="PL61109010140000071219812874",
        email="faktura@mycomputer.example",
        invoice_prefix="PL1",
    ),
    "SE": CreateLegalEntity(
        legal_name="MyComputer Sverige AB",
        address={
            "line1": "Drottninggatan 53",
            "postal_code": "111 21",
            "city": "Stockholm",
            "country": "SE",
        },
        vat_id="SE556036079301",
        registration_number="Org.nr 556036-0793",
        iban="SE4550000000058398257466",
        email="faktura@mycomputer.example",
        invoice_prefix="SE1",
    ),
    "CH": CreateLegalEntity(
        legal_name="MyComputer Schweiz AG",
        address={
            "line1": "Bahnhofstrasse 12",
            "postal_code": "8001",
            "city": "Zurich",
            "country": "CH",
        },
        vat_id="CHE-116.281.710 MWST",
        registration_number="CHE-116.281.710",
        iban="CH9300762011623852957",
        bic="UBSWCHZH80A",
        email="rechnung@mycomputer.example",
        invoice_prefix="CH1",
    ),
}


async def seed_sample_legal_entities(
    *, uow_factory: UnitOfWorkFactory, clock: Clock
) -> dict[str, str]:
    """The sample sellers by country, created once on a database that has none."""
    async with uow_factory() as uow:
        existing = await uow.repo(LegalEntityRepository).all()
    if existing:
        return {e.country: e.id for e in reversed(existing)}  # the oldest per country wins
    created: dict[str, str] = {}
    for country, cmd in SAMPLE_LEGAL_ENTITIES.items():
        entity = await create_legal_entity(cmd, uow_factory=uow_factory, clock=clock, ctx=SYSTEM)
        created[country] = entity.id
    return created
