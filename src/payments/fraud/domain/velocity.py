"""Velocity: how often something was seen in sliding windows of 1 minute, 1 hour, 24 hours.

An :class:`Observation` is one sighting: a ``kind`` (an ``attempt``, a ``decline``, a
``card`` used, a ``3ds_failed``) of a ``subject`` (``card:<fingerprint>``,
``customer:<id>``, ``email:<address>``, ``ip:<address>``, ``device:<session>``,
``shop:<location>``) with a
``member`` that makes it unique (the charge's id; for ``card`` the card's fingerprint,
so a count is the number of *distinct* cards). A count is the number of distinct
members seen since the window began. Two stores keep them, with the same results (one
contract test suite runs against both): the database by default, Redis sorted sets
updated by one atomic Lua script when configured.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

WINDOWS: dict[str, timedelta] = {
    "1m": timedelta(minutes=1),
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
}
LONGEST = max(WINDOWS.values())


@dataclass(frozen=True, slots=True)
class Observation:
    subject: str  # card:<fp> | customer:<id> | email:<address> | ip:<a> | device:<id> | shop:<id>
    kind: str  # attempt | decline | card | 3ds_failed
    member: str


@dataclass(frozen=True, slots=True)
class CountQuery:
    subject: str
    kind: str
    window: str  # a key of WINDOWS


class VelocityUnavailable(RuntimeError):
    """The store could not be reached; the assessment goes on without velocity counts."""


class VelocityCounters(Protocol):
    async def observe(
        self, observations: Sequence[Observation], queries: Sequence[CountQuery], now: datetime
    ) -> list[int]:
        """Record ``observations`` at ``now``, then count ``queries`` (in their order),
        the new observations included."""


def velocity_queries(subjects: dict[str, str | None]) -> dict[str, CountQuery]:
    """The counts the assessment asks for, named by their rule attribute
    (``declines_per_card_1h``, ``cards_per_customer_24h``, ...)."""
    wanted: dict[str, CountQuery] = {}
    for name, subject in subjects.items():
        if subject is None:
            continue
        for window in WINDOWS:
            wanted[f"attempts_per_{name}_{window}"] = CountQuery(subject, "attempt", window)
            wanted[f"declines_per_{name}_{window}"] = CountQuery(subject, "decline", window)
    if subjects.get("customer"):
        wanted["cards_per_customer_24h"] = CountQuery(str(subjects["customer"]), "card", "24h")
    if subjects.get("ip"):
        wanted["cards_per_ip_24h"] = CountQuery(str(subjects["ip"]), "card", "24h")
    if subjects.get("device"):
        wanted["cards_per_device_24h"] = CountQuery(str(subjects["device"]), "card", "24h")
    if subjects.get("card"):
        wanted["three_ds_failures_per_card_24h"] = CountQuery(
            str(subjects["card"]), "3ds_failed", "24h"
        )
    return wanted
