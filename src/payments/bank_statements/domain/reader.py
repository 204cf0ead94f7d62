"""One entry point for every statement format: ISO 20022 camt XML, or SWIFT MT940 text."""

from __future__ import annotations

from payments.bank_statements.domain.camt import (
    DEFAULT_MAX_BYTES,
    StatementRefused,
    parse_statement,
)
from payments.bank_statements.domain.mt940 import looks_like_mt940, parse_mt940
from payments.bank_statements.domain.statement import Statement


def read_statement(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, param: str = "file"
) -> Statement:
    """The statement in ``data`` (camt.053/054 XML or MT940), or :class:`StatementRefused`."""
    if len(data) > max_bytes:
        raise StatementRefused(
            f"The statement is {len(data)} bytes; at most {max_bytes} bytes are accepted "
            "(split it, or ask the bank for daily statements).",
            code="file_too_large",
            param=param,
        )
    if not data.lstrip().startswith(b"<") and looks_like_mt940(data):
        return parse_mt940(data, param=param)
    return parse_statement(data, max_bytes=max_bytes, param=param)
