"""An S3-compatible storage (AWS S3, MinIO, Ceph, ...) through boto3.

Each file is one object ``<prefix>/<key>`` in the bucket. boto3 is blocking, so every
call (and reading the object's body) runs in a thread. Credentials come from boto3's
usual chain (environment, shared profile, instance or task role), never from our
settings. A custom endpoint (MinIO) is addressed path-style.
"""

from __future__ import annotations

import asyncio
from typing import Any

from payments.files.domain import FileStorageError, checked_key

#: S3's error codes for an object or bucket that is not there.
_MISSING_OBJECT = {"NoSuchKey", "404", "NotFound"}


def s3_client(*, endpoint_url: str | None, region: str | None, timeout: float = 10.0) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"max_attempts": 3, "mode": "standard"},
        s3={"addressing_style": "path"} if endpoint_url else None,
    )
    return boto3.client("s3", endpoint_url=endpoint_url, region_name=region, config=config)


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


class S3FileStorage:
    def __init__(self, *, client: Any, bucket: str, prefix: str = "") -> None:
        self._client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")

    def object_key(self, key: str) -> str:
        checked_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _failed(self, action: str, key: str, exc: Exception) -> FileStorageError:
        code = _code(exc) or type(exc).__name__
        return FileStorageError(f"S3 {action} of {key!r} in bucket {self.bucket!r} failed: {code}")

    async def put(self, key: str, content: bytes) -> None:
        object_key = self.object_key(key)
        try:
            await asyncio.to_thread(
                self._client.put_object, Bucket=self.bucket, Key=object_key, Body=content
            )
        except Exception as exc:  # botocore's ClientError, BotoCoreError (network, ...)
            raise self._failed("put", object_key, exc) from exc

    async def get(self, key: str) -> bytes:
        object_key = self.object_key(key)

        def read() -> bytes:
            response = self._client.get_object(Bucket=self.bucket, Key=object_key)
            body = response["Body"]
            try:
                return bytes(body.read())
            finally:
                body.close()

        try:
            return await asyncio.to_thread(read)
        except Exception as exc:
            if _code(exc) in _MISSING_OBJECT:
                raise FileNotFoundError(f"no object {object_key!r} in {self.bucket!r}") from exc
            raise self._failed("get", object_key, exc) from exc

    async def delete(self, key: str) -> None:
        object_key = self.object_key(key)
        try:
            await asyncio.to_thread(self._client.delete_object, Bucket=self.bucket, Key=object_key)
        except Exception as exc:
            raise self._failed("delete", object_key, exc) from exc
