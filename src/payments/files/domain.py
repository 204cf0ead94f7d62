"""Files: what an upload may be, and the storage port the content goes through.

The service keeps a file's facts (name, type, size, purpose, shop) in the database and
its bytes in a :class:`FileStorage`; :class:`~payments.files.storage.LocalDirectoryStorage`
is the default. A file is immutable: a new upload is a new file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final, Protocol


class FilePurpose(StrEnum):
    dispute_evidence = "dispute_evidence"


#: Stripe's limit for dispute evidence is 5 MB per file.
MAX_SIZE: Final = 5 * 1024 * 1024

#: Accepted types, recognised by their first bytes (never by the name the browser sent).
SIGNATURES: Final = {
    "application/pdf": b"%PDF-",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
}
EXTENSIONS: Final = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


def sniff_type(content: bytes) -> str | None:
    for media_type, magic in SIGNATURES.items():
        if content.startswith(magic):
            return media_type
    return None


def clean_filename(name: str) -> str:
    """The name as shown and downloaded: its last path part, printable, at most 200."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')
    return kept.strip()[:200] or "upload"


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredFile:
    id: str
    purpose: FilePurpose
    filename: str
    type: str
    size: int
    created: datetime
    storage_key: str
    location_id: str | None = None
    uploaded_by: str | None = None


class FileStorageError(Exception):
    """The storage could not do what was asked (unreachable, refused, misconfigured)."""


def checked_key(key: str) -> str:
    """A storage key: one plain name (``file_....pdf``), never a path; else ValueError."""
    if not key or "/" in key or "\\" in key or key.startswith("."):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class FileStorage(Protocol):
    """Where the bytes live (a local directory, an S3-compatible bucket, ...).

    ``get`` of a key never stored raises :class:`FileNotFoundError`; ``delete`` of one is
    no error; any other failure of the storage is a :class:`FileStorageError`."""

    async def put(self, key: str, content: bytes) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...
