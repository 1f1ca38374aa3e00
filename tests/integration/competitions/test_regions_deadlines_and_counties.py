"""A competition's region, its registration deadline, a judge's enterprise and a county's
entries, over HTTP: each refusal is a problem document naming its rule (and field), in Chinese
for ``Accept-Language: zh``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from shared.regions import COUNTIES
from tests.support.bodies import competition_body

ZH = {"Accept-Language": "zh"}


def _create(world, headers: dict[str, str] | None = None, **overrides: Any) -> Any:
    return world.client.post(
        "/api/v1/competitions",
        json=competition_body(**overrides),
        headers={**world.auth(), **(headers or {})},
    )


# -- region --------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["330400", *COUNTIES])
def test_the_city_and_its_counties_take_competitions(world, code: str) -> None:
    answer = _create(world, region_code=code)
    assert answer.status_code == 201, answer.json


def test_a_random_six_digit_region_is_refused_naming_the_rule(any_world) -> None:
    answer = _create(any_world, region_code="123456")
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    assert answer.json["rule"] == "unknown_region"
    assert answer.json["type"] == "/problems/unknown-region"
    assert list(answer.json["errors"]) == ["region_code"]
    listed = any_world.client.get("/api/v1/competitions", headers=any_world.auth()).json
    assert listed["total"] == 0


def test_a_town_is_known_once_the_registry_announced_an_enterprise_there(any_world) -> None:
    assert _create(any_world, level="enterprise", region_code="330481102").status_code == 422
    any_world.enterprise(region_code="330481102")
    answer = _create(any_world, level="enterprise", region_code="330481102")
    assert answer.status_code == 201, answer.json
    village = _create(any_world, level="enterprise", region_code="330481102001")
    assert village.status_code == 422  # below the town, no enterprise seen there


def test_a_county_competition_in_the_city_is_an_invalid_specification(world) -> None:
    answer = _create(world, level="county", region_code="330400")
    assert answer.status_code == 422
    assert answer.json["rule"] == "invalid_competition_spec"
    assert list(answer.json["errors"]) == ["region_code"]


def test_an_unknown_region_is_explained_in_chinese(world) -> None:
    answer = _create(world, ZH, region_code="123456")
    assert answer.json["title"] == "未知的行政区划"
    assert answer.json["detail"] == "123456 不是本平台已知的嘉兴市行政区划。"
    assert answer.headers["Content-Language"] == "zh"


# -- opening past the deadline ---------------------------------------------------------------


def test_opening_a_competition_whose_deadline_passed_is_refused(any_world) -> None:
    deadline = any_world.now + timedelta(hours=1)
    competition = any_world.competition(registration_closes_at=deadline.isoformat())
    any_world.now += timedelta(hours=2)
    refused = any_world.move(competition, "open", expect=409)
    assert refused["rule"] == "registration_deadline_passed"
    assert refused["type"] == "/problems/registration-deadline-passed"
    assert list(refused["errors"]) == ["registration_closes_at"]
    read = any_world.client.get(f"/api/v1/competitions/{competition}", headers=any_world.auth())
    assert read.json["status"] == "draft" and read.json["opened_at"] is None
    assert any_world.published("jiangong.competition.opened.v1") == []


def test_a_competition_without_a_deadline_or_before_it_opens(world) -> None:
    assert world.move(world.competition(), "open")["status"] == "open"
    later = (world.now + timedelta(minutes=1)).isoformat()
    assert world.move(world.competition(registration_closes_at=later), "open")["status"] == "open"


def test_the_passed_deadline_is_explained_in_chinese(world) -> None:
    deadline = world.now - timedelta(days=1)
    competition = world.competition(registration_closes_at=deadline.isoformat())
    answer = world.client.post(
        f"/api/v1/competitions/{competition}/open", headers={**world.auth(), **ZH}
    )
    assert answer.status_code == 409
    assert answer.json["title"] == "报名截止时间已过"
    assert (
        answer.json["detail"].startswith("报名已于 ")
        and "请先修改截止时间" in answer.json["detail"]
    )


# -- judges ----------------------------------------------------------------------------------


def test_a_judge_of_an_unknown_enterprise_is_refused(any_world) -> None:
    competition = any_world.competition()
    answer = any_world.client.post(
        f"/api/v1/competitions/{competition}/judges",
        json={"judge_id": "judge-1", "enterprise_id": "ent-nobody"},
        headers=any_world.auth(),
    )
    assert answer.status_code == 422
    assert answer.json["rule"] == "judge_enterprise_unknown"
    assert list(answer.json["errors"]) == ["enterprise_id"]
    listed = any_world.client.get(
        f"/api/v1/competitions/{competition}/judges", headers=any_world.auth()
    )
    assert listed.json["total"] == 0


def test_a_judge_of_an_announced_enterprise_or_of_none_is_assigned(world) -> None:
    competition = world.competition()
    enterprise = world.enterprise()
    assert world.judge(competition, enterprise_id=enterprise)
    assert world.judge(competition)


def test_an_unknown_judges_enterprise_is_explained_in_chinese(world) -> None:
    competition = world.competition()
    answer = world.client.post(
        f"/api/v1/competitions/{competition}/judges",
        json={"judge_id": "judge-1", "enterprise_id": "ent-nobody"},
        headers={**world.auth(), **ZH},
    )
    assert answer.json["title"] == "评委所在企业未登记"
    assert answer.json["detail"] == "企业 ent-nobody 不是登记库中已登记的企业。"


# -- county competitions ---------------------------------------------------------------------


def test_a_county_competition_refuses_an_enterprise_of_another_county(any_world) -> None:
    competition = any_world.competition(level="county", region_code="330411")
    any_world.move(competition, "open")
    nanhu = any_world.enterprise(region_code="330402")
    refused = any_world.enter(competition, nanhu, any_world.worker(nanhu))
    assert refused.status_code == 422, refused.json
    assert refused.json["rule"] == "enterprise_outside_county"
    assert list(refused.json["errors"]) == ["enterprise_id"]
    xiuzhou_town = any_world.enterprise(region_code="330411004")
    entered = any_world.enter(competition, xiuzhou_town, any_world.worker(xiuzhou_town))
    assert entered.status_code == 201, entered.json
    assert entered.json["region_code"] == "330411004"


def test_a_city_competition_takes_enterprises_of_every_county(world) -> None:
    competition = world.competition()
    world.move(competition, "open")
    for code in ("330402", "330483"):
        enterprise = world.enterprise(region_code=code)
        assert world.enter(competition, enterprise, world.worker(enterprise)).status_code == 201


def test_an_enterprise_outside_the_county_is_explained_in_chinese(world) -> None:
    competition = world.competition(level="county", region_code="330411")
    world.move(competition, "open")
    nanhu = world.enterprise(region_code="330402")
    answer = world.enter(competition, nanhu, world.worker(nanhu), headers={**world.auth(), **ZH})
    assert answer.json["title"] == "企业不在竞赛所属县（市、区）"
    assert answer.json["detail"] == f"企业 {nanhu} 不在竞赛所属的县（市、区）330411。"
