"""The composition root: the one place that builds concrete adapters from settings.

Nothing is built at import time; ``build_container(settings)`` is called by the
app's lifespan, the worker and the CLI, and ``Container.close()`` releases it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import assert_never

from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from payments.apikeys.service import Authenticator
from payments.customers.domain import CustomerDirectory
from payments.customers.service.customers import LocalCustomerDirectory
from payments.files.domain import FileStorage
from payments.files.storage import LocalDirectoryStorage
from payments.gateways.protocol import PaymentGateway
from payments.idempotency.service import IdempotencyService
from payments.kernel.clock import Clock, SystemClock
from payments.locations.domain import ShopDirectory
from payments.locations.service import LocalShopDirectory
from payments.parts.domain import PartCatalogue
from payments.parts.service import LocalPartCatalogue
from payments.platform.config import FileStorageName, GatewayName, Settings
from payments.platform.crypto.setup import build_vault
from payments.platform.crypto.vault import Vault
from payments.platform.db.encrypted import attach_vault, check_encryption_key, use_vault
from payments.platform.db.engine import count_statements, create_engine, write_statement_counts
from payments.platform.db.uow import UnitOfWorkFactory
from payments.platform.ratelimit import (
    MemoryRateLimiter,
    NoRateLimit,
    RateLimiter,
    RedisRateLimiter,
)
from payments.platform.siblings import SiblingClient
from payments.platform.tracing import (
    TracerProvider,
    build_tracer_provider,
    instrument_engine,
    instrument_gateway,
)
from payments.tax.checker import OfflineVatIdChecker, VatIdChecker


@dataclass
class Container:
    settings: Settings
    engine: AsyncEngine
    uow_factory: UnitOfWorkFactory
    clock: Clock
    authenticator: Authenticator
    idempotency: IdempotencyService
    rate_limiter: RateLimiter
    gateway: PaymentGateway
    vat_id_checker: VatIdChecker
    part_catalogue: PartCatalogue
    customer_directory: CustomerDirectory
    shop_directory: ShopDirectory
    file_storage: FileStorage
    vault: Vault
    extras: dict[str, object] = field(default_factory=dict)
    tracer_provider: TracerProvider | None = None

    async def prepare(self) -> None:
        """Check the encryption key opens this database's data (raises
        :class:`EncryptionKeyError` with one clear line), and create what adapters keep
        outside our migrations (the simulator's tables)."""
        await check_encryption_key(self.engine, self.vault)
        store = getattr(self.gateway, "store", None)
        if store is not None:
            await store.create_all()

    async def close(self) -> None:
        for extra in self.extras.values():  # e.g. the worker's webhook HTTP client
            aclose = getattr(extra, "aclose", None)
            if aclose is not None:
                await aclose()
        adapters = (
            self.vat_id_checker,
            self.part_catalogue,
            self.customer_directory,
            self.shop_directory,
        )
        for adapter in adapters:  # HTTP clients, if any
            aclose_adapter = getattr(adapter, "aclose", None)
            if aclose_adapter is not None:
                await aclose_adapter()
        await self.rate_limiter.close()
        gateway_aclose = getattr(self.gateway, "aclose", None)  # not part of the port
        if gateway_aclose is not None:
            await gateway_aclose()
        await self.engine.dispose()
        if self.tracer_provider is not None:
            self.tracer_provider.force_flush()
        if self.settings.bench_statement_counts_dir is not None:
            write_statement_counts(self.settings.bench_statement_counts_dir)


def build_rate_limiter(settings: Settings, clock: Clock) -> RateLimiter:
    if settings.rate_limit_per_second == 0:
        return NoRateLimit()
    if settings.redis_url:
        return RedisRateLimiter(
            Redis.from_url(settings.redis_url), settings.rate_limit_per_second, clock
        )
    return MemoryRateLimiter(settings.rate_limit_per_second, clock)


def build_gateway(
    settings: Settings, clock: Clock, *, engine: AsyncEngine | None = None
) -> PaymentGateway:
    """``engine``: ours, which the simulator borrows when it lives in the same database
    (its transactions stay its own; they just share the connection pool)."""
    match settings.gateway:
        case GatewayName.simulator:
            from payments.gateways.simulator import SimulatorGateway, SimulatorSettings

            url = settings.resolved_simulator_database_url
            shared = engine is not None and url == settings.database_url
            return SimulatorGateway(
                engine if shared and engine is not None else url,
                clock=clock,
                settings=SimulatorSettings(
                    sepa_settlement_delay=timedelta(
                        seconds=settings.simulator_sepa_settlement_seconds
                    ),
                    action_url_base=settings.resolved_simulator_action_url_base,
                    pages_url_base=settings.resolved_simulator_pages_url_base,
                ),
            )
        case GatewayName.stripe:
            from payments.gateways.stripe import build_stripe_gateway

            return build_stripe_gateway(settings)
        case _:
            assert_never(settings.gateway)


def build_vat_id_checker(settings: Settings, clock: Clock) -> VatIdChecker:
    """VIES when enabled, else the offline check (format and checksum)."""
    if not settings.vies_enabled:
        return OfflineVatIdChecker(clock)
    from payments.tax.adapters.vies import ViesVatIdChecker

    return ViesVatIdChecker(
        clock=clock,
        base_url=settings.vies_url,
        timeout_seconds=settings.vies_timeout_seconds,
        requester_vat_id=settings.vies_requester_vat_id,
    )


def sibling_client(
    settings: Settings, clock: Clock, *, name: str, url: str, token: SecretStr | None
) -> SiblingClient:
    return SiblingClient(
        name=name,
        base_url=url,
        clock=clock,
        token=token.get_secret_value() if token else None,
        timeout=settings.sibling_timeout_seconds,
        retries=settings.sibling_retries,
        cache_seconds=settings.sibling_cache_seconds,
    )


def build_file_storage(settings: Settings) -> FileStorage:
    """The local directory by default; an S3-compatible bucket with ``file_storage=s3``."""
    if settings.file_storage == FileStorageName.local:
        return LocalDirectoryStorage(settings.resolved_file_storage_dir)
    from payments.files.s3 import S3FileStorage, s3_client

    return S3FileStorage(
        client=s3_client(endpoint_url=settings.s3_endpoint_url, region=settings.s3_region),
        bucket=(settings.s3_bucket or "").strip(),  # the settings refuse s3 without one
        prefix=settings.s3_prefix,
    )


def build_customer_directory(
    settings: Settings, clock: Clock, uow_factory: UnitOfWorkFactory
) -> CustomerDirectory:
    """The Customer Base when configured, else our own customers."""
    if settings.customer_base_url is None:
        return LocalCustomerDirectory(uow_factory)
    from payments.customers.adapters.customer_base import CustomerBaseDirectory

    return CustomerBaseDirectory(
        sibling_client(
            settings,
            clock,
            name="customer_base",
            url=settings.customer_base_url,
            token=settings.customer_base_token,
        )
    )


def build_part_catalogue(
    settings: Settings, clock: Clock, uow_factory: UnitOfWorkFactory
) -> PartCatalogue:
    """The Inventory Service when configured, else our own catalogue."""
    if settings.inventory_url is None:
        return LocalPartCatalogue(uow_factory)
    from payments.parts.adapters.inventory import InventoryPartCatalogue

    return InventoryPartCatalogue(
        sibling_client(
            settings,
            clock,
            name="inventory",
            url=settings.inventory_url,
            token=settings.inventory_token,
        )
    )


def build_shop_directory(
    settings: Settings, clock: Clock, uow_factory: UnitOfWorkFactory
) -> ShopDirectory:
    """The Locations Service when configured, else our own locations."""
    if settings.locations_service_url is None:
        return LocalShopDirectory(uow_factory)
    from payments.locations.adapters.locations_service import LocationsServiceDirectory

    return LocationsServiceDirectory(
        sibling_client(
            settings,
            clock,
            name="locations",
            url=settings.locations_service_url,
            token=settings.locations_service_token,
        )
    )


def build_container(
    settings: Settings,
    *,
    clock: Clock | None = None,
    gateway: PaymentGateway | None = None,
    tracer_provider: TracerProvider | None = None,
    vault: Vault | None = None,
) -> Container:
    from payments.app.capabilities import install
    from payments.fraud.adapters.wiring import build_fraud_assessment

    fraud = build_fraud_assessment(settings)
    install(fraud)
    clock = clock or SystemClock()
    engine = create_engine(settings.database_url, pool_size=settings.database_pool_size)
    if settings.bench_statement_counts_dir is not None:
        count_statements(engine)
    vault = vault or build_vault(settings)
    attach_vault(engine, vault)
    use_vault(vault)  # for engines made outside the composition root (Alembic's)
    uow_factory = UnitOfWorkFactory(engine)
    tracer_provider = tracer_provider or build_tracer_provider(
        settings.tracing, settings.tracing_sample_ratio
    )
    gateway = gateway or build_gateway(settings, clock, engine=engine)
    if tracer_provider is not None:
        instrument_engine(engine, tracer_provider)
        instrument_gateway(gateway, tracer_provider)
    container = Container(
        settings=settings,
        engine=engine,
        uow_factory=uow_factory,
        clock=clock,
        authenticator=Authenticator(
            uow_factory, cache_seconds=settings.api_key_cache_seconds, clock=clock
        ),
        idempotency=IdempotencyService.from_settings(settings, uow_factory, clock),
        rate_limiter=build_rate_limiter(settings, clock),
        gateway=gateway,
        vat_id_checker=build_vat_id_checker(settings, clock),
        part_catalogue=build_part_catalogue(settings, clock, uow_factory),
        customer_directory=build_customer_directory(settings, clock, uow_factory),
        shop_directory=build_shop_directory(settings, clock, uow_factory),
        file_storage=build_file_storage(settings),
        tracer_provider=tracer_provider,
        vault=vault,
    )
    if fraud.counters.redis is not None:  # closed with the container
        container.extras["fraud_velocity"] = fraud.counters.redis
    return container
