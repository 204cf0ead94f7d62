"""Fast JSON responses from the object renderers in :mod:`payments.services.objects`."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from payments.kernel.pagination import Page


def json_response(obj: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(obj), status_code=status, media_type="application/json")


def list_response(url: str, page: Page[Any], render: Any) -> Response:
    return json_response(list_object(url, [render(o) for o in page.data], page.has_more))


def list_object(url: str, data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {"object": "list", "url": url, "has_more": has_more, "data": data}
