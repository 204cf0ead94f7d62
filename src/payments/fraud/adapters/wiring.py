"""The fraud assessment built from settings: its velocity store and IP-country table."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from redis.asyncio import Redis

from payments.fraud.adapters.geoip2fast_lookup import GeoIP2FastLookup
from payments.fraud.adapters.redis_velocity import RedisVelocityCounters
from payments.fraud.domain.geoip import FirstKnown, IpCountryLookup, RangeTable
from payments.fraud.service.assess import CountersFactory, FraudAssessment
from payments.platform.config import FraudVelocityStore, Settings

SAMPLE_TABLE = "ip_country_sample.txt"


@lru_cache(maxsize=4)
def ip_country_table(path: str | None = None) -> IpCountryLookup:
    """The configured table (RIR delegated format); else the shipped sample (the RFC 5737
    documentation ranges, for tests and demos), then geoip2fast's database for real
    addresses."""
    if path:
        with Path(path).open(encoding="utf-8") as lines:
            return RangeTable.from_delegated(lines)
    text = resources.files("payments.fraud").joinpath("data", SAMPLE_TABLE).read_text("utf-8")
    return FirstKnown(RangeTable.from_delegated(text.splitlines()), GeoIP2FastLookup())


def build_fraud_assessment(settings: Settings | None = None) -> FraudAssessment:
    redis = None
    if settings is not None and settings.fraud_velocity_store == FraudVelocityStore.redis:
        if not settings.redis_url:
            raise ValueError("PAYMENTS_FRAUD_VELOCITY_STORE=redis needs PAYMENTS_REDIS_URL")
        redis = RedisVelocityCounters(Redis.from_url(settings.redis_url))
    return FraudAssessment(
        counters=CountersFactory(redis),
        ip_countries=ip_country_table(settings.fraud_ip_country_file if settings else None),
    )
