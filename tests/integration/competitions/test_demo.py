"""The demo (``jiangong up --demo``): this year's competitions in every state, entries from a good
share of the registry's enterprises, a live board and a published one, all with names; loaded
once. The registry's enterprises and workers reach the replicas as events first."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from services.competitions.demo import load_demo
from shared.clock import shanghai_date
from shared.events import new_event
from tests.integration.competitions.conftest import World

COUNTIES = ("330402", "330411", "330421", "330424", "330481", "330482", "330483")


def _jiaxing(world: World, enterprises: int = 70) -> dict[str, str]:
    """Enterprises (ten of them in Xiuzhou) with 2 to 9 workers each, as registry events in one
    batch; returns ``{enterprise id: name}``."""
    rng = random.Random(3)
    events, names = [], {}
    for n in range(enterprises):
        enterprise_id = f"ent-demo-{n:03d}"
        names[enterprise_id] = f"嘉兴示范{n:03d}机械有限公司"
        county = "330411" if n < 10 else COUNTIES[n % 7]
        data = {"id": enterprise_id, "name": names[enterprise_id], "region_code": county}
        events.append(new_event("registry", "jiangong.enterprise.registered.v1", data["id"], data))
        for m in range(rng.randint(2, 9)):
            worker = {
                "id": f"wkr-demo-{n:03d}-{m}",
                "enterprise_id": enterprise_id,
                "name": f"职工{n}号{m}",
                "id_number_masked": "330402********123X",
                "region_code": county,
                "is_migrant": m % 4 == 0,
            }
            events.append(
                new_event("registry", "jiangong.worker.registered.v1", worker["id"], worker)
            )
    world.deliver(*events)
    return names


def _listed(world: World) -> list[dict[str, Any]]:
    answer = world.client.get("/api/v1/competitions?per_page=100", headers=world.auth("reader"))
    return list(answer.json["items"])


def _entries(world: World, competition_id: str) -> list[dict[str, Any]]:
    path = f"/api/v1/competitions/{competition_id}/entries?per_page=100"
    return list(world.client.get(path, headers=world.auth()).json["items"])


def test_the_demo_enters_many_enterprises_scores_one_board_and_publishes_another(
    world: World,
) -> None:
    names = _jiaxing(world)
    load_demo(world.app, settle=0.1, poll=0.02)
    world.pump()

    competitions = {c["status"]: c for c in _listed(world)}
    statuses = Counter(c["status"] for c in _listed(world))
    assert statuses == {"draft": 1, "open": 2, "closed": 1, "published": 1}
    year = shanghai_date(world.now).year
    assert {c["year"] for c in _listed(world)} == {year}

    coverage = world.client.get(f"/api/v1/coverage?year={year}", headers=world.auth()).json
    assert coverage["enterprises_total"] == len(names)
    assert 0.2 <= coverage["enterprise_coverage"] <= 0.6
    assert coverage["person_times"] > coverage["enterprises_participating"]

    for competition in _listed(world):
        if competition["status"] in ("open", "closed", "published"):
            entries = _entries(world, competition["id"])
            assert entries, competition["title"]
            assert all(e["enterprise_name"] == names[e["enterprise_id"]] for e in entries)
            assert all(len(e["worker_names"]) == len(e["worker_ids"]) for e in entries)
        if competition["region_code"] == "330411":
            assert {e["region_code"] for e in _entries(world, competition["id"])} == {"330411"}

    scoring = competitions["closed"]
    live = world.board(scoring["id"]).json
    assert live["view"] == "live" and live["final"] is False
    entered = len(_entries(world, scoring["id"]))
    assert 0 < live["total"] < entered  # some entries are still to be marked
    for row in live["rows"]:
        assert row["enterprise_name"] == names[row["enterprise_id"]]
        assert row["worker_names"] and row["award"] is None

    published = world.board(competitions["published"]["id"]).json
    assert published["final"] is True and published["view"] == "final"
    assert published["rows"][0]["award"] == "一等奖"
    assert all(row["team_name"] and row["worker_names"] for row in published["rows"])

    outbox = len(world.published("jiangong.entry.registered.v1"))
    load_demo(world.app, settle=0.1, poll=0.02)  # loading twice adds nothing
    assert len(_listed(world)) == 5
    assert len(world.published("jiangong.entry.registered.v1")) == outbox


def test_without_replicas_the_demo_creates_its_competitions_without_entries(world) -> None:
    load_demo(world.app, wait=0.3, settle=0.1, poll=0.02)
    world.pump()
    statuses = Counter(c["status"] for c in _listed(world))
    assert statuses == {"draft": 3, "open": 2}
    assert world.published("jiangong.entry.registered.v1") == []
