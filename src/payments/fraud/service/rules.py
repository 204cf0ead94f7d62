"""Fraud rules: create, change, list, delete, and the dry run over recent charges.

A predicate is parsed before anything is stored; errors name the column. It may only
name value lists that exist and fit the attribute they are matched with. A rule that
would match every payment (``true``, ``:amount: >= 0``) is refused unless forced.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from payments.audit.service import record_audit
from payments.fraud.domain.decision import CompiledRule, first_match
from payments.fraud.domain.lists import ATTRIBUTES_FOR
from payments.fraud.domain.model import (
    CreateRule,
    DryRunRule,
    ItemType,
    Rule,
    RuleAction,
    UpdateRule,
)
from payments.fraud.domain.rules import (
    Attr,
    Member,
    Node,
    Predicate,
    RuleSyntaxError,
    matches,
    matches_everything,
    parse,
)
from payments.fraud.repository import (
    AssessmentRepository,
    RuleRepository,
    ValueListItemRepository,
    ValueListRepository,
)
from payments.fraud.service.assess import compiled
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.ids import new_id
from payments.locations.repository import LocationRepository
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory


def _members(node: Node) -> list[Member]:
    from payments.fraud.domain.rules import BoolOp, Not

    if isinstance(node, BoolOp):
        return [m for child in node.operands for m in _members(child)]
    if isinstance(node, Not):
        return _members(node.operand)
    return [node] if isinstance(node, Member) else []


async def checked_predicate(uow: UnitOfWork, source: str, *, force: bool) -> Predicate:
    """The parsed predicate, or a 400 naming ``predicate`` and the column."""
    try:
        predicate = parse(source)
    except RuleSyntaxError as exc:
        raise InvalidRequest(str(exc), code="rule_invalid", param="predicate") from None
    known = await uow.repo(ValueListRepository).by_aliases([r.alias for r in predicate.lists])
    for ref in predicate.lists:
        if ref.alias not in known:
            raise InvalidRequest(
                f"Unknown value list @{ref.alias} (at column {ref.column})",
                code="rule_invalid",
                param="predicate",
            )
    for member in _members(predicate.root):
        coll = member.collection
        if not isinstance(member.item, Attr) or isinstance(coll, tuple):
            continue
        item_type = known[coll.alias].item_type
        fits = ATTRIBUTES_FOR.get(item_type)
        if item_type != ItemType.string and fits is not None and member.item.name not in fits:
            raise InvalidRequest(
                f"@{coll.alias} holds {item_type.value} items: it cannot be matched with "
                f":{member.item.name}: (at column {coll.column})",
                code="rule_invalid",
                param="predicate",
            )
    if not force and matches_everything(predicate):
        raise InvalidRequest(
            "This rule would match every payment. Narrow the predicate, or pass force=true "
            "if that is what you want.",
            code="rule_matches_everything",
            param="predicate",
        )
    return predicate


async def _location(uow: UnitOfWork, location_id: str | None, ctx: RequestContext) -> str | None:
    own = ctx.principal.location_id
    if location_id is None:
        return own  # a shop's key writes rules for its own shop only
    if own is not None and own != location_id:
        raise NotFound.of("location", location_id, param="location")
    if await uow.repo(LocationRepository).get(location_id) is None:
        raise NotFound.of("location", location_id, param="location")
    return location_id


async def create_rule(
    cmd: CreateRule, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> Rule:
    ctx.require(Permission.manage_fraud)
    async with uow_factory() as uow:
        await checked_predicate(uow, cmd.predicate, force=cmd.force)
        now = clock.now()
        rule = Rule(
            id=new_id("rule"),
            action=cmd.action,
            predicate=cmd.predicate.strip(),
            location_id=await _location(uow, cmd.location_id, ctx),
            enabled=cmd.enabled,
            description=cmd.description,
            created=now,
            updated=now,
            livemode=False,
        )
        await uow.repo(RuleRepository).add(rule)
        await _audit(uow, "fraud_rule.created", rule, ctx=ctx, clock=clock)
        await uow.commit()
    return rule


async def _audit(
    uow: UnitOfWork,
    action: str,
    rule: Rule,
    *,
    ctx: RequestContext,
    clock: Clock,
    before: Rule | None = None,
) -> None:
    """Who changed which rule, and how: rules decide who can pay (the audit log's chain)."""

    def shown(r: Rule) -> dict[str, Any]:
        return {"action": r.action.value, "predicate": r.predicate, "enabled": r.enabled}

    await record_audit(
        uow,
        action,
        object_type="fraud_rule",
        object_id=rule.id,
        ctx=ctx,
        clock=clock,
        before=shown(before) if before else None,
        after=shown(rule),
        location_id=rule.location_id,
    )


async def _visible(uow: UnitOfWork, rule_id: str, ctx: RequestContext) -> Rule:
    rule = await uow.repo(RuleRepository).get(rule_id)
    if rule is None:
        raise NotFound.of("fraud rule", rule_id)
    own = ctx.principal.location_id
    if own is not None and rule.location_id not in (None, own):
        raise NotFound.of("fraud rule", rule_id)
    return rule


def _writable(rule: Rule, ctx: RequestContext) -> None:
    if ctx.principal.location_id is not None and rule.location_id is None:
        raise NotFound.of("fraud rule", rule.id)  # a shop's key cannot change global rules


async def update_rule(
    cmd: UpdateRule, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> Rule:
    ctx.require(Permission.manage_fraud)
    async with uow_factory() as uow:
        rule = await _visible(uow, cmd.id, ctx)
        _writable(rule, ctx)
        changed = replace(
            rule,
            action=cmd.action or rule.action,
            predicate=(cmd.predicate or rule.predicate).strip(),
            enabled=rule.enabled if cmd.enabled is None else cmd.enabled,
            description=rule.description if cmd.description is None else cmd.description,
            updated=clock.now(),
        )
        if cmd.predicate is not None or cmd.force:
            await checked_predicate(uow, changed.predicate, force=cmd.force)
        await uow.repo(RuleRepository).save(changed)
        await _audit(uow, "fraud_rule.updated", changed, ctx=ctx, clock=clock, before=rule)
        await uow.commit()
    return changed


async def delete_rule(
    rule_id: str, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> Rule:
    ctx.require(Permission.manage_fraud)
    async with uow_factory() as uow:
        rule = await _visible(uow, rule_id, ctx)
        _writable(rule, ctx)
        await uow.repo(RuleRepository).delete(rule.id)
        await _audit(uow, "fraud_rule.deleted", rule, ctx=ctx, clock=clock, before=rule)
        await uow.commit()
    return rule


async def retrieve_rule(
    rule_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Rule:
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        return await _visible(uow, rule_id, ctx)


async def list_rules(*, uow_factory: UnitOfWorkFactory, ctx: RequestContext) -> list[Rule]:
    """Every rule that applies to the key's shop (all rules for an unrestricted key), in
    the order they are evaluated: allow, block, review, request_three_d_secure."""
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        rules = await uow.repo(RuleRepository).all_for(ctx.principal.location_id)
    order = list(RuleAction)
    return sorted(rules, key=lambda r: (order.index(r.action), r.id))


async def dry_run_rule(
    cmd: DryRunRule, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> dict[str, Any]:
    """What the rule would have done to the last ``limit`` assessed charges, beside what
    the rules in force did: each charge it matches, and whether that changes anything
    (a rule of a later action loses to an earlier one that matched)."""
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        predicate = await checked_predicate(uow, cmd.predicate, force=True)
        location = ctx.list_location(cmd.location_id)
        recent = await uow.repo(AssessmentRepository).recent(cmd.limit, location_id=location)
        rules = compiled(await uow.repo(RuleRepository).enabled_for(location))
        candidate = CompiledRule("dry_run", cmd.action, predicate, location)
        aliases = sorted({r.alias for rule in [*rules, candidate] for r in rule.predicate.lists})
        lists = await uow.repo(ValueListItemRepository).values_by_alias(aliases)
    matched: list[dict[str, Any]] = []
    for a in recent:
        facts = dict(a.attributes)
        if not matches(predicate, facts, lists):
            continue
        before = first_match(rules, facts, lists, a.location_id)
        after = first_match([*rules, candidate], facts, lists, a.location_id)
        decided = after.action if after is not None else RuleAction.allow
        matched.append(
            {
                "charge": a.charge_id,
                "payment_intent": a.payment_intent_id,
                "amount": a.amount,
                "currency": a.currency,
                "risk_score": a.score,
                "risk_level": a.level.value,
                "action_taken": a.action.value,
                "rule_taken": a.rule_id,
                "action_with_rule": decided.value,
                "decided_by_this_rule": after is candidate,
                "changes_outcome": (before.action if before else RuleAction.allow) != decided,
            }
        )
    return {
        "object": "fraud.rule_dry_run",
        "predicate": cmd.predicate,
        "action": cmd.action.value,
        "charges_evaluated": len(recent),
        "charges_matched": len(matched),
        "would_change": sum(1 for m in matched if m["changes_outcome"]),
        "matches": matched,
    }


DEFAULT_RULES: tuple[tuple[RuleAction, str, str], ...] = (
    (RuleAction.block, ":risk_level: = 'highest'", "Default: block payments of highest risk"),
    (RuleAction.review, ":risk_level: = 'elevated'", "Default: review payments of elevated risk"),
)


async def seed_default_rules(*, uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Radar's default rules (block highest risk, review elevated risk), on the embedded
    default when no rule exists yet; returns how many were added."""
    async with uow_factory() as uow:
        repo = uow.repo(RuleRepository)
        if await repo.all_for(None):
            return 0
        now = clock.now()
        for action, predicate, description in DEFAULT_RULES:
            await repo.add(
                Rule(
                    id=new_id("rule"),
                    action=action,
                    predicate=predicate,
                    description=description,
                    created=now,
                    updated=now,
                )
            )
        await uow.commit()
    return len(DEFAULT_RULES)
