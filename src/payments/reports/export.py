"""Report files written row by row to a temporary file, CSV or XLSX (openpyxl's
write-only workbook, which keeps its rows on disk): memory stays flat whatever the
number of rows."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator, Sequence
from typing import IO, Any

from openpyxl import Workbook

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK_BYTES = 256 * 1024


class TableFile:
    """``write(rows)`` as they come, then ``finish()``; ``chunks()`` reads the result."""

    def __init__(self, fmt: str, header: Sequence[str], *, title: str = "report") -> None:
        self.format = fmt
        self._file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        if fmt == "csv":
            self._text = io.TextIOWrapper(
                self._file, encoding="utf-8", newline="", write_through=True
            )
            self._csv: Any = csv.writer(self._text)
            self._csv.writerow(header)
        else:
            self._book = Workbook(write_only=True)
            self._sheet = self._book.create_sheet(title=title[:31])
            self._sheet.append(list(header))

    def write(self, rows: Sequence[Sequence[object]]) -> None:
        if self.format == "csv":
            self._csv.writerows(rows)
        else:
            for row in rows:
                self._sheet.append(list(row))

    def finish(self) -> int:
        """Complete the file; its size in bytes."""
        if self.format == "csv":
            self._text.flush()
            self._text.detach()
        else:
            self._book.save(self._file)
        self._file.flush()
        size = self._file.seek(0, io.SEEK_END)
        self._file.seek(0)
        return size

    def chunks(self) -> Iterator[bytes]:
        while data := self._file.read(CHUNK_BYTES):
            yield data

    def close(self) -> None:
        self._file.close()


class LineFile:
    """A text file of ready-made lines (DATEV's layout): Windows-1252, CRLF."""

    format = "csv"

    def __init__(self, encoding: str = "cp1252") -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._encoding = encoding

    def write_lines(self, lines: Sequence[str]) -> None:
        for line in lines:
            self._file.write(line.encode(self._encoding, errors="replace") + b"\r\n")

    def finish(self) -> int:
        self._file.flush()
        size = self._file.seek(0, io.SEEK_END)
        self._file.seek(0)
        return size

    def chunks(self) -> Iterator[bytes]:
        while data := self._file.read(CHUNK_BYTES):
            yield data

    def close(self) -> None:
        self._file.close()
