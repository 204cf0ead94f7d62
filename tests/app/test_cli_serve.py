"""``payments serve --host/--port``: the app it serves knows the address it is served at."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner

from payments.app.cli import main
from payments.platform.config import load_settings


def test_serve_options_reach_the_settings_of_the_app_it_serves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("PAYMENTS_HOST", "PAYMENTS_PORT", "PAYMENTS_SIMULATOR_ACTION_URL_BASE"):
        monkeypatch.setenv(name, "")  # so that what serve sets is undone afterwards
        monkeypatch.delenv(name)
    seen: dict[str, Any] = {}

    def run(app: str, **options: Any) -> None:  # uvicorn imports the app's module here
        seen["options"] = options
        seen["settings"] = load_settings(_env_file=None)

    monkeypatch.setattr(uvicorn, "run", run)
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "9321"])
    assert result.exit_code == 0, result.output
    assert (seen["options"]["host"], seen["options"]["port"]) == ("0.0.0.0", 9321)
    settings = seen["settings"]
    assert (settings.host, settings.port) == ("0.0.0.0", 9321)
    assert settings.resolved_simulator_action_url_base == "http://127.0.0.1:9321/simulator/3ds"


def test_serve_prints_where_the_embedded_database_lives(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.delenv("PAYMENTS_DATABASE_URL", raising=False)
    monkeypatch.setenv("PAYMENTS_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: None)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 0, result.output
    assert f"Data directory: {tmp_path} (database {tmp_path}/payments.sqlite3" in result.output
