"""Envelope encryption of single values, and blind indexes.

A ciphertext is one ASCII string::

    pe1$<kek id>$<wrapped data key, base64url>$<nonce || AES-256-GCM ciphertext, base64url>

``pe1`` is the format version; the KEK id names the key-encryption key (version) that
wrapped the data key, so a rotated key still opens old values and ``payments keys
rotate`` can re-wrap them (the payload is untouched: only the wrapped data key changes).
A process makes one data key and uses it for many values; unwrapped data keys are cached
in memory, never written anywhere, never logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from payments.platform.crypto.keys import DataKey, DecryptionError, KeyManager

PREFIX = "pe1"
_AAD = PREFIX.encode()
_MAX_USES = 1 << 24  # values per data key (random 96-bit nonces: far below the 2**32 bound)
_CACHE = 4096


def _enc(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _dec(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def is_ciphertext(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX + "$")


def normalise_email(value: str) -> str:
    """What the e-mail blind index hashes: trimmed and case-folded."""
    return value.strip().casefold()


class Vault:
    """Encrypts and decrypts values with data keys wrapped by a :class:`KeyManager`."""

    def __init__(self, manager: KeyManager) -> None:
        self.manager = manager
        self._lock = threading.Lock()
        self._data_key: DataKey | None = None
        self._uses = 0
        self._unwrapped: dict[tuple[str, bytes], bytes] = {}
        self._index_keys: dict[str, bytes] = {}

    # ------------------------------------------------------------------ values

    def _current_data_key(self) -> DataKey:
        with self._lock:
            if self._data_key is None or self._uses >= _MAX_USES:
                self._data_key = self.manager.generate_data_key()
                self._uses = 0
            self._uses += 1
            return self._data_key

    def encrypt_bytes(self, plaintext: bytes) -> str:
        key = self._current_data_key()
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(key.plaintext).encrypt(nonce, plaintext, _AAD)
        return f"{PREFIX}${key.kek_id}${_enc(key.wrapped)}${_enc(nonce + sealed)}"

    def encrypt(self, plaintext: str) -> str:
        return self.encrypt_bytes(plaintext.encode())

    def _data_key_for(self, kek_id: str, wrapped: bytes) -> bytes:
        cached = self._unwrapped.get((kek_id, wrapped))
        if cached is not None:
            return cached
        plaintext = self.manager.unwrap(kek_id, wrapped)
        with self._lock:
            if len(self._unwrapped) >= _CACHE:
                self._unwrapped.clear()
            self._unwrapped[(kek_id, wrapped)] = plaintext
        return plaintext

    def decrypt_bytes(self, token: str) -> bytes:
        try:
            version, kek_id, wrapped_text, sealed_text = token.split("$")
            wrapped, sealed = _dec(wrapped_text), _dec(sealed_text)
        except ValueError:
            raise DecryptionError("not a ciphertext of this service") from None
        if version != PREFIX:
            raise DecryptionError(f"unknown ciphertext version {version!r}")
        key = self._data_key_for(kek_id, wrapped)
        try:
            return AESGCM(key).decrypt(sealed[:12], sealed[12:], _AAD)
        except InvalidTag:
            raise DecryptionError("a ciphertext failed its integrity check") from None

    def decrypt(self, token: str) -> str:
        return self.decrypt_bytes(token).decode()

    def rewrap(self, token: str) -> str | None:
        """The same value with its data key wrapped by the current KEK; None when it
        already is. The payload (nonce, ciphertext, tag) is not touched."""
        version, kek_id, wrapped_text, sealed_text = token.split("$")
        current = self.manager.current_kek_id()
        if kek_id == current:
            return None
        plaintext = self._data_key_for(kek_id, _dec(wrapped_text))
        new_kek, new_wrapped = self.manager.wrap(plaintext)
        return f"{version}${new_kek}${_enc(new_wrapped)}${sealed_text}"

    def forget_data_key(self) -> None:
        """Make the next value use a new data key (after a rotation)."""
        with self._lock:
            self._data_key = None

    # ------------------------------------------------------------------ blind index

    def blind_index(self, purpose: str, value: str) -> str:
        """HMAC-SHA256 of ``value`` under a key derived for ``purpose`` from the blind-index
        key (so an index of e-mails cannot be joined with one of phones)."""
        key = self._index_keys.get(purpose)
        if key is None:
            root = self.manager.blind_index_key()
            key = hmac.new(
                root, b"payments blind index: " + purpose.encode(), hashlib.sha256
            ).digest()
            self._index_keys[purpose] = key
        return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()

    def email_index(self, email: str | None) -> str | None:
        return None if email is None else self.blind_index("email", normalise_email(email))
