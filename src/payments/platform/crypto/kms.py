"""AWS KMS as the key manager: data keys from ``GenerateDataKey``, unwrapped by ``Decrypt``.

The key-encryption key never leaves KMS. A data key's id in a ciphertext is ``kms-`` and
the first hex digits of the SHA-256 of the KMS key's ARN, so ``payments keys rotate``
knows which values were wrapped by an older key (after ``PAYMENTS_KMS_KEY_ID`` changed);
``Decrypt`` opens blobs of any key the role may use, so old values stay readable.
KMS's own yearly rotation of a key's material needs nothing from us.

The blind-index key is a data key generated once (``payments keys create-index-key``)
and kept, wrapped, in the setting ``PAYMENTS_KMS_BLIND_INDEX_KEY``: useless without KMS.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
from typing import Any

from payments.platform.crypto.keys import DataKey, EncryptionKeyError


def kek_id_of(key_arn: str) -> str:
    return "kms-" + hashlib.sha256(key_arn.encode()).hexdigest()[:12]


class KmsKeyManager:
    def __init__(self, *, client: Any, key_id: str, blind_index_blob: str | None) -> None:
        self._client = client
        self._key_id = key_id
        self._blind_index_blob = blind_index_blob
        self._index_key: bytes | None = None
        self._current: str | None = None
        self._lock = threading.Lock()

    def _error(self, what: str, exc: Exception) -> EncryptionKeyError:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
        return EncryptionKeyError(f"PAYMENTS_KMS_KEY_ID: KMS {what} failed ({code})")

    def current_kek_id(self) -> str:
        if self._current is None:
            try:
                arn = self._client.describe_key(KeyId=self._key_id)["KeyMetadata"]["Arn"]
            except Exception as exc:
                raise self._error("DescribeKey", exc) from None
            self._current = kek_id_of(arn)
        return self._current

    def generate_data_key(self) -> DataKey:
        try:
            answer = self._client.generate_data_key(KeyId=self._key_id, KeySpec="AES_256")
        except Exception as exc:
            raise self._error("GenerateDataKey", exc) from None
        self._current = kek_id_of(answer["KeyId"])
        return DataKey(
            plaintext=answer["Plaintext"], kek_id=self._current, wrapped=answer["CiphertextBlob"]
        )

    def wrap(self, plaintext: bytes) -> tuple[str, bytes]:
        try:
            answer = self._client.encrypt(KeyId=self._key_id, Plaintext=plaintext)
        except Exception as exc:
            raise self._error("Encrypt", exc) from None
        self._current = kek_id_of(answer["KeyId"])
        return self._current, answer["CiphertextBlob"]

    def unwrap(self, kek_id: str, wrapped: bytes) -> bytes:
        try:
            answer = self._client.decrypt(CiphertextBlob=wrapped)
        except Exception as exc:
            raise self._error("Decrypt", exc) from None
        plaintext: bytes = answer["Plaintext"]
        return plaintext

    def blind_index_key(self) -> bytes:
        with self._lock:
            if self._index_key is None:
                if not self._blind_index_blob:
                    raise EncryptionKeyError(
                        "PAYMENTS_KMS_BLIND_INDEX_KEY: is required with PAYMENTS_KEY_MANAGER=kms "
                        "(create one with `payments keys create-index-key`)"
                    )
                try:
                    blob = base64.b64decode(self._blind_index_blob, validate=True)
                except (binascii.Error, ValueError):
                    raise EncryptionKeyError(
                        "PAYMENTS_KMS_BLIND_INDEX_KEY: is not base64"
                    ) from None
                self._index_key = self.unwrap("", blob)
            return self._index_key

    def create_index_key_blob(self) -> str:
        """A new wrapped blind-index key for ``PAYMENTS_KMS_BLIND_INDEX_KEY``."""
        return base64.b64encode(self.generate_data_key().wrapped).decode()

    def check(self) -> None:
        self.current_kek_id()
        self.blind_index_key()
