"""The dashboard equals its sources: the four services embedded in one process, a small set of
believable facts driven through their public APIs only, and every target's ``current`` (and its
counties) compared with what the registry, competitions and certification report through their
own stats endpoints, by the same definitions (``services/dashboard/README.md`` names the source
field of each target). Then the dashboard is replayed from the topics, in place and the way
``jiangong replay dashboard`` does it, and must not move.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import Client

from jiangong import cli
from jiangong.platform import EmbeddedPlatform
from shared.auth import issue_token
from shared.clock import today_in_shanghai
from shared.identifiers import FEMALE, MALE, USCC_ALPHABET, make_id_number, make_uscc
from shared.regions import COUNTIES
from shared.runtime import engine_of, runtime_of
from shared.settings import Settings
from tests.support.bodies import competition_body

OCCUPATION, WELDER = "6-18-01-01", "6-18-02-04"
RATE_KEYS = {
    # target: (source, part, whole, the source's rate: a share 0..1, four decimals)
    "enterprise_coverage": (
        "coverage",
        "enterprises_participating",
        "enterprises_total",
        "enterprise_coverage",
    ),
    "worker_participation": (
        "coverage",
        "workers_participating",
        "workers_total",
        "worker_participation",
    ),
    "union_formation": (
        "registry",
        "enterprises_with_union",
        "enterprises",
        "union_formation_rate",
    ),
    "union_membership": ("registry", "union_members", "workers", "union_membership_rate"),
}
COUNT_KEYS = {
    # target: the certification field it equals (of the year's stats)
    "municipal_studios": "municipal_studios",
    "skill_leaders": "skill_leaders",
    "trained_workers": "trained_workers_to_date",
    "trained_migrant_workers": "trained_migrant_workers_to_date",
}


class Platform:
    """The embedded platform, its HTTP front and the tokens a test needs."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.embedded = EmbeddedPlatform(settings)
        self.client = Client(self.embedded.wsgi)
        self.rng = random.Random(20260701)
        self.running = False

    def start(self) -> None:
        self.embedded.start()
        self.running = True

    def stop(self) -> None:
        if self.running:  # a ServiceWorker stops once
            self.running = False
            self.embedded.stop()

    # -- HTTP ------------------------------------------------------------------------------
    def token(self, role: str = "admin", scope: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(self.settings.secret, role, scope)}"}

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        expect: int = 200,
        role: str = "admin",
        scope: str | None = None,
        **query: Any,
    ) -> Any:
        answer = self.client.open(
            path, method=method, json=body, query_string=query, headers=self.token(role, scope)
        )
        text = answer.get_data(as_text=True)
        assert answer.status_code == expect, f"{method} {path}: {answer.status_code} {text}"
        return json.loads(text) if text else None

    # -- waiting ---------------------------------------------------------------------------
    def quiet(self) -> bool:
        """Every outbox published and every consumer at the end of every topic it reads."""
        bus = self.embedded.bus
        for app in self.embedded.apps.values():
            table = runtime_of(app).outbox.table
            with Session(engine_of(app)) as session:
                waiting = session.scalar(
                    select(func.count()).select_from(table).where(table.c.published_at.is_(None))
                )
            if waiting:
                return False
        for worker in self.embedded.workers:
            consumer = worker.consumer
            if consumer is None:
                continue
            for topic in consumer.topics:
                log = bus.log(topic)
                if log and bus.offsets.committed(consumer.group, topic) < log[-1][0]:
                    return False
        return True

    def targets(self, year: int, region_code: str | None = None) -> dict[str, Any]:
        query = {"year": year, **({"region_code": region_code} if region_code else {})}
        answer = self.client.get("/api/v1/targets", query_string=query)  # public: no token
        assert answer.status_code == 200, answer.get_data(as_text=True)
        body = json.loads(answer.get_data(as_text=True))
        return {target["key"]: target for target in body["targets"]}

    def settled(self, year: int, timeout: float = 20.0) -> dict[str, Any]:
        """The targets of ``year`` once the platform is quiet and they stopped moving."""
        deadline = time.monotonic() + timeout
        last: dict[str, Any] | None = None
        while time.monotonic() < deadline:
            if self.quiet():
                now = self.targets(year)
                if now == last:
                    return now
                last = now
            time.sleep(0.1)
        raise AssertionError(f"the targets of {year} did not settle within {timeout}s")

    def settle(self) -> None:
        self.settled(today_in_shanghai().year)

    # -- the registry ----------------------------------------------------------------------
    def enterprise(self, county: str, has_union: bool) -> str:
        organisation = "".join(self.rng.choice(USCC_ALPHABET) for _ in range(9))
        body = {
            "uscc": make_uscc("91" + county + organisation),
            "name": f"嘉兴{uuid.uuid4().hex[:4]}制造有限公司",
            "region_code": county,
            "has_union": has_union,
            "above_designated_size": True,
            "ownership": "non_public",
            "employee_count": 80,
            **({"union_founded_on": "2016-05-01"} if has_union else {}),
        }
        return str(self.call("POST", "/registry/api/v1/enterprises", body, 201)["id"])

    def worker(self, enterprise_id: str, member: bool, migrant: bool, name: str) -> str:
        born = date(self.rng.randint(1970, 2000), self.rng.randint(1, 12), self.rng.randint(1, 28))
        body = {
            "id_number": make_id_number(
                "330402", born, self.rng.randint(0, 99), self.rng.choice((MALE, FEMALE))
            ),
            "name": name,
            "occupation_code": OCCUPATION,
            "is_migrant": migrant,
            "is_union_member": member,
            "hired_on": "2019-03-01",
            **({"union_joined_on": "2020-06-01"} if member else {}),
        }
        path = f"/registry/api/v1/enterprises/{enterprise_id}/workers"
        return str(self.call("POST", path, body, 201)["id"])

    # -- competitions ----------------------------------------------------------------------
    def competition(self, year: int, title: str) -> str:
        body = competition_body(
            title=title,
            occupation_code=OCCUPATION,
            year=year,
            team_size={"min": 1, "max": 3},
            awards=[{"name": "一等奖", "places": 1}],
        )
        competition = str(self.call("POST", "/competitions/api/v1/competitions", body, 201)["id"])
        self.call("POST", f"/competitions/api/v1/competitions/{competition}/open")
        return competition

    def entry(self, competition: str, enterprise: str, *workers: str) -> str:
        body = {"enterprise_id": enterprise, "worker_ids": list(workers), "team_name": "精工班组"}
        path = f"/competitions/api/v1/competitions/{competition}/entries"
        return str(self.call("POST", path, body, 201)["id"])

    # -- certification ---------------------------------------------------------------------
    def assessor(self) -> str:
        authorisations = [
            {"occupation_code": code, "levels": [5, 4, 3], "valid_from": "2020-01-01"}
            for code in (OCCUPATION, WELDER)
        ]
        body = {"name": "李评价", "authorisations": authorisations}
        return str(self.call("POST", "/certification/api/v1/assessors", body, 201)["id"])

    def assess(
        self,
        assessor: str,
        worker: str,
        on: date,
        passing: bool = True,
        occupation: str = OCCUPATION,
    ) -> dict[str, Any]:
        body = {
            "worker_id": worker,
            "occupation_code": occupation,
            "level": 5,
            "theory_score": 81 if passing else 42,
            "practical_score": 86,
            "review_passed": None,
            "assessed_on": on.isoformat(),
        }
        path = "/certification/api/v1/assessments"
        answer: dict[str, Any] = self.call("POST", path, body, 201, "assessor", assessor)
        return answer

    def training(self, worker: str, on: date, course: str = "数控车床操作") -> None:
        body = {"worker_id": worker, "course": course, "hours": 16, "completed_on": on.isoformat()}
        self.call("POST", "/certification/api/v1/trainings", body, 201)

    def studio(self, enterprise: str, leader: str, level: str) -> None:
        body = {
            "name": f"{level}创新工作室",
            "enterprise_id": enterprise,
            "leader_worker_id": leader,
            "level": level,
            "leader_is_model_worker": True,
        }
        studio = self.call("POST", "/certification/api/v1/studios", body, 201)["id"]
        self.call("POST", f"/certification/api/v1/studios/{studio}/approve")

    def skill_leader(self, worker: str, occupation: str = OCCUPATION) -> None:
        body = {"worker_id": worker, "occupation_code": occupation}
        self.call("POST", "/certification/api/v1/skill-leaders", body, 201)

    # -- what the sources report -----------------------------------------------------------
    def sources(self, year: int) -> dict[str, Any]:
        return {
            "registry": self.call("GET", "/registry/api/v1/stats", role="reader"),
            "coverage": self.call("GET", "/competitions/api/v1/coverage", role="reader", year=year),
            "certification": self.call(
                "GET", "/certification/api/v1/stats", role="reader", year=year
            ),
        }


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path)})
    running = Platform(settings)
    running.start()
    try:
        yield running
    finally:
        running.stop()
        for app in running.embedded.apps.values():
            engine_of(app).dispose()


