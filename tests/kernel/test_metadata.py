"""Stripe's metadata rules: at most 50 keys, keys of 1-40 characters without brackets,
values of at most 500 characters; an update merges, and ``""`` removes a key."""

from __future__ import annotations

import pytest

from payments.kernel.errors import InvalidRequest
from payments.kernel.metadata import (
    MAX_KEY_LENGTH,
    MAX_KEYS,
    MAX_VALUE_LENGTH,
    merge_metadata,
    validate_metadata,
)


def _keys(n: int) -> dict[str, str]:
    return {f"k{i}": "v" for i in range(n)}


def test_the_limits_are_stripes() -> None:
    assert (MAX_KEYS, MAX_KEY_LENGTH, MAX_VALUE_LENGTH) == (50, 40, 500)


def test_metadata_at_every_limit_is_accepted_unchanged() -> None:
    at_limits = _keys(MAX_KEYS - 1) | {"k" * MAX_KEY_LENGTH: "v" * MAX_VALUE_LENGTH}
    assert validate_metadata(at_limits) == at_limits
    assert validate_metadata({}) == {}


def test_one_key_too_many_is_refused_naming_metadata() -> None:
    with pytest.raises(InvalidRequest) as refused:
        validate_metadata(_keys(MAX_KEYS + 1))
    assert refused.value.param == "metadata"
    assert refused.value.code == "parameter_invalid"
    assert "50" in refused.value.message


@pytest.mark.parametrize("key", ["", "k" * (MAX_KEY_LENGTH + 1), "a[b", "a]b", "[0]"])
def test_empty_long_or_bracketed_keys_are_refused(key: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        validate_metadata({"fine": "v", key: "v"})
    assert refused.value.param == f"metadata[{key[:MAX_KEY_LENGTH]}]"


def test_a_value_one_character_too_long_is_refused_naming_its_key() -> None:
    with pytest.raises(InvalidRequest) as refused:
        validate_metadata({"order": "x" * (MAX_VALUE_LENGTH + 1)})
    assert refused.value.param == "metadata[order]"


def test_an_update_adds_and_replaces_keys_and_keeps_the_others() -> None:
    merged = merge_metadata({"a": "1", "b": "2"}, {"b": "20", "c": "3"})
    assert merged == {"a": "1", "b": "20", "c": "3"}


def test_an_empty_string_removes_a_key_and_an_unknown_one_is_ignored() -> None:
    assert merge_metadata({"a": "1", "b": "2"}, {"a": "", "zzz": ""}) == {"b": "2"}


def test_merging_leaves_the_current_metadata_untouched() -> None:
    current = {"a": "1"}
    merge_metadata(current, {"a": "", "b": "2"})
    assert current == {"a": "1"}


def test_the_merged_result_is_held_to_the_key_limit() -> None:
    full = _keys(MAX_KEYS)
    with pytest.raises(InvalidRequest):
        merge_metadata(full, {"one_more": "v"})
    assert merge_metadata(full, {"k0": "", "one_more": "v"})["one_more"] == "v"
    assert len(merge_metadata(full, {"k0": "changed"})) == MAX_KEYS


def test_an_update_is_validated_like_new_metadata() -> None:
    with pytest.raises(InvalidRequest) as refused:
        merge_metadata({"a": "1"}, {"a": "x" * (MAX_VALUE_LENGTH + 1)})
    assert refused.value.param == "metadata[a]"
