"""Prefixed, sortable identifiers (``cus_01JD…``), like Stripe's.

An id is ``<prefix>_`` followed by 26 Crockford base32 characters: 48 bits of
milliseconds since the epoch, then 80 bits that are random for the first id
of a millisecond and incremented after it (monotonic within a process), so
ids sort by creation time and cursor pagination can page by id.
"""

from __future__ import annotations

import secrets
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

PREFIXES = {
    "api_key": "key",
    "location": "loc",
    "customer": "cus",
    "tax_id": "txi",
    "payment_intent": "pi",
    "charge": "ch",
    "payment_method": "pm",
    "setup_intent": "seti",
    "refund": "re",
    "dispute": "dp",
    "invoice": "in",
    "invoice_line": "il",
    "credit_note": "cn",
    "credit_note_line": "cnli",
    "invoice_payment": "inpay",
    "invoice_share": "ishr",
    "installment": "inst",
    "legal_entity": "le",
    "subscription": "sub",
    "part": "part",
    "subscription_item": "si",
    "payment_method_link": "pmlink",
    "product": "prod",
    "price": "price",
    "test_clock": "clock",
    "event": "evt",
    "webhook_endpoint": "we",
    "webhook_delivery": "whd",
    "ledger_transaction": "ltx",
    "attempt": "att",
    "request": "req",
    "audit": "aud",
    "terminal_reader": "tmr",
    "reader_action": "tmra",
    "report_run": "frr",
    "reconciliation": "recon",
    "reconciliation_run": "rcrun",
    "staff_user": "usr",
    "file": "file",
    "erasure": "ers",
}

_lock = threading.Lock()
_last_ms = 0
_last_rand = 0


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, rem = divmod(value, 32)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


def client_secret(object_id: str) -> str:
    """A secret beside an object's id, Stripe's shape: ``pi_..._secret_<24 random>``."""
    return f"{object_id}_secret_{''.join(secrets.choice(_ALPHABET) for _ in range(24))}"


def new_id(prefix: str) -> str:
    global _last_ms, _last_rand
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms <= _last_ms:
            now_ms = _last_ms
            _last_rand += 1
        else:
            _last_ms = now_ms
            _last_rand = secrets.randbits(79)  # headroom so increments never overflow
        rand = _last_rand
    return f"{prefix}_{_encode(now_ms, 10)}{_encode(rand, 16)}"


def id_for(object_name: str) -> str:
    return new_id(PREFIXES[object_name])


def looks_like(prefix: str, value: str) -> bool:
    head, _, tail = value.partition("_")
    return head == prefix and len(tail) == 26 and all(c in _ALPHABET for c in tail)
