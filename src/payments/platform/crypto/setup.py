"""Build the key manager and the vault the settings ask for."""

from __future__ import annotations

from typing import Any

from payments.platform.config import KeyManagerName, Settings
from payments.platform.crypto.keys import KeyManager
from payments.platform.crypto.vault import Vault


def kms_client(*, region: str | None, endpoint_url: str | None) -> Any:
    import boto3

    return boto3.client("kms", region_name=region, endpoint_url=endpoint_url)


def build_key_manager(settings: Settings, *, kms: Any = None) -> KeyManager:
    """``kms``: a boto3 KMS client to use instead of one built from the settings (tests)."""
    if settings.key_manager == KeyManagerName.kms:
        from payments.platform.crypto.kms import KmsKeyManager

        blob = settings.kms_blind_index_key
        return KmsKeyManager(
            client=kms
            or kms_client(region=settings.kms_region, endpoint_url=settings.kms_endpoint_url),
            key_id=(settings.kms_key_id or "").strip(),
            blind_index_blob=blob.get_secret_value() if blob else None,
        )
    from payments.platform.crypto.local import LocalKeyFile

    return LocalKeyFile(settings.resolved_key_file)


def build_vault(settings: Settings, *, kms: Any = None) -> Vault:
    return Vault(build_key_manager(settings, kms=kms))
