"""JSON encoding of the gateway result dataclasses.

The simulator stores results as JSON (idempotent responses, replayed verbatim,
and event snapshots), and the service queues gateway events the same way.
Decoding follows the dataclasses' type hints, so adding a field to a result
needs no change here.
"""

from __future__ import annotations

import hashlib
import json
import types
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from datetime import datetime
from functools import cache
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")


def encode(value: Any) -> Any:
    """A JSON-compatible structure for a result dataclass (recursively)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def decode(cls: type[T], data: Mapping[str, Any]) -> T:
    """Rebuild a result dataclass from :func:`encode`'s output."""
    klass: type = cls  # mypy does not see type[T] of a free T as Hashable, as @cache needs
    hints = _hints(klass)
    return cls(**{name: _decode(hints[name], raw) for name, raw in data.items() if name in hints})


def _decode(tp: Any, raw: Any) -> Any:
    if raw is None:
        return None
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        candidates = [arg for arg in get_args(tp) if arg is not type(None)]
        return _decode(candidates[0], raw)
    if tp is datetime:
        return datetime.fromisoformat(raw)
    if isinstance(tp, type) and is_dataclass(tp):
        return decode(tp, raw)
    if origin is tuple:
        (item, _ellipsis) = get_args(tp)
        return tuple(_decode(item, v) for v in raw)
    if origin is Literal or tp in (str, int, bool):
        return raw
    if origin is not None and issubclass(origin, Mapping):
        return dict(raw)
    return raw


def request_hash(operation: str, params: Mapping[str, Any]) -> str:
    """Fingerprint of a request, to tell a replay from a reused key."""
    canonical = json.dumps(
        {"operation": operation, "params": encode(params)},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
