"""Log lines are scrubbed before they are written: card numbers, API keys, secrets."""

from __future__ import annotations

from payments.platform.logs import scrub


def test_log_scrubbing_removes_pans_keys_and_sensitive_fields() -> None:
    event = {
        "event": "x",
        "body": '{"number": "4242424242424242"}',
        "header": "Bearer sk_test_AbCdEf1234567890",
        "nested": [{"authorization": "Bearer whatever"}, {"secret": "whsec_abcdefgh"}],
    }
    cleaned = scrub(event)
    text = str(cleaned)
    assert "4242424242424242" not in text
    assert "AbCdEf1234567890" not in text
    assert "whatever" not in text and "whsec_abcdefgh" not in text
    assert "[PAN ****4242]" in text


def test_scrubbing_reaches_into_any_mapping_not_only_dicts() -> None:
    from types import MappingProxyType

    cleaned = scrub({"request": MappingProxyType({"password": "hunter2", "note": "ok"})})
    assert cleaned == {"request": {"password": "[REDACTED]", "note": "ok"}}