def drive_the_facts(p: Platform, year: int, today: date) -> None:
    """A few enterprises and workers, this year's competitions and a last year's one, and the
    certification facts of this year, of last year and of before the plan."""
    last_year, long_ago = date(year - 1, 11, 20), date(year - 3, 6, 1)
    nanhu = p.enterprise("330402", has_union=True)
    xiuzhou = p.enterprise("330411", has_union=True)
    jiashan = p.enterprise("330421", has_union=False)
    tongxiang = p.enterprise("330483", has_union=True)
    zhang = p.worker(nanhu, member=True, migrant=True, name="张建国")
    wang = p.worker(nanhu, member=True, migrant=False, name="王丽")
    li = p.worker(nanhu, member=False, migrant=True, name="李强")
    zhao = p.worker(xiuzhou, member=True, migrant=False, name="赵敏")
    chen = p.worker(xiuzhou, member=False, migrant=True, name="陈刚")
    liu = p.worker(jiashan, member=False, migrant=False, name="刘洋")
    sun = p.worker(jiashan, member=False, migrant=True, name="孙磊")
    zhou = p.worker(tongxiang, member=True, migrant=False, name="周杰")
    p.settle()  # the replicas of competitions and certification know them

    lathe = p.competition(year, f"{year}年嘉兴市数控车工技能比武")
    energy = p.competition(year, f"{year}年节能减排劳动竞赛")
    earlier = p.competition(year - 1, f"{year - 1}年嘉兴市焊工技能比武")
    p.entry(lathe, nanhu, zhang, wang)
    p.entry(lathe, xiuzhou, zhao)
    withdrawn = p.entry(lathe, jiashan, liu)
    p.entry(energy, nanhu, zhang)  # zhang again: a person-time, not a second worker
    p.entry(earlier, tongxiang, zhou)  # last year's competition
    p.call("DELETE", f"/competitions/api/v1/competitions/{lathe}/entries/{withdrawn}", expect=204)
    p.call("POST", f"/registry/api/v1/workers/{wang}/leave", {})  # entered, then left

    assessor = p.assessor()
    for worker in (zhang, zhao, chen, zhou):
        assert p.assess(assessor, worker, today)["promotion"] == {"from_level": None, "to_level": 5}
    p.assess(assessor, zhang, today, occupation=WELDER)  # one worker, two promotions this year
    assert p.assess(assessor, liu, today, passing=False)["promotion"] is None
    p.assess(assessor, sun, last_year)  # last year's promotion
    p.training(zhang, today)
    p.training(zhang, today, course="安全生产")  # trained twice: one worker
    p.training(li, today)
    p.training(zhao, last_year)
    p.training(chen, long_ago)  # before the plan: still "to date"
    p.studio(nanhu, zhang, "municipal")
    p.studio(xiuzhou, zhao, "county")
    p.skill_leader(zhou)
    p.skill_leader(zhou, WELDER)  # one person, designated twice
    p.skill_leader(zhao)


