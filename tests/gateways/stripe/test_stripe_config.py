from __future__ import annotations

import pytest

from payments.gateways.stripe import build_stripe_gateway
from payments.platform.config import ConfigurationError, load_settings

TEST_KEY = "sk_test_51Hx0000000000000000000000"
LIVE_KEY = "sk_live_51Hx0000000000000000000000"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "PAYMENTS_GATEWAY",
        "PAYMENTS_ENVIRONMENT",
        "PAYMENTS_STRIPE_SECRET_KEY",
        "PAYMENTS_STRIPE_WEBHOOK_SECRET",
        "PAYMENTS_STRIPE_PUBLISHABLE_KEY",
        "PAYMENTS_STRIPE_API_VERSION",
        "PAYMENTS_STRIPE_API_BASE",
        "PAYMENTS_STRIPE_ALLOW_LIVE_KEYS",
    ):
        monkeypatch.delenv(name, raising=False)


def error_of(**values: object) -> str:
    with pytest.raises(ConfigurationError) as info:
        load_settings(_env_file=None, **values)
    text = str(info.value)
    assert "\n" not in text
    return text


def test_the_simulator_needs_no_stripe_settings_and_is_never_livemode() -> None:
    settings = load_settings(_env_file=None)
    assert settings.gateway == "simulator" and not settings.livemode
    assert (settings.stripe_max_network_retries, settings.stripe_timeout_seconds) == (2, 30.0)


def test_stripe_with_a_test_key_is_test_mode_and_the_key_stays_secret() -> None:
    settings = load_settings(_env_file=None, gateway="stripe", stripe_secret_key=TEST_KEY)
    assert not settings.livemode
    assert TEST_KEY not in repr(settings)
    assert settings.stripe_secret_key is not None
    assert settings.stripe_secret_key.get_secret_value() == TEST_KEY


@pytest.mark.parametrize(
    ("values", "variable", "words"),
    [
        ({"gateway": "stripe"}, "PAYMENTS_STRIPE_SECRET_KEY", "required"),
        (
            {"gateway": "stripe", "stripe_secret_key": "pk_test_51Hx00000000000000"},
            "PAYMENTS_STRIPE_SECRET_KEY",
            "secret key",
        ),
        (
            {"gateway": "stripe", "stripe_secret_key": LIVE_KEY},
            "PAYMENTS_STRIPE_SECRET_KEY",
            "live key is refused in the development environment",
        ),
        (
            {"gateway": "stripe", "stripe_secret_key": LIVE_KEY, "environment": "test"},
            "PAYMENTS_STRIPE_SECRET_KEY",
            "PAYMENTS_STRIPE_ALLOW_LIVE_KEYS",
        ),
        (
            {
                "gateway": "stripe",
                "stripe_secret_key": TEST_KEY,
                "stripe_publishable_key": "pk_live_51Hx0000",
            },
            "PAYMENTS_STRIPE_PUBLISHABLE_KEY",
            "same mode",
        ),
        (
            {"gateway": "stripe", "stripe_secret_key": TEST_KEY, "stripe_webhook_secret": "abc"},
            "PAYMENTS_STRIPE_WEBHOOK_SECRET",
            "whsec_",
        ),
        (
            {"gateway": "stripe", "stripe_secret_key": LIVE_KEY, "environment": "production"},
            "PAYMENTS_STRIPE_WEBHOOK_SECRET",
            "required in production",
        ),
        ({"stripe_api_version": "latest"}, "PAYMENTS_STRIPE_API_VERSION", "2026-10-28"),
        ({"stripe_api_base": "ftp://x"}, "PAYMENTS_STRIPE_API_BASE", "http"),
        (
            {"stripe_api_base": "http://127.0.0.1:12111", "environment": "production"},
            "PAYMENTS_STRIPE_API_BASE",
            "https",
        ),
        ({"stripe_max_network_retries": -1}, "PAYMENTS_STRIPE_MAX_NETWORK_RETRIES", ""),
        ({"stripe_timeout_seconds": 0}, "PAYMENTS_STRIPE_TIMEOUT_SECONDS", ""),
    ],
)
def test_bad_stripe_settings_are_one_line_naming_the_variable(
    values: dict[str, object], variable: str, words: str
) -> None:
    text = error_of(**values)
    assert text.startswith(f"configuration error: {variable}:"), text
    assert words in text
    assert LIVE_KEY not in text and TEST_KEY not in text


def test_a_live_key_outside_production_needs_the_explicit_switch() -> None:
    settings = load_settings(
        _env_file=None,
        gateway="stripe",
        environment="test",
        stripe_secret_key=LIVE_KEY,
        stripe_allow_live_keys=True,
    )
    assert settings.livemode


def test_production_with_a_live_key_and_webhook_secret_is_livemode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAYMENTS_GATEWAY", "stripe")
    monkeypatch.setenv("PAYMENTS_ENVIRONMENT", "production")
    monkeypatch.setenv("PAYMENTS_STRIPE_SECRET_KEY", "rk_live_51Hx000000000000000")
    monkeypatch.setenv("PAYMENTS_STRIPE_WEBHOOK_SECRET", "whsec_abc")
    monkeypatch.setenv("PAYMENTS_STRIPE_PUBLISHABLE_KEY", "pk_live_51Hx0000")
    monkeypatch.setenv("PAYMENTS_STRIPE_API_VERSION", "2026-10-28.endive")
    settings = load_settings(_env_file=None)
    assert settings.livemode and settings.stripe_api_version == "2026-10-28.endive"


async def test_the_stripe_gateway_is_built_from_settings() -> None:
    settings = load_settings(
        _env_file=None,
        gateway="stripe",
        stripe_secret_key=TEST_KEY,
        stripe_api_version="2025-03-31.basil",
        stripe_api_base="http://127.0.0.1:9",
        stripe_max_network_retries=0,
    )
    gateway = build_stripe_gateway(settings)
    try:
        assert (gateway.name, gateway.api_version, gateway.livemode) == (
            "stripe",
            "2025-03-31.basil",
            False,
        )
        assert gateway.config.max_network_retries == 0
        assert TEST_KEY not in repr(gateway.config)
    finally:
        await gateway.aclose()
