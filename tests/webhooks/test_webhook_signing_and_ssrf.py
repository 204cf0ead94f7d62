"""Signatures verify with the official Standard Webhooks library; the SSRF guard refuses
private addresses before any connection is made (nothing is ever sent to them)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook

from payments.webhooks.adapters.signing import new_secret, sign, webhook_headers
from payments.webhooks.adapters.ssrf import AddressRefused, GuardedBackend


def test_signatures_verify_with_the_standardwebhooks_package() -> None:
    secret = new_secret()
    now = int(datetime.now(UTC).timestamp())
    body = b'{"id": "evt_1", "object": "event", "note": "caf\xc3\xa9"}'
    headers = webhook_headers([secret], "evt_1", now, body)
    assert Webhook(secret).verify(body, headers)["id"] == "evt_1"
    assert headers["webhook-signature"] == Webhook(secret).sign(
        "evt_1", datetime.fromtimestamp(now, UTC), body.decode()
    )


def test_every_current_secret_signs_and_any_one_verifies() -> None:
    old, new = new_secret(), new_secret()
    now = int(datetime.now(UTC).timestamp())
    headers = webhook_headers([new, old], "evt_2", now, b"{}")
    assert headers["webhook-signature"].split(" ") == [
        sign(new, "evt_2", now, b"{}"),
        sign(old, "evt_2", now, b"{}"),
    ]
    for secret in (old, new):
        Webhook(secret).verify(b"{}", headers)


def test_secrets_are_random_and_standard() -> None:
    secrets = {new_secret() for _ in range(100)}
    assert len(secrets) == 100
    assert all(s.startswith("whsec_") and len(s) == len("whsec_") + 44 for s in secrets)


def _resolving_to(*addresses: str):  # a fixed resolver: no DNS, and no connection is made
    async def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


@pytest.mark.parametrize(
    "addresses",
    [("10.0.0.5",), ("169.254.169.254",), ("93.184.216.34", "192.168.0.10"), ("::1",), ()],
)
async def test_a_host_resolving_to_any_private_address_is_refused(addresses: tuple[str]) -> None:
    guard = GuardedBackend(frozenset(), _resolving_to(*addresses))
    with pytest.raises(AddressRefused):
        await guard.vet("hooks.example.com", 443)


async def test_public_and_allow_listed_hosts_pass_with_the_address_that_was_checked() -> None:
    public = GuardedBackend(frozenset(), _resolving_to("93.184.216.34"))
    assert await public.vet("hooks.example.com", 443) == "93.184.216.34"
    allowed = GuardedBackend(frozenset({"dev.internal"}), _resolving_to("10.0.0.5"))
    assert await allowed.vet("dev.internal", 80) == "10.0.0.5"
    literal = GuardedBackend(frozenset({"127.0.0.1"}))
    assert await literal.vet("127.0.0.1", 80) == "127.0.0.1"
    with pytest.raises(AddressRefused):
        await GuardedBackend(frozenset()).vet("[::1]", 80)
