"""Fraud rules: ``/v1/fraud/rules`` (admin and finance write; every key reads)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from payments.fraud.domain.model import CreateRule, DryRunRule, UpdateRule
from payments.fraud.render import rule_object
from payments.fraud.schemas import (
    DeletedOut,
    DryRunOut,
    RuleCreate,
    RuleDryRun,
    RuleList,
    RuleOut,
    RuleUpdate,
)
from payments.fraud.service import rules as uc
from payments.platform.http.deps import ContainerDep, ContextDep, services
from payments.platform.http.openapi import Responses
from payments.platform.http.responses import json_response, list_object

router = APIRouter(prefix="/v1/fraud/rules", tags=["fraud"])

ONE: Responses = {200: {"model": RuleOut}}


@router.post(
    "",
    responses=ONE,
    summary="Create a fraud rule (admin, finance)",
    description=(
        "`action` is `allow`, `block`, `review` or `request_three_d_secure`; `predicate` is "
        "a condition in the rule language. Rules run in that order of actions (an `allow` "
        "match lets a payment through). A predicate that does not parse, names an unknown "
        "attribute or list, or would match every payment (without `force=true`) is a 400 "
        "whose message gives the column."
    ),
)
async def create_rule(body: RuleCreate, c: ContainerDep, ctx: ContextDep) -> Response:
    cmd = CreateRule(
        action=body.action,
        predicate=body.predicate,
        location_id=body.location,
        enabled=body.enabled,
        description=body.description,
        force=body.force,
    )
    return json_response(rule_object(await uc.create_rule(cmd, ctx=ctx, **services(c))))


@router.get(
    "",
    responses={200: {"model": RuleList}},
    summary="List fraud rules in the order they are evaluated",
)
async def list_rules(c: ContainerDep, ctx: ContextDep) -> Response:
    rules = await uc.list_rules(uow_factory=c.uow_factory, ctx=ctx)
    return json_response(list_object("/v1/fraud/rules", [rule_object(r) for r in rules], False))


@router.post(
    "/dry_run",
    responses={200: {"model": DryRunOut}},
    summary="Replay recent charges through a rule without saving it",
    description=(
        "What the rule would have done to the last `limit` assessed charges (of the key's "
        "shop, or `location`), next to what happened."
    ),
)
async def dry_run(body: RuleDryRun, c: ContainerDep, ctx: ContextDep) -> Response:
    cmd = DryRunRule(
        predicate=body.predicate, action=body.action, location_id=body.location, limit=body.limit
    )
    return json_response(await uc.dry_run_rule(cmd, uow_factory=c.uow_factory, ctx=ctx))


@router.get("/{rule_id}", responses=ONE, summary="Retrieve a fraud rule")
async def retrieve_rule(rule_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    return json_response(
        rule_object(await uc.retrieve_rule(rule_id, uow_factory=c.uow_factory, ctx=ctx))
    )


@router.post("/{rule_id}", responses=ONE, summary="Update a fraud rule: enable, disable, change it")
async def update_rule(rule_id: str, body: RuleUpdate, c: ContainerDep, ctx: ContextDep) -> Response:
    cmd = UpdateRule(
        id=rule_id,
        action=body.action,
        predicate=body.predicate,
        enabled=body.enabled,
        description=body.description,
        force=body.force,
    )
    return json_response(rule_object(await uc.update_rule(cmd, ctx=ctx, **services(c))))


@router.delete("/{rule_id}", responses={200: {"model": DeletedOut}}, summary="Delete a fraud rule")
async def delete_rule(rule_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    rule = await uc.delete_rule(rule_id, ctx=ctx, **services(c))
    return json_response({"id": rule.id, "object": "fraud.rule", "deleted": True})
