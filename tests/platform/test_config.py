from __future__ import annotations

from pathlib import Path

import pytest

from payments.platform.config import ConfigurationError, default_data_dir, load_settings


def test_defaults_are_the_embedded_sqlite_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PAYMENTS_DATABASE_URL", "PAYMENTS_PORT", "PAYMENTS_GATEWAY"):
        monkeypatch.delenv(name, raising=False)
    s = load_settings(_env_file=None)
    assert s.is_sqlite and s.run_embedded_worker and s.seed_samples
    assert s.gateway == "simulator"
    assert s.resolved_simulator_database_url.endswith("payments.simulator.sqlite3")


def test_a_plain_postgres_url_gets_the_async_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYMENTS_DATABASE_URL", "postgresql://postgres@127.0.0.1/payments")
    s = load_settings(_env_file=None)
    assert s.database_url == "postgresql+asyncpg://postgres@127.0.0.1/payments"
    assert not s.run_embedded_worker


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PAYMENTS_PORT", "eighty", "PAYMENTS_PORT"),
        ("PAYMENTS_PORT", "70000", "PAYMENTS_PORT"),
        ("PAYMENTS_GATEWAY", "paypal", "PAYMENTS_GATEWAY"),
        ("PAYMENTS_DATABASE_URL", "mysql://x", "PAYMENTS_DATABASE_URL"),
        ("PAYMENTS_LOG_LEVEL", "LOUD", "PAYMENTS_LOG_LEVEL"),
    ],
)
def test_bad_configuration_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as info:
        load_settings(_env_file=None)
    text = str(info.value)
    assert text.startswith(f"configuration error: {message}:")
    assert "\n" not in text


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8000, "http://127.0.0.1:8000/simulator/3ds"),
        ("0.0.0.0", 9000, "http://127.0.0.1:9000/simulator/3ds"),
        ("::", 9000, "http://[::1]:9000/simulator/3ds"),
        ("fd00::5", 9000, "http://[fd00::5]:9000/simulator/3ds"),
        ("payments.internal", 80, "http://payments.internal:80/simulator/3ds"),
    ],
)
def test_the_3ds_page_defaults_to_the_address_the_server_listens_on(
    monkeypatch: pytest.MonkeyPatch, host: str, port: int, url: str
) -> None:
    monkeypatch.delenv("PAYMENTS_SIMULATOR_ACTION_URL_BASE", raising=False)
    s = load_settings(_env_file=None, host=host, port=port)
    assert s.resolved_simulator_action_url_base == url
    explicit = load_settings(_env_file=None, port=port, simulator_action_url_base="https://x/3ds")
    assert explicit.resolved_simulator_action_url_base == "https://x/3ds"


def test_the_embedded_database_lives_in_the_users_data_directory_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PAYMENTS_DATABASE_URL", raising=False)
    monkeypatch.delenv("PAYMENTS_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    settings = load_settings(_env_file=None)
    expected = default_data_dir().resolve() / "payments.sqlite3"
    assert settings.database_url == f"sqlite+aiosqlite:///{expected}"
    assert expected.is_absolute()


def test_payments_data_dir_moves_the_embedded_database_and_the_simulators(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PAYMENTS_DATABASE_URL", raising=False)
    monkeypatch.setenv("PAYMENTS_DATA_DIR", str(tmp_path / "payments"))
    settings = load_settings(_env_file=None)
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path}/payments/payments.sqlite3"
    assert settings.resolved_simulator_database_url.endswith("/payments/payments.simulator.sqlite3")
