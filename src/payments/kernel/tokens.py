"""Bearer tokens of customer-facing links (pay links, update-your-payment-method links):
shown once, only their SHA-256 stored, as API keys are."""

from __future__ import annotations

import hashlib
import secrets

#: 32 random bytes, URL-safe (43 characters): far beyond guessing.
TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """What is stored and looked up: a fast hash suits a 256-bit random secret."""
    return hashlib.sha256(token.encode()).hexdigest()
