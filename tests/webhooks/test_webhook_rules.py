"""Pure webhook rules: subscriptions, URLs and addresses, the retry schedule."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.events.domain import EVENT_TYPES
from payments.kernel.errors import InvalidRequest
from payments.webhooks.domain.delivery import (
    RETRY_DELAYS,
    RETRY_WINDOW,
    AttemptOutcome,
    DeliveryStatus,
    after_attempt,
    next_attempt_after_failure,
    retry_delay,
    should_disable,
)
from payments.webhooks.domain.endpoint import (
    EndpointStatus,
    WebhookEndpoint,
    forbidden_reason,
    subscribes,
    validate_enabled_events,
    validate_endpoint_url,
)

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("patterns", "event_type", "expected"),
    [
        (["*"], "customer.created", True),
        (["customer.*"], "customer.updated", True),
        (["customer.*"], "location.created", False),
        (["customer.created"], "customer.created", True),
        (["customer.created"], "customer.updated", False),
        (["payment_intent.*"], "payment_intent.amount_capturable_updated", True),
        (["payment.*"], "payment_intent.created", False),
    ],
)
def test_subscriptions_match_exact_types_stars_and_resource_wildcards(
    patterns: list[str], event_type: str, expected: bool
) -> None:
    assert subscribes(patterns, event_type) is expected


def test_enabled_events_must_be_registered_types_or_wildcards() -> None:
    assert validate_enabled_events(["*", "customer.*", "customer.created", "customer.*"]) == [
        "*",
        "customer.*",
        "customer.created",
    ]
    for bad, index in (
        (["customer.created", "customer.exploded"], 1),
        (["bogus.*"], 0),
        (["customer"], 0),
        ([".*"], 0),
        (["customer.**"], 0),
    ):
        with pytest.raises(InvalidRequest) as info:
            validate_enabled_events(bad)
        assert info.value.param == f"enabled_events[{index}]"
    with pytest.raises(InvalidRequest):
        validate_enabled_events([])


def test_every_registered_type_can_be_subscribed_to() -> None:
    assert validate_enabled_events(list(EVENT_TYPES)) == list(EVENT_TYPES)


def test_an_endpoint_receives_only_newer_events_of_its_shop_and_mode() -> None:
    ep = WebhookEndpoint(
        id="we_1", url="https://x.example", enabled_events=["*"], created=T0, location_id="loc_a"
    )
    common = {"livemode": False, "created": T0}
    assert ep.receives("customer.created", location_id="loc_a", **common)
    assert not ep.receives("customer.created", location_id="loc_b", **common)
    assert not ep.receives("customer.created", location_id=None, **common)
    assert not ep.receives("customer.created", location_id="loc_a", livemode=True, created=T0)
    assert not ep.receives(
        "customer.created", location_id="loc_a", livemode=False, created=T0 - timedelta(seconds=1)
    )
    paused = WebhookEndpoint(
        id="we_2",
        url="https://x.example",
        enabled_events=["*"],
        created=T0,
        status=EndpointStatus.disabled,
    )
    assert not paused.receives("customer.created", location_id=None, **common)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not globally routable"),
        ("fc00::1", "private"),
        ("::ffff:10.0.0.1", "private"),
        ("192.0.2.1", "private"),
    ],
)
def test_non_public_addresses_are_refused_with_a_reason(address: str, reason: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) == f"a {reason} address"


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) is None


def test_urls_are_https_to_public_hosts_unless_allow_listed() -> None:
    allow = frozenset({"127.0.0.1", "localhost"})
    assert validate_endpoint_url("https://hooks.example.com/x", allowed_hosts=frozenset())
    assert validate_endpoint_url("http://127.0.0.1:8080/x", allowed_hosts=allow)
    assert validate_endpoint_url("http://localhost/x", allowed_hosts=allow)
    for bad in (
        "http://hooks.example.com",
        "https://127.0.0.1/x",
        "https://[fe80::1]/",
        "https:///nohost",
        "mailto:a@b.c",
        "https://x.example:99999/",
        "x" * 3000,
    ):
        with pytest.raises(InvalidRequest) as info:
            validate_endpoint_url(bad, allowed_hosts=frozenset({"localhost"}))
        assert (info.value.param, info.value.code) == ("url", "url_invalid")


def test_the_retry_schedule_backs_off_like_stripes() -> None:
    assert [retry_delay(n, 0.0) for n in range(1, 9)] == [
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=5),
        timedelta(hours=10),
        timedelta(hours=10),
        timedelta(hours=10),
        timedelta(hours=10),
    ]
    assert retry_delay(1, 0.999) < timedelta(minutes=5.5)


@given(st.lists(st.floats(min_value=0, max_value=0.999), min_size=20, max_size=20))
def test_retries_never_go_beyond_three_days_and_always_end(jitters: list[float]) -> None:
    now, attempts = T0, 0
    failed = AttemptOutcome(latency_ms=1, status_code=500, error_code="http_status")
    for rand in jitters:
        state = after_attempt(
            created=T0, attempts_before=attempts, outcome=failed, now=now, rand=rand
        )
        attempts = state.attempts
        if state.status is DeliveryStatus.failed:
            break
        assert state.next_attempt_at is not None
        assert state.next_attempt_at - T0 <= RETRY_WINDOW
        assert state.next_attempt_at.microsecond == 0
        now = state.next_attempt_at
    else:
        pytest.fail("retries did not end")
    assert 10 <= attempts <= 11
    assert now - T0 <= RETRY_WINDOW


def test_a_2xx_ends_the_delivery_and_other_statuses_are_failures() -> None:
    for status in (200, 201, 204, 299):
        assert AttemptOutcome.from_status(status, 5, "").succeeded
    for status in (100, 301, 400, 404, 410, 500, 503):
        assert not AttemptOutcome.from_status(status, 5, "").succeeded
    ok = AttemptOutcome.from_status(204, 5, "")
    done = after_attempt(created=T0, attempts_before=3, outcome=ok, now=T0, rand=0.5)
    assert (done.status, done.attempts, done.next_attempt_at) == (DeliveryStatus.succeeded, 4, None)


def test_a_retry_that_would_fall_after_three_days_is_not_scheduled() -> None:
    late = T0 + RETRY_WINDOW - RETRY_DELAYS[-1] + timedelta(seconds=1)
    assert next_attempt_after_failure(created=T0, failed_attempts=9, now=late, rand=0) is None


def test_an_endpoint_is_disabled_after_five_days_of_unbroken_failure() -> None:
    assert not should_disable(None, T0)
    assert not should_disable(T0, T0 + timedelta(days=4, hours=23))
    assert should_disable(T0, T0 + timedelta(days=5))
