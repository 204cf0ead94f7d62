"""The risk assessment of a charge, run by the confirm flow before the gateway call.

Registered into payments by the composition root (:class:`FraudAssessment` implements
:class:`payments.intents.service.risk.RiskAssessment`). In the confirm's phase-1
transaction it gathers the facts (velocity counts, which also records this attempt;
history; countries; checks), scores them (pure :mod:`payments.fraud.domain.scoring`),
runs the rules in their fixed order (pure :mod:`payments.fraud.domain.decision`) and
stores the assessment. When the gateway's answer is applied it counts declines and
opens the review of a payment held for one.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from payments.events.service import record_event
from payments.fraud.domain.decision import CompiledRule, Decision, decide
from payments.fraud.domain.facts import amount_eur_cents, jsonable, ratio
from payments.fraud.domain.geoip import IpCountryLookup
from payments.fraud.domain.model import Assessment, Review, RuleAction
from payments.fraud.domain.rules import RuleSyntaxError, parse
from payments.fraud.domain.scoring import score
from payments.fraud.domain.velocity import (
    Observation,
    VelocityCounters,
    VelocityUnavailable,
    velocity_queries,
)
from payments.fraud.render import review_object
from payments.fraud.repository import (
    AssessmentRepository,
    ReviewRepository,
    RuleRepository,
    ValueListItemRepository,
    VelocityRepository,
)
from payments.fraud.service.reviews import close_settled_review
from payments.intents.domain.model import Charge, ChargeStatus, PaymentIntent, PaymentMethod
from payments.intents.domain.payment_intent import CaptureMethod, PaymentIntentStatus
from payments.intents.service.risk import RiskVerdict
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.ids import new_id
from payments.locations.repository import LocationRepository
from payments.platform.db.uow import UnitOfWork
from payments.platform.logs import get_logger

log = get_logger("payments.fraud")

REVIEW_EXPIRES_AFTER = timedelta(days=7)
SHOP_HISTORY = timedelta(days=90)
REFUND_HISTORY = timedelta(days=30)


class CountersFactory:
    """Which velocity store an assessment uses: Redis when configured (shared by every
    process), else the database, in the assessment's own transaction."""

    def __init__(self, redis: VelocityCounters | None = None) -> None:
        self.redis = redis

    def bind(self, uow: UnitOfWork) -> VelocityCounters:
        return self.redis if self.redis is not None else uow.repo(VelocityRepository)


def compiled(rules: list[Any]) -> list[CompiledRule]:
    out = []
    for rule in rules:
        try:
            predicate = parse(rule.predicate)
        except RuleSyntaxError:  # stored rules were checked; a grammar change must not crash
            log.warning("fraud rule no longer parses", rule=rule.id)
            continue
        out.append(CompiledRule(rule.id, rule.action, predicate, rule.location_id))
    return out


def _subjects(
    pi: PaymentIntent, method: PaymentMethod, email: str | None, ip: str | None
) -> dict[str, str | None]:
    fingerprint = method.details.get("fingerprint")
    return {
        "card": f"card:{fingerprint}" if fingerprint else None,
        "customer": f"customer:{pi.customer_id}" if pi.customer_id else None,
        "email": f"email:{email.lower()}" if email else None,
        "ip": f"ip:{ip}" if ip else None,
        "device": f"device:{pi.radar_session}" if pi.radar_session else None,
        "shop": f"shop:{pi.location_id}",
    }


def _email(pi: PaymentIntent, method: PaymentMethod) -> str | None:
    email = pi.receipt_email or method.billing_details.get("email")
    return str(email).lower() if email else None


