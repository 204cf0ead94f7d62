"""The fraud assessment built from settings: its velocity store and IP-country table."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from redis.asyncio import Redis

from payments.fraud.adapters.redis_velocity import RedisVelocityCounters
from payments.fraud.domain.geoip import RangeTable
from payments.fraud.service.assess import CountersFactory, FraudAssessment
from payments.platform.config import FraudVelocityStore, Settings

SAMPLE_TABLE = "ip_country_sample.txt"


@lru_cache(maxsize=4)
def ip_country_table(path: str | None = None) -> RangeTable:
    """The configured table (RIR delegated format), or the shipped sample."""
    if path:
        with Path(path).open(encoding="utf-8") as lines:
            return RangeTable.from_delegated(lines)
    text = resources.files("payments.fraud").joinpath("data", SAMPLE_TABLE).read_text("utf-8")
    return RangeTable.from_delegated(text.splitlines())


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
