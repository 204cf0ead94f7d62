"""The default storage: files in a local directory (the data directory's ``files/``)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from payments.files.domain import checked_key


class LocalDirectoryStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / checked_key(key)

    async def put(self, key: str, content: bytes) -> None:
        path = self._path(key)

        def write() -> None:
            self.root.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".part")
            tmp.write_bytes(content)
            os.replace(tmp, path)  # never a half-written file under the key

        await asyncio.to_thread(write)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)