class FraudAssessment:
    def __init__(self, *, counters: CountersFactory, ip_countries: IpCountryLookup) -> None:
        self.counters = counters
        self.ip_countries = ip_countries

    async def facts(
        self,
        uow: UnitOfWork,
        pi: PaymentIntent,
        method: PaymentMethod,
        charge: Charge,
        *,
        clock: Clock,
        ip: str | None,
    ) -> dict[str, Any]:
        """Every attribute of :data:`payments.fraud.domain.rules.ATTRIBUTES` known for this
        payment; this attempt is recorded in the velocity counters on the way."""
        now = clock.now()
        details = method.details
        email = _email(pi, method)
        subjects = _subjects(pi, method, email, ip)
        queries = velocity_queries(subjects)
        observations = [
            Observation(s, "attempt", charge.id) for s in subjects.values() if s is not None
        ]
        fingerprint = details.get("fingerprint") if method.type == "card" else None
        if fingerprint:
            for holder in ("customer", "ip", "device"):
                if subjects[holder]:
                    observations.append(Observation(str(subjects[holder]), "card", fingerprint))
        try:
            counts = await self.counters.bind(uow).observe(
                observations, list(queries.values()), now
            )
        except VelocityUnavailable as exc:  # fail open: payments go on, other signals still count
            log.warning("fraud velocity counters unavailable", error=str(exc))
            counts = [0] * len(queries)
        location = await uow.repo(LocationRepository).get_cached(pi.location_id)
        history = await uow.repo(AssessmentRepository).history(
            customer_id=pi.customer_id,
            card_fingerprint=fingerprint,
            location_id=pi.location_id,
            since=now - SHOP_HISTORY,
            refunds_since=now - REFUND_HISTORY,
        )
        eur = amount_eur_cents(charge.amount, charge.currency)
        facts: dict[str, Any] = dict(zip(queries, counts, strict=True))
        facts.update(
            amount=charge.amount,
            currency=charge.currency,
            amount_in_eur=None if eur is None else Decimal(eur).scaleb(-2),
            location=pi.location_id,
            shop_country=location.country if location is not None else None,
            customer=pi.customer_id,
            customer_email=email,
            ip_address=ip,
            device=pi.radar_session,
            ip_country=self.ip_countries.country(ip),
            payment_method_type=method.type,
            card_fingerprint=fingerprint,
            card_country=details.get("country") if method.type == "card" else None,
            card_brand=details.get("brand"),
            card_funding=details.get("funding"),
            cvc_check=(details.get("checks") or {}).get("cvc_check"),
            sepa_debit_fingerprint=details.get("fingerprint")
            if method.type == "sepa_debit"
            else None,
            test_risk=details.get("test_risk"),
            is_first_purchase=pi.customer_id is None or history["customer_count"] == 0,
            customer_charge_count=history["customer_count"],
            amount_vs_customer_average=ratio(eur or 0, history["customer_avg"]),
            amount_vs_shop_average=ratio(eur or 0, history["shop_avg"]),
            disputes_for_card=history["disputes_for_card"],
            disputes_for_customer=history["disputes_for_customer"],
            early_fraud_warnings_for_card=history["early_fraud_warnings_for_card"],
            early_fraud_warnings_for_customer=history["early_fraud_warnings_for_customer"],
            refunds_per_customer_30d=history["refunds_per_customer_30d"],
        )
        return facts

    async def assess(
        self,
        uow: UnitOfWork,
        pi: PaymentIntent,
        method: PaymentMethod,
        charge: Charge,
        *,
        clock: Clock,
        ctx: RequestContext,
    ) -> RiskVerdict:
        facts = await self.facts(uow, pi, method, charge, clock=clock, ip=ctx.ip)
        result = score(facts)
        facts.update(risk_score=result.score, risk_level=result.level.value)
        rules = compiled(await uow.repo(RuleRepository).enabled_for_cached(pi.location_id))
        aliases = sorted({ref.alias for r in rules for ref in r.predicate.lists})
        lists = await uow.repo(ValueListItemRepository).values_by_alias(aliases)
        decision = decide(result, facts, rules, lists, location_id=pi.location_id)
        await uow.repo(AssessmentRepository).add(
            _assessment(pi, charge, facts, decision, result.score, result.level, clock)
        )
        log.info(
            "fraud assessment",
            charge=charge.id,
            score=result.score,
            level=result.level.value,
            action=decision.action.value,
            rule=decision.rule.id if decision.rule else None,
        )
        return RiskVerdict(
            action=decision.action.value,
            outcome=decision.outcome,
            risk=result.as_dict(),
        )

    async def charge_settled(
        self,
        uow: UnitOfWork,
        pi: PaymentIntent,
        charge: Charge,
        *,
        clock: Clock,
        ctx: RequestContext,
    ) -> None:
        found = await uow.repo(AssessmentRepository).with_review_for_charge(charge.id)
        assessment, existing = found
        if assessment is None:
            return
        now = clock.now()
        reviews = uow.repo(ReviewRepository)
        if existing is not None:
            if existing.open and pi.capture_method == CaptureMethod.MANUAL:
                await close_settled_review(uow, existing, pi, clock=clock, ctx=ctx)
            return
        if charge.status == ChargeStatus.failed:
            device = assessment.attributes.get("device")
            subjects = [
                s
                for s in (
                    f"card:{assessment.card_fingerprint}" if assessment.card_fingerprint else None,
                    f"customer:{assessment.customer_id}" if assessment.customer_id else None,
                    f"email:{assessment.email}" if assessment.email else None,
                    f"ip:{assessment.ip_address}" if assessment.ip_address else None,
                    f"device:{device}" if device else None,
                    f"shop:{assessment.location_id}",
                )
                if s is not None
            ]
            observations = [Observation(s, "decline", charge.id) for s in subjects]
            if (
                charge.failure_code == "payment_intent_authentication_failure"
                and assessment.card_fingerprint
            ):
                observations.append(
                    Observation(f"card:{assessment.card_fingerprint}", "3ds_failed", charge.id)
                )
            try:
                await self.counters.bind(uow).observe(observations, [], now)
            except VelocityUnavailable as exc:
                log.warning("fraud velocity counters unavailable", error=str(exc))
            return
        outcome = charge.outcome or {}
        if (
            outcome.get("type") != "manual_review"
            or pi.status != PaymentIntentStatus.REQUIRES_CAPTURE
        ):
            return  # only a held (authorized, uncaptured) card payment waits for a review
        review = Review(
            id=new_id("prv"),
            payment_intent_id=pi.id,
            charge_id=charge.id,
            location_id=pi.location_id,
            open=True,
            opened_reason="rule",
            reason="rule",
            created=now,
            expires_at=now + REVIEW_EXPIRES_AFTER,
            rule_id=outcome.get("rule"),
            risk_level=outcome.get("risk_level"),
            risk_score=outcome.get("risk_score"),
            ip_address=assessment.ip_address,
            livemode=pi.livemode,
        )
        await reviews.add(review)
        await record_event(
            uow,
            "review.opened",
            review_object(review),
            ctx=ctx,
            clock=clock,
            location_id=pi.location_id,
        )


def _assessment(
    pi: PaymentIntent,
    charge: Charge,
    facts: dict[str, Any],
    decision: Decision,
    risk_score: int,
    level: Any,
    clock: Clock,
) -> Assessment:
    eur = amount_eur_cents(charge.amount, charge.currency)
    return Assessment(
        id=new_id("fra"),
        charge_id=charge.id,
        payment_intent_id=pi.id,
        location_id=pi.location_id,
        amount=charge.amount,
        currency=charge.currency,
        amount_eur_cents=eur or 0,
        score=risk_score,
        level=level,
        action=RuleAction(decision.action),
        attributes=jsonable(facts),
        created=clock.now(),
        customer_id=pi.customer_id,
        card_fingerprint=facts.get("card_fingerprint"),
        email=facts.get("customer_email"),
        ip_address=facts.get("ip_address"),
        rule_id=decision.rule.id if decision.rule else None,
    )
