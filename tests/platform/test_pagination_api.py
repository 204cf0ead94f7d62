from __future__ import annotations

from support.app import Api


async def test_cursor_pagination_walks_every_customer_once_in_both_directions(api: Api) -> None:
    admin = await api.key()
    ids = []
    for i in range(7):
        r = await api.client.post("/v1/customers", json={"name": f"c{i}"}, headers=admin)
        ids.append(r.json()["id"])
    newest_first = list(reversed(ids))

    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 3}
    while True:
        page = (await api.client.get("/v1/customers", params=params, headers=admin)).json()
        assert page["object"] == "list" and page["url"] == "/v1/customers"
        seen += [c["id"] for c in page["data"]]
        if not page["has_more"]:
            break
        params = {"limit": 3, "starting_after": page["data"][-1]["id"]}
    assert seen == newest_first

    back = (
        await api.client.get(
            "/v1/customers", params={"limit": 2, "ending_before": newest_first[4]}, headers=admin
        )
    ).json()
    assert [c["id"] for c in back["data"]] == newest_first[2:4]
    assert back["has_more"] is True

    both = await api.client.get(
        "/v1/customers",
        params={"starting_after": ids[0], "ending_before": ids[1]},
        headers=admin,
    )
    assert both.status_code == 400
