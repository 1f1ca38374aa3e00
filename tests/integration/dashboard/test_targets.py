"""``GET /api/v1/targets``: the nine targets, their goals, a year with no data, the questions
it refuses."""

from __future__ import annotations

from datetime import UTC, datetime

from services.dashboard.domain.targets import TARGETS
from tests.integration.dashboard.conftest import build_world

KEYS = [target.key for target in TARGETS]
COUNTIES = ["330402", "330411", "330421", "330424", "330481", "330482", "330483"]


def test_a_year_with_no_data_is_zeros_not_an_error(any_world) -> None:
    answer = any_world.client.get("/api/v1/targets?year=2024")

    assert answer.status_code == 200
    body = answer.json
    assert (body["year"], body["region_code"]) == (2024, "330400")
    assert [t["key"] for t in body["targets"]] == KEYS
    for target in body["targets"]:
        assert (target["current"], target["ratio"]) == (0, 0), target["key"]
        assert target["by_region"] == dict.fromkeys(COUNTIES, 0), target["key"]


def test_each_target_has_its_chinese_label_english_beside_and_the_digests_goal(world) -> None:
    targets = world.targets()

    assert targets["yearly_promotions"]["label"] == "职工技能晋级"
    assert targets["yearly_promotions"]["label_en"].startswith("Workers promoted")
    goals = {key: t["goal"] for key, t in targets.items()}
    assert goals == {
        "enterprise_coverage": 90,
        "worker_participation": 90,
        "yearly_promotions": 3000,
        "municipal_studios": 20,
        "skill_leaders": 1000,
        "trained_workers": 100_000,
        "trained_migrant_workers": 10_000,
        "union_formation": 90,
        "union_membership": 90,
    }
    kinds = {key: (t["kind"], t["cumulative"], t["unit"]) for key, t in targets.items()}
    assert kinds["enterprise_coverage"] == ("rate", False, "percent")
    assert kinds["yearly_promotions"] == ("yearly", False, "promotions")
    assert kinds["municipal_studios"] == ("cumulative", True, "studios")


def test_on_1_july_the_yearly_pace_is_about_half(world) -> None:
    promotions = world.targets()["yearly_promotions"]  # the world stands on 1 July 2026

    assert promotions["pace"] == round(181 / 365, 4)
    assert promotions["expected"] == round(3000 * 181 / 365, 2)
    assert promotions["on_track"] is False


def test_the_year_defaults_to_this_year_in_shanghai(world) -> None:
    world.now = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # already 1 January 2027 in Jiaxing

    body = world.client.get("/api/v1/targets").json

    assert body["year"] == 2027
    assert body["as_of"] == "2026-12-31T16:30:00+00:00"
    promotions = {t["key"]: t for t in body["targets"]}["yearly_promotions"]
    assert (promotions["pace"], promotions["on_track"]) == (0, True)  # nothing expected yet


def test_goals_come_from_settings_for_the_city_and_a_county(tmp_path) -> None:
    world = build_world(
        tmp_path,
        JIANGONG_TARGET_YEARLY_PROMOTIONS="3650",
        JIANGONG_TARGET_UNION_FORMATION="95",
        JIANGONG_TARGET_YEARLY_PROMOTIONS_330402="365",
    )

    city = world.targets()
    assert (city["yearly_promotions"]["goal"], city["union_formation"]["goal"]) == (3650, 95)
    county = world.targets(region_code="330402")
    assert county["yearly_promotions"]["goal"] == 365
    assert county["yearly_promotions"]["expected"] == 181
    assert county["union_formation"]["goal"] == 95  # a rate: the city's goal
    assert county["skill_leaders"]["goal"] is None  # a count: no county goal set
    assert (county["skill_leaders"]["ratio"], county["skill_leaders"]["on_track"]) == (None, None)


def test_a_county_shows_its_own_counts(world) -> None:
    enterprise = world.enterprise("330411001")  # a town of Xiuzhou
    world.worker(enterprise, "330411")
    world.enterprise("330402", has_union=False, union_founded_on=None)

    county = world.targets(region_code="330411")
    city = world.targets(region_code="330400")

    assert county["union_formation"]["current"] == 100
    assert county["union_formation"]["by_region"] == {"330411": 100}
    assert county["union_formation"]["counts"] == {"enterprises_with_union": 1, "enterprises": 1}
    assert city["union_formation"]["current"] == 50
    assert city["union_formation"]["by_region"]["330411"] == 100


def test_an_unknown_region_is_refused_naming_it(world) -> None:
    answer = world.client.get("/api/v1/targets?region_code=110101")

    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert "110101" in answer.json["errors"]["region_code"][0]


def test_unknown_query_parameters_are_refused(world) -> None:
    answer = world.client.get("/api/v1/targets?year=2026&county=330402")

    assert answer.status_code == 422
    assert list(answer.json["errors"]) == ["county"]


def test_a_year_out_of_range_is_refused(world) -> None:
    answer = world.client.get("/api/v1/targets?year=99")

    assert answer.status_code == 422
    assert list(answer.json["errors"]) == ["year"]


def test_the_targets_need_no_token_and_are_documented(world) -> None:
    document = world.client.get("/api/openapi.json").json

    assert {"/api/v1/targets", "/api/v1/targets/{key}/history", "/api/v1/stream"} <= set(
        document["paths"]
    )
    assert world.client.get("/api/v1/targets").status_code == 200
