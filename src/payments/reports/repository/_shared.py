"""What the report families' queries share: a period's UTC bounds, a day read back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from payments.reports.domain.summary import Period


def _bounds(period: Period) -> tuple[datetime, datetime]:
    """[start, end) in UTC of a period of whole UTC days."""
    start = datetime.combine(period.start, time(0), tzinfo=UTC)
    return start, datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=UTC)


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