def compare(p: Platform, year: int, targets: dict[str, Any]) -> None:
    """Each target of ``year`` (and each county) against the field its source reports."""
    sources = p.sources(year)
    regions = {
        source: {row["region_code"]: row for row in sources[source]["by_region"]}
        for source in ("registry", "coverage")
    }
    for key, (source, part, whole, rate) in RATE_KEYS.items():
        reported = sources[source]
        target = targets[key]
        assert (target["counts"][part], target["counts"][whole]) == (
            reported[part],
            reported[whole],
        ), key
        # the same share, in percent with two decimals (the registry says null over nothing)
        assert target["current"] == round(100 * (reported[rate] or 0), 2), key
        for county in COUNTIES:
            row = regions[source][county]
            share = round(100 * row[part] / row[whole], 2) if row[whole] else 0
            assert target["by_region"][county] == share, (key, county)
    coverage = sources["coverage"]
    assert targets["worker_participation"]["counts"]["person_times"] == coverage["person_times"]
    certification = sources["certification"]
    promotions = targets["yearly_promotions"]
    assert promotions["current"] == certification["promotions"]["total"]
    for county in COUNTIES:
        assert promotions["by_region"][county] == certification["promotions"]["by_region"].get(
            county, 0
        ), ("yearly_promotions", county)
    for key, field in COUNT_KEYS.items():
        assert targets[key]["current"] == certification[field], key
        for county in COUNTIES:
            counted = certification["by_region"].get(county, {}).get(field, 0)
            assert targets[key]["by_region"][county] == counted, (key, county)


