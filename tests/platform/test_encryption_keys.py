"""Envelope encryption: the vault, the local key file, the AWS KMS adapter (botocore's
Stubber), blind indexes."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from payments.platform.crypto.keys import DecryptionError, EncryptionKeyError
from payments.platform.crypto.kms import KmsKeyManager, kek_id_of
from payments.platform.crypto.local import LocalKeyFile
from payments.platform.crypto.vault import Vault, is_ciphertext

ARN = "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_the_key_file_is_created_on_first_use_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "encryption.key"
    vault = Vault(LocalKeyFile(path))
    token = vault.encrypt("Ada Lovelace")
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "Ada" not in token and is_ciphertext(token)
    assert token.split("$")[:2] == ["pe1", "k1"]
    # another process with the same file reads it; one with another file cannot
    assert Vault(LocalKeyFile(path)).decrypt(token) == "Ada Lovelace"
    with pytest.raises(EncryptionKeyError, match="wrong key file"):
        Vault(LocalKeyFile(tmp_path / "other.key")).decrypt(token)


def test_the_same_value_encrypts_differently_each_time_and_tampering_is_detected(
    tmp_path: Path,
) -> None:
    vault = Vault(LocalKeyFile(tmp_path / "k"))
    a, b = vault.encrypt("ada@example.com"), vault.encrypt("ada@example.com")
    assert a != b
    head, sealed = a.rsplit("$", 1)
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(DecryptionError):
        vault.decrypt(f"{head}${flipped}")


def test_a_missing_key_file_is_refused_when_creating_is_not_allowed(tmp_path: Path) -> None:
    with pytest.raises(EncryptionKeyError, match=r"PAYMENTS_KEY_FILE: .* does not exist"):
        LocalKeyFile(tmp_path / "absent.key", create=False).check()


def test_a_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    keys = LocalKeyFile(tmp_path / "k")
    keys.load()
    keys.path.chmod(0o644)
    with pytest.raises(EncryptionKeyError, match="chmod 600"):
        keys.check()


def test_rotation_rewraps_a_value_without_touching_its_payload_and_old_ones_stay_readable(
    tmp_path: Path,
) -> None:
    path = tmp_path / "k"
    vault = Vault(LocalKeyFile(path))
    old = vault.encrypt("+49 30 1234567")
    # a second process (the `payments keys rotate` command) adds k2
    other = LocalKeyFile(path)
    assert other.rotate() == "k2"
    # this process learns k2 from the file when it meets it; k1 still opens old values
    rewrapped = Vault(other).rewrap(old)
    assert rewrapped is not None and rewrapped.split("$")[1] == "k2"
    assert rewrapped.rsplit("$", 1)[1] == old.rsplit("$", 1)[1]
    assert vault.decrypt(old) == vault.decrypt(rewrapped) == "+49 30 1234567"
    assert Vault(other).rewrap(rewrapped) is None
    vault.forget_data_key()
    assert vault.encrypt("x").split("$")[1] == "k2"


def test_the_email_blind_index_ignores_case_and_spaces_and_depends_on_the_key(
    tmp_path: Path,
) -> None:
    vault = Vault(LocalKeyFile(tmp_path / "a"))
    assert vault.email_index(" Ada@Example.COM ") == vault.email_index("ada@example.com")
    assert vault.email_index("ada@example.com") != vault.email_index("bob@example.com")
    assert vault.email_index("ada@example.com") != Vault(LocalKeyFile(tmp_path / "b")).email_index(
        "ada@example.com"
    )
    # a blind index of another purpose is another key: e-mails and phones cannot be joined
    assert vault.blind_index("phone", "ada@example.com") != vault.email_index("ada@example.com")


def _kms() -> tuple[object, Stubber]:
    client = boto3.client(
        "kms",
        region_name="eu-central-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return client, Stubber(client)


def test_kms_generates_data_keys_and_decrypts_them_once_per_process() -> None:
    client, stub = _kms()
    plaintext, blob = b"\x01" * 32, b"kms-wrapped-data-key-blob"
    stub.add_response(
        "generate_data_key",
        {"CiphertextBlob": blob, "Plaintext": plaintext, "KeyId": ARN},
        {"KeyId": "alias/payments", "KeySpec": "AES_256"},
    )
    stub.add_response(
        "decrypt",
        {"Plaintext": plaintext, "KeyId": ARN},
        {"CiphertextBlob": blob},
    )
    with stub:
        writer = Vault(KmsKeyManager(client=client, key_id="alias/payments", blind_index_blob=None))
        tokens = [writer.encrypt("Ada Lovelace"), writer.encrypt("ada@example.com")]
        assert all(t.split("$")[1] == kek_id_of(ARN) for t in tokens)
        # another process: one Decrypt call for the data key, then the cache
        reader = Vault(KmsKeyManager(client=client, key_id="alias/payments", blind_index_blob=None))
        assert [reader.decrypt(t) for t in tokens] == ["Ada Lovelace", "ada@example.com"]
        stub.assert_no_pending_responses()


def test_kms_refusing_to_decrypt_is_one_clear_line_naming_the_setting() -> None:
    client, stub = _kms()
    stub.add_client_error(
        "decrypt", service_error_code="AccessDeniedException", http_status_code=400
    )
    blob = base64.b64encode(b"index-key-blob").decode()
    with stub, pytest.raises(EncryptionKeyError) as err:
        KmsKeyManager(client=client, key_id=ARN, blind_index_blob=blob).blind_index_key()
    assert str(err.value) == "PAYMENTS_KMS_KEY_ID: KMS Decrypt failed (AccessDeniedException)"


def test_kms_blind_index_key_comes_from_its_wrapped_setting() -> None:
    client, stub = _kms()
    stub.add_response("describe_key", {"KeyMetadata": {"KeyId": "k", "Arn": ARN}}, {"KeyId": ARN})
    stub.add_response(
        "decrypt", {"Plaintext": b"\x02" * 32, "KeyId": ARN}, {"CiphertextBlob": b"idx"}
    )
    with stub:
        manager = KmsKeyManager(
            client=client, key_id=ARN, blind_index_blob=base64.b64encode(b"idx").decode()
        )
        manager.check()
        assert manager.current_kek_id() == kek_id_of(ARN)
        vault = Vault(manager)
        assert vault.email_index("Ada@example.com") == vault.email_index("ada@example.com")
    with pytest.raises(EncryptionKeyError, match="PAYMENTS_KMS_BLIND_INDEX_KEY"):
        KmsKeyManager(client=client, key_id=ARN, blind_index_blob=None).blind_index_key()
