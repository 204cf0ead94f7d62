"""The default key manager: key-encryption keys in a local key file.

The file (JSON, mode 0600) holds every KEK version ever made (``k1``, ``k2``, ...),
which one is current, and the blind-index key::

    {"format": "payments-keyring-1", "current": "k2",
     "keks": {"k1": "<base64>", "k2": "<base64>"}, "index_key": "<base64>"}

It is created on first start (atomically: a concurrent second process reads the first
one's file). ``rotate()`` adds a version and makes it current; old versions stay so
data keys they wrapped still open until ``payments keys rotate`` has re-wrapped them.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import threading
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from payments.platform.crypto.keys import DataKey, EncryptionKeyError

FORMAT = "payments-keyring-1"
_WRAP_AAD = b"payments-data-key"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode(), validate=True)


class LocalKeyFile:
    """KEKs from a key file; AES-256-GCM key wrapping (nonce || ciphertext || tag)."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        self._create = create
        self._lock = threading.Lock()
        self._keks: dict[str, bytes] = {}
        self._current = ""
        self._index_key = b""

    # ------------------------------------------------------------------ the file

    def exists(self) -> bool:
        return self.path.exists()

    def _ensure_loaded(self) -> None:
        if not self._keks:
            self.load()

    def load(self) -> None:
        with self._lock:
            if not self.path.exists():
                if not self._create:
                    raise EncryptionKeyError(f"PAYMENTS_KEY_FILE: {self.path} does not exist")
                self._write_new()
            try:
                data: dict[str, Any] = json.loads(self.path.read_text())
                if data.get("format") != FORMAT:
                    raise ValueError("not a payments key file")
                keks = {k: _unb64(v) for k, v in data["keks"].items()}
                current = str(data["current"])
                index_key = _unb64(data["index_key"])
                if current not in keks or any(len(k) != 32 for k in keks.values()):
                    raise ValueError("bad key lengths or current version")
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise EncryptionKeyError(
                    f"PAYMENTS_KEY_FILE: {self.path} is not a readable key file ({exc})"
                ) from None
            self._keks, self._current, self._index_key = keks, current, index_key

    def _write_new(self) -> None:
        data = {
            "format": FORMAT,
            "current": "k1",
            "keks": {"k1": _b64(AESGCM.generate_key(bit_length=256))},
            "index_key": _b64(secrets.token_bytes(32)),
        }
        self._write(data, replace=False)

    def _write(self, data: dict[str, Any], *, replace: bool) -> None:
        """Write with mode 0600 through a temporary file; ``replace=False`` never
        overwrites a file another process made first."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(data, f, indent=1)
                f.flush()
                os.fsync(f.fileno())
            if replace:
                os.replace(tmp, self.path)
            else:
                with contextlib.suppress(FileExistsError):  # another process won: use its file
                    os.link(tmp, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def rotate(self) -> str:
        """Add a new KEK version and make it current; returns its id."""
        self.load()
        with self._lock:
            number = max(int(k.removeprefix("k")) for k in self._keks) + 1
            new_id = f"k{number}"
            keks = {**self._keks, new_id: AESGCM.generate_key(bit_length=256)}
            data = {
                "format": FORMAT,
                "current": new_id,
                "keks": {k: _b64(v) for k, v in keks.items()},
                "index_key": _b64(self._index_key),
            }
            self._write(data, replace=True)
            self._keks, self._current = keks, new_id
        return new_id

    # ------------------------------------------------------------------ KeyManager

    def current_kek_id(self) -> str:
        self._ensure_loaded()
        return self._current

    def generate_data_key(self) -> DataKey:
        plaintext = AESGCM.generate_key(bit_length=256)
        kek_id, wrapped = self.wrap(plaintext)
        return DataKey(plaintext=plaintext, kek_id=kek_id, wrapped=wrapped)

    def wrap(self, plaintext: bytes) -> tuple[str, bytes]:
        self._ensure_loaded()
        nonce = secrets.token_bytes(12)
        kek = self._keks[self._current]
        return self._current, nonce + AESGCM(kek).encrypt(nonce, plaintext, _WRAP_AAD)

    def unwrap(self, kek_id: str, wrapped: bytes) -> bytes:
        self._ensure_loaded()
        if kek_id not in self._keks:
            self.load()  # rotated by another process since we read the file
        kek = self._keks.get(kek_id)
        if kek is None:
            raise EncryptionKeyError(
                f"PAYMENTS_KEY_FILE: {self.path} has no key-encryption key {kek_id!r}"
            )
        try:
            return AESGCM(kek).decrypt(wrapped[:12], wrapped[12:], _WRAP_AAD)
        except InvalidTag:
            raise EncryptionKeyError(
                f"PAYMENTS_KEY_FILE: {self.path}: key {kek_id!r} does not open this data key "
                "(wrong key file?)"
            ) from None

    def blind_index_key(self) -> bytes:
        self._ensure_loaded()
        return self._index_key

    def check(self) -> None:
        self.load()
        mode = self.path.stat().st_mode & 0o777
        if mode & 0o077:
            raise EncryptionKeyError(
                f"PAYMENTS_KEY_FILE: {self.path} is readable by others (mode {mode:o}); "
                "chmod 600 it"
            )
