"""ASGI entry point for uvicorn/gunicorn: ``uvicorn payments.asgi:app``.

Settings come from the environment; each server process builds its own app.
"""

from __future__ import annotations

from payments.app.http import create_app
from payments.platform.config import load_settings
from payments.platform.logs import configure_logging

_settings = load_settings()
configure_logging(_settings.log_level, _settings.log_format)
app = create_app(_settings)
