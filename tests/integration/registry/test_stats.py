"""Union statistics: active enterprises and workers only, for Jiaxing and by county."""

from __future__ import annotations

COUNTIES = ["330402", "330411", "330421", "330424", "330481", "330482", "330483"]


def by_county(stats: dict) -> dict[str, dict]:
    return {row["region_code"]: row for row in stats["by_region"]}


def test_stats_count_active_enterprises_and_workers_by_county(any_db) -> None:
    before = any_db.client.get("/api/v1/stats", headers=any_db.headers("reader")).json
    with_union = any_db.enterprise(region_code="330421")
    without = any_db.enterprise(region_code="330421", has_union=False, union_founded_on=None)
    closed = any_db.enterprise(region_code="330483")
    any_db.client.post(f"/api/v1/enterprises/{closed['id']}/deregister", headers=any_db.admin)
    any_db.worker(with_union["id"], is_union_member=True, is_migrant=True)
    any_db.worker(with_union["id"], is_union_member=False, union_joined_on=None)
    leaver = any_db.worker(without["id"], is_union_member=True)
    any_db.worker(without["id"], is_union_member=True)
    any_db.client.post(f"/api/v1/workers/{leaver['id']}/leave", headers=any_db.admin)

    answer = any_db.client.get("/api/v1/stats", headers=any_db.headers("reader"))
    assert answer.status_code == 200
    after = answer.json
    grew = {
        key: after[key] - before[key]
        for key in (
            "enterprises",
            "enterprises_with_union",
            "workers",
            "union_members",
            "migrant_workers",
        )
    }
    assert grew == {
        "enterprises": 2,
        "enterprises_with_union": 1,
        "workers": 3,
        "union_members": 2,
        "migrant_workers": 1,
    }
    assert [row["region_code"] for row in after["by_region"]] == COUNTIES
    county, was = by_county(after)["330421"], by_county(before)["330421"]
    assert county["name"] == "嘉善县"
    assert county["enterprises"] - was["enterprises"] == 2
    assert county["workers"] - was["workers"] == 3
    assert by_county(after)["330483"]["enterprises"] == by_county(before)["330483"]["enterprises"]
    assert after["union_formation_rate"] == round(
        after["enterprises_with_union"] / after["enterprises"], 4
    )
    assert after["union_membership_rate"] == round(after["union_members"] / after["workers"], 4)


def test_empty_stats_have_no_rates_rather_than_a_division_by_zero(registry) -> None:
    stats = registry.client.get("/api/v1/stats", headers=registry.headers("enterprise", "e")).json
    assert stats["enterprises"] == 0 and stats["union_formation_rate"] is None
    assert all(row["union_membership_rate"] is None for row in stats["by_region"])
    assert registry.client.get("/api/v1/stats").status_code == 401


def test_regions_are_listed_for_any_token_and_towns_are_added_by_admins(registry) -> None:
    listed = registry.client.get("/api/v1/regions", headers=registry.headers("reader")).json
    regions = listed["items"]
    assert listed["total"] == 1 + len(COUNTIES) and listed["page"] == 1
    assert [r["code"] for r in regions] == ["330400", *COUNTIES]
    assert regions[0] == {"code": "330400", "name": "嘉兴市", "level": "city", "parent_code": None}
    assert registry.client.get("/api/v1/regions").status_code == 401
    town = {"code": "330481101", "name": "许村镇", "parent_code": "330481"}
    assert (
        registry.client.post(
            "/api/v1/regions", json=town, headers=registry.headers("reader")
        ).status_code
        == 403
    )
    added = registry.client.post("/api/v1/regions", json=town, headers=registry.admin)
    assert added.status_code == 201 and added.json["level"] == "town"
    village = {"code": "330481101201", "name": "某村", "parent_code": "330481101"}
    assert (
        registry.client.post("/api/v1/regions", json=village, headers=registry.admin).json["level"]
        == "village"
    )
    for bad, field in (
        ({**town, "code": "330482101"}, "code"),  # not below its parent
        ({**town, "parent_code": "330400", "code": "330400101"}, "code"),  # a new county
        ({**town, "parent_code": "999999"}, "parent_code"),
        (town, "code"),  # exists already
    ):
        answer = registry.client.post("/api/v1/regions", json=bad, headers=registry.admin)
        assert answer.status_code == 422 and field in answer.json["errors"], (bad, answer.json)


def test_regions_are_paged_and_found_by_parent_level_or_name(registry) -> None:
    for code, name in (("330481101", "许村镇"), ("330481102", "长安镇"), ("330402001", "解放街道")):
        town = {"code": code, "name": name, "parent_code": code[:6]}
        added = registry.client.post("/api/v1/regions", json=town, headers=registry.admin)
        assert added.status_code == 201, added.json

    def codes(query: str) -> list[str]:
        answer = registry.client.get(f"/api/v1/regions?{query}", headers=registry.admin)
        assert answer.status_code == 200, answer.json
        return [region["code"] for region in answer.json["items"]]

    assert codes("parent_code=330481") == ["330481101", "330481102"]
    assert codes("level=town") == ["330402001", "330481101", "330481102"]
    assert codes("q=长安") == ["330481102"]
    assert codes("level=county&per_page=3&page=2") == list(COUNTIES)[3:6]
    assert codes("parent_code=330481101") == []
    for bad, field in (("level=province", "level"), ("per_page=101", "per_page"), ("x=1", "x")):
        answer = registry.client.get(f"/api/v1/regions?{bad}", headers=registry.admin)
        assert answer.status_code == 422 and field in answer.json["errors"], answer.json