def test_the_dashboard_equals_its_sources_and_replay_keeps_it(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = today_in_shanghai()
    year = today.year
    drive_the_facts(platform, year, today)

    settled = {y: platform.settled(y) for y in (year, year - 1)}

    for y, targets in settled.items():
        compare(platform, y, targets)
    this_year = settled[year]
    current = {key: target["current"] for key, target in this_year.items()}
    assert current["yearly_promotions"] == 5  # four workers, one of them twice
    assert this_year["yearly_promotions"]["counts"]["workers_promoted"] == 4
    assert current["trained_workers"] == 4  # one of them before the plan, one last year
    assert current["trained_migrant_workers"] == 3
    assert (current["municipal_studios"], current["skill_leaders"]) == (1, 2)
    assert settled[year - 1]["yearly_promotions"]["current"] == 1
    for group in ("registry", "competitions", "certification", "dashboard"):
        assert platform.embedded.bus.dead_letters(group) == [], group

    dashboard = next(w for w in platform.embedded.workers if w.definition.name == "dashboard")
    dashboard.stop()  # as `jiangong replay` asks: the worker stopped first
    assert dashboard.replay() > 0
    for y, targets in settled.items():
        assert platform.targets(y) == targets, f"replay in place moved the targets of {y}"

    platform.stop()  # and the command itself, on the same data dir
    monkeypatch.setenv("JIANGONG_DATA_DIR", str(tmp_path))
    assert cli.main(["replay", "dashboard"]) == 0
    rebuilt = EmbeddedPlatform(platform.settings, ["dashboard"])
    try:
        client = Client(rebuilt.wsgi)
        for y, targets in settled.items():
            answer = json.loads(client.get(f"/api/v1/targets?year={y}").get_data(as_text=True))
            assert {t["key"]: t for t in answer["targets"]} == targets
    finally:
        rebuilt.bus.close()
        engine_of(rebuilt.apps["dashboard"]).dispose()


def test_a_fact_dated_at_the_turn_of_the_year_counts_in_its_own_year_on_both_sides(
    platform: Platform,
) -> None:
    today = today_in_shanghai()
    nanhu = platform.enterprise("330402", has_union=True)
    worker = platform.worker(nanhu, member=True, migrant=False, name="吴芳")
    platform.settle()
    assessor = platform.assessor()
    new_year_eve = date(today.year - 1, 12, 31)
    platform.assess(assessor, worker, new_year_eve)
    platform.training(worker, new_year_eve + timedelta(days=1))

    for y in (today.year - 1, today.year):
        compare(platform, y, platform.settled(y))
    assert platform.settled(today.year - 1)["yearly_promotions"]["current"] == 1
    assert platform.settled(today.year)["yearly_promotions"]["current"] == 0
