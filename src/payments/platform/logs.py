"""Structured JSON logs (structlog), one object per line, with secrets scrubbed.

Every string value passes through :func:`scrub` before it is written: card
numbers become ``[PAN ****4242]``, API keys and webhook secrets become
``sk_test_[REDACTED]``, and values under sensitive keys are dropped.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from typing import Any

import structlog
from structlog.typing import EventDict, WrappedLogger

from payments.kernel.pan import redact_pans

_SECRET = re.compile(r"\b((?:sk|rk|whsec|pk)_(?:test_|live_)?)[A-Za-z0-9]{6,}")
_SENSITIVE_KEYS = {"authorization", "secret", "password", "api_key", "card_number", "number", "cvc"}


def scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact_pans(_SECRET.sub(r"\1[REDACTED]", value))
    if isinstance(value, Mapping):
        return {
            k: "[REDACTED]" if str(k).lower() in _SENSITIVE_KEYS else scrub(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def _scrub_processor(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    scrubbed: EventDict = scrub(event_dict)
    return scrubbed


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Route structlog and the standard library (uvicorn, alembic) through one JSON renderer."""
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,  # below the level: dropped before any work
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            _scrub_processor,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)  # we log requests ourselves
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
