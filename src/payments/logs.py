"""Structured JSON logs (structlog), one object per line, with secrets scrubbed.

Every string value passes through :func:`scrub` before it is written: card
numbers become ``[PAN ****4242]``, API keys and webhook secrets become
``sk_test_[REDACTED]``, and values under sensitive keys are dropped.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import structlog

from payments.domain.pan import redact_pans

_SECRET = re.compile(r"\b((?:sk|rk|whsec|pk)_(?:test_|live_)?)[A-Za-z0-9]{6,}")
_SENSITIVE_KEYS = {"authorization", "secret", "password", "api_key", "card_number", "number", "cvc"}


def scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact_pans(_SECRET.sub(r"\1[REDACTED]", value))
    if isinstance(value, dict):
        return {
            k: "[REDACTED]" if str(k).lower() in _SENSITIVE_KEYS else scrub(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def _scrub_processor(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    return scrub(event_dict)  # type: ignore[no-any-return]


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            _scrub_processor,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level]),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stdout),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=level, stream=sys.stdout, format="%(message)s")
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
