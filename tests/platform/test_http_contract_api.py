"""The HTTP conventions every endpoint shares: errors, request ids, limits, docs."""

from __future__ import annotations

from support.app import Api


async def test_every_response_carries_a_request_id(api: Api) -> None:
    for path in ("/healthz", "/v1/customers", "/nope"):
        response = await api.client.get(path)
        assert response.headers["request-id"].startswith("req_")


async def test_health_and_readiness_need_no_key(api: Api) -> None:
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}
    ready = await api.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


async def test_unknown_urls_and_methods_answer_in_the_error_shape(api: Api) -> None:
    admin = await api.key()
    missing = await api.client.get("/v1/unicorns", headers=admin)
    assert missing.status_code == 404
    assert missing.json()["error"]["type"] == "invalid_request_error"
    wrong = await api.client.put("/v1/customers", headers=admin)
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"


async def test_malformed_json_is_a_400(api: Api) -> None:
    admin = await api.key()
    response = await api.client.post(
        "/v1/customers", content=b'{"name": ', headers=admin | {"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


async def test_a_json_body_sent_with_curls_default_content_type_is_accepted(api: Api) -> None:
    admin = await api.key()
    response = await api.client.post(
        "/v1/customers",
        content=b'{"name": "Curl"}',
        headers=admin | {"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Curl"


async def test_bodies_over_one_megabyte_are_refused_with_413(api: Api) -> None:
    admin = await api.key()
    big = b'{"name": "' + b"x" * (1_048_576 + 10) + b'"}'
    response = await api.client.post(
        "/v1/customers", content=big, headers=admin | {"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert (await api.client.get("/v1/customers", headers=admin)).json()["data"] == []


async def test_list_limits_are_validated(api: Api) -> None:
    admin = await api.key()
    for limit in ("0", "101", "ten"):
        response = await api.client.get("/v1/customers", params={"limit": limit}, headers=admin)
        assert response.status_code == 400
        assert response.json()["error"]["param"] == "limit"


async def test_the_openapi_document_and_interactive_docs_are_served(api: Api) -> None:
    spec = (await api.client.get("/openapi.json")).json()
    assert "/v1/customers" in spec["paths"]
    assert "/v1/locations/{location_id}" in spec["paths"]
    docs = await api.client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


async def test_an_unexpected_error_is_a_500_without_a_stack_trace(api: Api) -> None:
    admin = await api.key()
    # Break the database under the app: point it at a file that cannot be opened.
    from sqlalchemy.ext.asyncio import create_async_engine

    broken = create_async_engine("sqlite+aiosqlite:////proc/no/such/dir/db.sqlite3")
    original = api.container.uow_factory._engine
    api.container.uow_factory._engine = broken
    try:
        response = await api.client.post("/v1/customers", json={"name": "x"}, headers=admin)
    finally:
        api.container.uow_factory._engine = original
        await broken.dispose()
    assert response.status_code == 500
    body = response.json()
    assert body["error"]["type"] == "api_error"
    assert "Traceback" not in response.text and "sqlite" not in response.text.lower()
