"""Collectors outside this capability that may be collecting a PaymentIntent right now
(a shop's card reader waiting for the card). While one is, the intent is not confirmed,
changed or canceled here: the card read later would meet an intent that no longer
takes it. The terminal capability sits above payments, so it registers its check here
(:func:`register_collector`, called by the composition root)."""

from __future__ import annotations

from typing import Protocol

from payments.intents.domain.model import PaymentIntent
from payments.kernel.errors import InvalidRequest
from payments.platform.db.uow import UnitOfWork


class Collector(Protocol):
    async def collecting(self, uow: UnitOfWork, payment_intent_id: str) -> str | None:
        """Where the intent is being collected (e.g. "on reader tmr_..."), or None."""


_registered: list[Collector] = []


def register_collector(collector: Collector) -> None:
    """Register (or replace, by its class) one collector."""
    _registered[:] = [c for c in _registered if type(c) is not type(collector)] + [collector]


async def refuse_if_collected(uow: UnitOfWork, pi: PaymentIntent, verb: str) -> None:
    for collector in _registered:
        where = await collector.collecting(uow, pi.id)
        if where is not None:
            raise InvalidRequest(
                f"You cannot {verb} this PaymentIntent while it is being collected {where}; "
                "cancel that reader's action first (cancel_action).",
                code="payment_intent_unexpected_state",
            )
