"""The key-encryption key port and its errors.

Errors::

    KeyError_ (builtin)  -- never raised here
    EncryptionKeyError         the KEK cannot be used: missing, unreadable, wrong
      DecryptionError          a ciphertext does not open with the keys we hold
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class EncryptionKeyError(Exception):
    """The key-encryption key is missing, unreadable or not the one the data needs."""


class DecryptionError(EncryptionKeyError):
    """A stored ciphertext does not open with the keys this process holds."""


@dataclass(frozen=True, slots=True)
class DataKey:
    """A fresh data key: its plaintext (kept in memory only) and its wrapped form."""

    plaintext: bytes
    kek_id: str  # which key-encryption key (version) wrapped it
    wrapped: bytes


class KeyManager(Protocol):
    """Holds the key-encryption key(s); never hands them out."""

    def generate_data_key(self) -> DataKey:
        """A new 256-bit data key, wrapped by the current key-encryption key."""
        ...

    def unwrap(self, kek_id: str, wrapped: bytes) -> bytes:
        """The plaintext of a data key wrapped by ``kek_id`` (any version still held)."""
        ...

    def wrap(self, plaintext: bytes) -> tuple[str, bytes]:
        """Wrap an existing data key with the current key-encryption key."""
        ...

    def current_kek_id(self) -> str: ...

    def blind_index_key(self) -> bytes:
        """The HMAC key of blind indexes: separate from every data key, never rotated
        (rotating it would need every index recomputed)."""
        ...

    def check(self) -> None:
        """Raise :class:`EncryptionKeyError` (one clear line) unless the keys are usable."""
        ...
