"""The S3-compatible file storage: the exact S3 calls (botocore's Stubber, no network),
a missing object, a failing bucket, the settings that choose it and the container."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import sqlalchemy as sa
from botocore.response import StreamingBody
from botocore.stub import Stubber

from payments.app.bootstrap import Container, build_file_storage
from payments.files.domain import FilePurpose, FileStorageError
from payments.files.s3 import S3FileStorage, s3_client
from payments.files.service import create_file, file_content
from payments.files.storage import LocalDirectoryStorage
from payments.kernel.context import SYSTEM
from payments.platform.config import ConfigurationError, load_settings
from support.app import Api

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture
def client() -> Any:
    return boto3.client(
        "s3",
        region_name="eu-central-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@pytest.fixture
def stub(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


class _NewFileKey:
    """Equal to the key of a new PNG file (made of its id, unknown in advance)."""

    def __init__(self, prefix: str = "") -> None:
        self.pattern = re.compile(re.escape(prefix) + r"file_\w+\.png")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.pattern.fullmatch(other) is not None

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<a key matching {self.pattern.pattern}>"


def _body(content: bytes) -> StreamingBody:
    return StreamingBody(io.BytesIO(content), len(content))


async def test_put_get_and_delete_are_the_exact_s3_calls_under_the_prefix(
    client: Any, stub: Stubber
) -> None:
    storage = S3FileStorage(client=client, bucket="evidence", prefix="/payments/files/")
    key = "file_abc.png"
    where = {"Bucket": "evidence", "Key": "payments/files/file_abc.png"}
    stub.add_response("put_object", {"ETag": '"1"'}, where | {"Body": PNG})
    stub.add_response("get_object", {"Body": _body(PNG)}, where)
    stub.add_response("delete_object", {}, where)
    await storage.put(key, PNG)
    assert await storage.get(key) == PNG
    await storage.delete(key)


async def test_without_a_prefix_keys_are_the_buckets_top_level(client: Any, stub: Stubber) -> None:
    storage = S3FileStorage(client=client, bucket="evidence")
    stub.add_response(
        "put_object", {}, {"Bucket": "evidence", "Key": "file_x.pdf", "Body": b"%PDF-1.7"}
    )
    await storage.put("file_x.pdf", b"%PDF-1.7")
    for key in ("../x", "a/b", ".hidden", ""):  # never a path, as in the local directory
        with pytest.raises(ValueError):
            await storage.put(key, b"x")


async def test_a_missing_object_is_file_not_found_and_a_failure_names_bucket_and_key(
    client: Any, stub: Stubber
) -> None:
    storage = S3FileStorage(client=client, bucket="evidence", prefix="p")
    stub.add_client_error(
        "get_object",
        service_error_code="NoSuchKey",
        http_status_code=404,
        expected_params={"Bucket": "evidence", "Key": "p/file_gone.png"},
    )
    with pytest.raises(FileNotFoundError):
        await storage.get("file_gone.png")
    stub.add_client_error(
        "put_object",
        service_error_code="AccessDenied",
        http_status_code=403,
        expected_params={"Bucket": "evidence", "Key": "p/file_a.png", "Body": PNG},
    )
    with pytest.raises(FileStorageError) as failed:
        await storage.put("file_a.png", PNG)
    assert str(failed.value) == (
        "S3 put of 'p/file_a.png' in bucket 'evidence' failed: AccessDenied"
    )
    stub.add_client_error("get_object", service_error_code="SlowDown", http_status_code=503)
    with pytest.raises(FileStorageError):
        await storage.get("file_a.png")
    stub.add_client_error("delete_object", service_error_code="AccessDenied")
    with pytest.raises(FileStorageError):
        await storage.delete("file_a.png")


async def test_an_upload_goes_to_the_bucket_and_is_read_back_from_it(
    api: Api, container: Container, client: Any, stub: Stubber
) -> None:
    admin = await api.key()
    shop = await api.location(admin)
    storage = S3FileStorage(client=client, bucket="evidence", prefix="files")
    stub.add_response(
        "put_object",
        {},
        {"Bucket": "evidence", "Key": _NewFileKey("files/"), "Body": PNG},
    )
    stored = await create_file(
        purpose=FilePurpose.dispute_evidence,
        filename="photo.png",
        content=PNG,
        location_id=shop["id"],
        storage=storage,
        uow_factory=container.uow_factory,
        clock=container.clock,
        ctx=SYSTEM,
    )
    stub.add_response(
        "get_object",
        {"Body": _body(PNG)},
        {"Bucket": "evidence", "Key": f"files/{stored.storage_key}"},
    )
    found, content = await file_content(
        stored.id, storage=storage, uow_factory=container.uow_factory, ctx=SYSTEM
    )
    assert (found, content) == (stored, PNG)


async def test_a_failed_row_deletes_the_blob_it_stored(
    container: Container, client: Any, stub: Stubber
) -> None:
    storage = S3FileStorage(client=client, bucket="evidence")
    stub.add_response("put_object", {}, {"Bucket": "evidence", "Key": _NewFileKey(), "Body": PNG})
    stub.add_response("delete_object", {}, {"Bucket": "evidence", "Key": _NewFileKey()})
    with pytest.raises(sa.exc.IntegrityError):  # the row's error, not the cleanup's
        await create_file(
            purpose=FilePurpose.dispute_evidence,
            filename="photo.png",
            content=PNG,
            location_id="loc_does_not_exist",  # the row's foreign key refuses it
            storage=storage,
            uow_factory=container.uow_factory,
            clock=container.clock,
            ctx=SYSTEM,
        )


def test_the_settings_choose_the_storage_and_s3_needs_a_bucket(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("FILE_STORAGE", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "S3_PREFIX"):
        monkeypatch.delenv(f"PAYMENTS_{name}", raising=False)
    local = build_file_storage(load_settings(_env_file=None, file_storage_dir=tmp_path))
    assert isinstance(local, LocalDirectoryStorage) and local.root == tmp_path.resolve()

    monkeypatch.setenv("PAYMENTS_FILE_STORAGE", "s3")
    with pytest.raises(ConfigurationError) as info:
        load_settings(_env_file=None)
    assert str(info.value) == (
        "configuration error: PAYMENTS_S3_BUCKET: is required when PAYMENTS_FILE_STORAGE=s3"
    )
    monkeypatch.setenv("PAYMENTS_S3_BUCKET", "evidence")
    monkeypatch.setenv("PAYMENTS_S3_ENDPOINT_URL", "minio:9000")
    with pytest.raises(ConfigurationError) as info:
        load_settings(_env_file=None)
    assert str(info.value).startswith("configuration error: PAYMENTS_S3_ENDPOINT_URL:")
    monkeypatch.setenv("PAYMENTS_S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("PAYMENTS_S3_REGION", "eu-central-1")
    monkeypatch.setenv("PAYMENTS_S3_PREFIX", "payments/files")
    s3 = build_file_storage(load_settings(_env_file=None))
    assert isinstance(s3, S3FileStorage)
    assert (s3.bucket, s3.object_key("file_a.pdf")) == ("evidence", "payments/files/file_a.pdf")


def test_a_custom_endpoint_is_addressed_path_style() -> None:
    client = s3_client(endpoint_url="http://127.0.0.1:9000", region="eu-central-1")
    assert client.meta.endpoint_url == "http://127.0.0.1:9000"
    assert client.meta.config.s3 == {"addressing_style": "path"}
    assert client.meta.region_name == "eu-central-1"


async def test_the_local_directory_keeps_the_same_promises(tmp_path: Path) -> None:
    storage = LocalDirectoryStorage(tmp_path)
    await storage.put("file_a.png", PNG)
    assert await storage.get("file_a.png") == PNG
    await storage.delete("file_a.png")
    await storage.delete("file_a.png")  # deleting what is not there is no error
    with pytest.raises(FileNotFoundError):
        await storage.get("file_a.png")
    assert not (tmp_path / "file_a.png").exists()
