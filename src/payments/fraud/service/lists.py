"""Value lists and their items (Stripe Radar's shapes), used in rules as ``@alias``.

Lists are company-wide, as at Radar: keys restricted to one shop read them but cannot
change them (a shop's block list would block its card everywhere).
"""

from __future__ import annotations

from payments.fraud.domain.lists import ALIAS, ATTRIBUTE_OF_CHARGE, InvalidItem, normalize_item
from payments.fraud.domain.model import (
    CreateValueList,
    CreateValueListItem,
    ValueList,
    ValueListItem,
)
from payments.fraud.repository import (
    AssessmentRepository,
    ReviewRepository,
    RuleRepository,
    ValueListItemRepository,
    ValueListRepository,
)
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound, PermissionDenied
from payments.kernel.ids import new_id
from payments.kernel.metadata import validate_metadata
from payments.kernel.pagination import Page, PageRequest
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory


def _company_wide(ctx: RequestContext) -> None:
    ctx.require(Permission.manage_fraud)
    if ctx.principal.location_id is not None:
        raise PermissionDenied(
            "Value lists apply to every shop: change them with a key not restricted to one.",
            code="insufficient_permissions",
        )


async def _list(uow: UnitOfWork, list_id: str, *, param: str = "id") -> ValueList:
    found = await uow.repo(ValueListRepository).get(list_id)
    if found is None:
        raise NotFound.of("value list", list_id, param=param)
    return found


async def create_value_list(
    cmd: CreateValueList, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> ValueList:
    _company_wide(ctx)
    if not ALIAS.match(cmd.alias):
        raise InvalidRequest(
            "An alias starts with a letter and holds letters, digits and _ only.", param="alias"
        )
    validate_metadata(cmd.metadata)
    async with uow_factory() as uow:
        repo = uow.repo(ValueListRepository)
        if await repo.by_alias(cmd.alias) is not None:
            raise InvalidRequest(
                f"A value list with alias {cmd.alias!r} exists already.",
                code="value_list_alias_taken",
                param="alias",
            )
        vl = ValueList(
            id=new_id("rsl"),
            alias=cmd.alias,
            name=cmd.name,
            item_type=cmd.item_type,
            created=clock.now(),
            created_by=ctx.principal.name,
            metadata=dict(cmd.metadata),
        )
        await repo.add(vl)
        await uow.commit()
    return vl


async def retrieve_value_list(
    list_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> tuple[ValueList, Page[ValueListItem]]:
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        vl = await _list(uow, list_id)
        items = await uow.repo(ValueListItemRepository).list_page(
            PageRequest(limit=10), equals={"value_list_id": vl.id}
        )
    return vl, items


async def list_value_lists(
    page: PageRequest, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Page[ValueList]:
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        return await uow.repo(ValueListRepository).list_page(page)


async def delete_value_list(
    list_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> ValueList:
    _company_wide(ctx)
    async with uow_factory() as uow:
        vl = await _list(uow, list_id)
        for rule in await uow.repo(RuleRepository).all_for(None):
            if f"@{vl.alias}" in rule.predicate:
                raise InvalidRequest(
                    f"Rule {rule.id} uses @{vl.alias}: change or delete it first.",
                    code="value_list_in_use",
                    param="id",
                )
        await uow.repo(ValueListRepository).delete(vl.id)
        await uow.commit()
    return vl


async def create_value_list_item(
    cmd: CreateValueListItem, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> ValueListItem:
    _company_wide(ctx)
    async with uow_factory() as uow:
        vl = await _list(uow, cmd.value_list_id, param="value_list")
        raw = await _value_of(uow, vl, cmd)
        try:
            value = normalize_item(vl.item_type, raw)
        except InvalidItem as exc:
            raise InvalidRequest(
                f"{exc}: @{vl.alias} holds {vl.item_type.value} items.",
                code="value_list_item_invalid",
                param="value",
            ) from None
        repo = uow.repo(ValueListItemRepository)
        existing = await repo.find_value(vl.id, value)
        if existing is not None:
            return existing  # adding what is there already changes nothing
        item = ValueListItem(
            id=new_id("rsli"),
            value_list_id=vl.id,
            value=value,
            created=clock.now(),
            created_by=ctx.principal.name,
        )
        await repo.add(item)
        await uow.commit()
    return item


async def _value_of(uow: UnitOfWork, vl: ValueList, cmd: CreateValueListItem) -> str:
    """The value given, or the one the named charge (or review's charge) had: adding the
    card of a review or a dispute to a block list is one call."""
    given = [
        n
        for n, v in (("value", cmd.value), ("charge", cmd.charge_id), ("review", cmd.review_id))
        if v
    ]
    if len(given) != 1:
        raise InvalidRequest(
            "Pass exactly one of value, charge or review.", param=given[-1] if given else "value"
        )
    if cmd.value is not None:
        return cmd.value
    charge_id, param = cmd.charge_id, "charge"
    if cmd.review_id is not None:
        review = await uow.repo(ReviewRepository).get(cmd.review_id)
        if review is None:
            raise NotFound.of("review", cmd.review_id, param="review")
        charge_id, param = review.charge_id, "review"
    assessment = await uow.repo(AssessmentRepository).for_charge(charge_id or "")
    if assessment is None:
        raise NotFound.of("assessed charge", charge_id or "", param=param)
    attribute = ATTRIBUTE_OF_CHARGE.get(vl.item_type)
    found = assessment.attributes.get(attribute) if attribute else None
    if not found:
        raise InvalidRequest(
            f"The charge has no {vl.item_type.value} to add to @{vl.alias}.",
            code="value_list_item_invalid",
            param=param,
        )
    return str(found)


async def list_value_list_items(
    list_id: str, page: PageRequest, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Page[ValueListItem]:
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        vl = await _list(uow, list_id, param="value_list")
        return await uow.repo(ValueListItemRepository).list_page(
            page, equals={"value_list_id": vl.id}
        )


async def retrieve_value_list_item(
    item_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> ValueListItem:
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        item = await uow.repo(ValueListItemRepository).get(item_id)
    if item is None:
        raise NotFound.of("value list item", item_id)
    return item


async def delete_value_list_item(
    item_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> ValueListItem:
    _company_wide(ctx)
    async with uow_factory() as uow:
        repo = uow.repo(ValueListItemRepository)
        item = await repo.get(item_id)
        if item is None:
            raise NotFound.of("value list item", item_id)
        await repo.delete(item.id)
        await uow.commit()
    return item
