"""Stripe's metadata rules: up to 50 string keys, keys <= 40 chars, values <= 500 chars.

On update, keys merge into the existing metadata and a key set to ``""`` is removed.
"""

from __future__ import annotations

from payments.kernel.errors import InvalidRequest

MAX_KEYS = 50
MAX_KEY_LENGTH = 40
MAX_VALUE_LENGTH = 500


def validate_metadata(metadata: dict[str, str]) -> dict[str, str]:
    if len(metadata) > MAX_KEYS:
        raise InvalidRequest(f"metadata may have at most {MAX_KEYS} keys", param="metadata")
    for key, value in metadata.items():
        if not key or len(key) > MAX_KEY_LENGTH or "[" in key or "]" in key:
            raise InvalidRequest(
                f"metadata keys must be 1-{MAX_KEY_LENGTH} characters without brackets",
                param=f"metadata[{key[:MAX_KEY_LENGTH]}]",
            )
        if len(value) > MAX_VALUE_LENGTH:
            raise InvalidRequest(
                f"metadata values may be at most {MAX_VALUE_LENGTH} characters",
                param=f"metadata[{key}]",
            )
    return metadata


def update_metadata(current: dict[str, str], update: dict[str, str] | None) -> dict[str, str]:
    """An update's ``metadata``: None (JSON ``null``, or ``metadata=`` in a form) clears
    every key, as at Stripe; a map merges (see :func:`merge_metadata`)."""
    return {} if update is None else merge_metadata(current, update)


def merge_metadata(current: dict[str, str], update: dict[str, str]) -> dict[str, str]:
    merged = dict(current)
    for key, value in update.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return validate_metadata(merged)
