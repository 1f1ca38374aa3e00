"""Names on boards and entries: every board row (live, frozen, final) and every
``leaderboard.updated`` row names the entry's enterprise, team and workers, as the registry
replicas give them; a missing replica gives no name, never an error; a rename reaches the board
with a new version; and the registry's and the service's own events, delivered twice and in any
order, build the same named boards."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import delete

from services.competitions.adapters.read_tables import (
    EnterpriseReplica,
    LeaderboardRow,
    WorkerReplica,
)
from services.competitions.service import SERVICE
from shared.inbox import Delivery
from tests.integration.competitions.conftest import World

OWN = "jiangong.competitions"
REGISTRY = "jiangong.registry"
UPDATED = "jiangong.leaderboard.updated.v1"
NAMED = ("enterprise_id", "enterprise_name", "team_name", "worker_names")


def _enter(world: World, competition: str, enterprise: str, workers: list[str], team: Any) -> str:
    body = {"enterprise_id": enterprise, "worker_ids": workers, "team_name": team}
    answer = world.client.post(
        f"/api/v1/competitions/{competition}/entries", json=body, headers=world.auth()
    )
    assert answer.status_code == 201, answer.json
    return str(answer.json["id"])


def _names(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [tuple(row[name] for name in ("entry_id", *NAMED)) for row in rows]


def _team_case(world: World, **spec: Any) -> dict[str, Any]:
    """Two enterprises; one enters a named team of two (workers in the order given), the other
    a single worker without a team name; the competition is closed for judging."""
    steel = world.enterprise(name="嘉兴钢联机械有限公司")
    cloth = world.enterprise("330411", name="秀洲锦华纺织有限公司")
    first, second = world.worker(steel, name="王建国"), world.worker(steel, name="李秀英")
    weaver = world.worker(cloth, "330411", name="陈晓燕")
    competition = world.competition(team_size={"min": 1, "max": 2}, **spec)
    world.move(competition, "open")
    team = _enter(world, competition, steel, [second, first], "钳工一班")
    single = _enter(world, competition, cloth, [weaver], None)
    world.move(competition, "close")
    return {
        "competition": competition,
        "team": team,
        "single": single,
        "steel": steel,
        "cloth": cloth,
        "workers": (first, second, weaver),
        "judge": world.judge(competition),
    }


def test_board_rows_and_leaderboard_events_carry_the_names(any_world: World) -> None:
    world = any_world
    case = _team_case(world)
    competition, judge = case["competition"], case["judge"]
    world.score(competition, case["team"], judge, quality=90, safety=90)
    world.score(competition, case["single"], judge, quality=70, safety=70)
    world.pump()
    expected = [
        (case["team"], case["steel"], "嘉兴钢联机械有限公司", "钳工一班", ["李秀英", "王建国"]),
        (case["single"], case["cloth"], "秀洲锦华纺织有限公司", None, ["陈晓燕"]),
    ]
    assert _names(world.board(competition).json["rows"]) == expected
    live = world.board(competition, view="live", headers=world.auth()).json["rows"]
    assert _names(live) == expected
    [*_, event] = world.published(UPDATED)
    assert _names(event["rows"]) == expected


def test_entries_are_answered_with_their_names(world: World) -> None:
    case = _team_case(world)
    path = f"/api/v1/competitions/{case['competition']}/entries"
    one = world.client.get(f"{path}/{case['team']}", headers=world.auth()).json
    assert one["enterprise_name"] == "嘉兴钢联机械有限公司"
    assert one["worker_names"] == ["李秀英", "王建国"] and one["team_name"] == "钳工一班"
    listed = world.client.get(path, headers=world.auth("enterprise", case["cloth"])).json
    [mine] = listed["items"]
    assert (mine["enterprise_name"], mine["worker_names"]) == ("秀洲锦华纺织有限公司", ["陈晓燕"])

    competition = world.competition()
    world.move(competition, "open")
    enterprise = world.enterprise(name="南湖新凯电子有限公司")
    created = world.enter(competition, enterprise, world.worker(enterprise, name="赵敏")).json
    assert (created["enterprise_name"], created["worker_names"]) == (
        "南湖新凯电子有限公司",
        ["赵敏"],
    )


def test_frozen_and_final_boards_carry_the_names(world: World) -> None:
    freeze_at = world.now + timedelta(hours=1)
    case = _team_case(world, freeze_at=freeze_at.isoformat())
    competition, judge = case["competition"], case["judge"]
    world.score(competition, case["single"], judge, quality=80, safety=80)
    world.now = freeze_at + timedelta(minutes=1)
    world.score(competition, case["team"], judge, quality=95, safety=95)
    world.pump()
    frozen = world.board(competition).json
    assert frozen["frozen"] is True
    assert _names(frozen["rows"]) == [
        (case["single"], case["cloth"], "秀洲锦华纺织有限公司", None, ["陈晓燕"])
    ]
    world.move(competition, "publish")
    world.pump()
    final = world.board(competition).json
    assert final["final"] is True
    assert [(r["team_name"], r["worker_names"], r["award"]) for r in final["rows"]] == [
        ("钳工一班", ["李秀英", "王建国"], "一等奖"),
        (None, ["陈晓燕"], "二等奖"),
    ]
    [*_, event] = world.published(UPDATED)
    assert event["final"] is True and _names(event["rows"]) == _names(final["rows"])


def test_a_renamed_worker_or_enterprise_reaches_the_board_with_a_new_version(world) -> None:
    case = _team_case(world)
    competition, judge = case["competition"], case["judge"]
    world.score(competition, case["team"], judge, quality=90, safety=90)
    world.pump()
    before = world.board(competition).json
    first, _, weaver = case["workers"]
    world.registry_event(
        "worker.updated", {"id": first, "enterprise_id": case["steel"], "name": "王建华"}
    )
    after = world.board(competition).json
    assert after["version"] == before["version"] + 1
    assert after["rows"][0]["worker_names"] == ["李秀英", "王建华"]
    assert world.published(UPDATED)[-1]["rows"][0]["worker_names"] == ["李秀英", "王建华"]

    world.registry_event(
        "enterprise.updated", {"id": case["steel"], "name": "嘉兴钢联集团有限公司"}
    )
    renamed = world.board(competition).json
    assert renamed["version"] == after["version"] + 1
    assert renamed["rows"][0]["enterprise_name"] == "嘉兴钢联集团有限公司"

    # an entry not on the board yet (no marks): its new name waits, the board does not move
    world.registry_event(
        "worker.updated", {"id": weaver, "enterprise_id": case["cloth"], "name": "陈小燕"}
    )
    world.registry_event(
        "worker.updated", {"id": first, "enterprise_id": case["steel"], "is_migrant": True}
    )
    assert world.board(competition).json["version"] == renamed["version"]
    world.score(competition, case["single"], judge, quality=50, safety=50)
    world.pump()
    assert world.board(competition).json["rows"][1]["worker_names"] == ["陈小燕"]


def _forget(world: World, replicas: bool) -> None:
    """Empty the boards (and the replicas) and the inbox, as before a replay."""
    with world.engine.begin() as connection:
        for table in SERVICE.read_models:
            if table.name.startswith(("leaderboard", "award")):
                connection.execute(delete(table))
        if replicas:
            connection.execute(delete(EnterpriseReplica.__table__))
            connection.execute(delete(WorkerReplica.__table__))
        connection.execute(delete(LeaderboardRow.__table__))
        connection.execute(delete(SERVICE.kernel.inbox))


def _deliver(world: World, events: list[tuple[str, Any]], batch: int = 23) -> None:
    for start in range(0, len(events), batch):
        chunk = events[start : start + batch]
        deliveries = [Delivery(topic, 0, n, event=e) for n, (topic, e) in enumerate(chunk)]
        assert world.consumer.handle(deliveries) == []


def _story(world: World) -> list[str]:
    """Two competitions (one frozen part-way), several enterprises and re-scores, one
    published."""
    competitions = []
    for freeze in (None, world.now + timedelta(hours=1)):
        competition = world.competition(
            max_entries_per_enterprise=None,
            team_size={"min": 1, "max": 2},
            freeze_at=freeze and freeze.isoformat(),
        )
        world.move(competition, "open")
        entries = []
        for n in range(4):
            enterprise = world.enterprise(name=f"企业{n}有限公司")
            workers = [world.worker(enterprise, name=f"职工{n}-{m}") for m in range(2)]
            entries.append(_enter(world, competition, enterprise, workers, f"班组{n}"))
        world.move(competition, "close")
        judges = [world.judge(competition) for _ in range(2)]
        rng = random.Random(5)
        for _round in range(2):
            world.now += timedelta(minutes=40)
            for entry in entries:
                for judge in judges:
                    mark = rng.randint(40, 100)
                    world.score(competition, entry, judge, quality=mark, safety=100 - mark // 3)
        competitions.append(competition)
    world.move(competitions[0], "publish")
    world.pump()
    return competitions


def _boards(world: World, competitions: list[str]) -> dict[str, Any]:
    return {
        competition: (
            world.board(competition).json["rows"],
            world.board(competition, view="live", headers=world.auth()).json["rows"],
        )
        for competition in competitions
    }


def test_registry_and_own_events_twice_and_in_any_order_build_the_same_named_boards(
    any_world: World,
) -> None:
    world = any_world
    competitions = _story(world)
    expected = _boards(world, competitions)
    assert all(
        row["enterprise_name"] and row["worker_names"] for row in expected[competitions[0]][0]
    )
    events = [(OWN, e) for _, e in world.bus.log(OWN)] + [
        (REGISTRY, e) for _, e in world.bus.log(REGISTRY)
    ]
    for seed in (1, 2, 3):
        _forget(world, replicas=True)
        shuffled = events * 2
        random.Random(seed).shuffle(shuffled)
        _deliver(world, shuffled)
        assert _boards(world, competitions) == expected


def test_without_replicas_the_rows_have_no_names_until_the_registry_speaks(world) -> None:
    competitions = _story(world)
    expected = _boards(world, competitions)
    _forget(world, replicas=True)
    _deliver(world, [(OWN, e) for _, e in world.bus.log(OWN)])  # the service's own topic first
    nameless = world.board(competitions[0]).json
    assert nameless["rows"] and all(
        (row["enterprise_name"], row["worker_names"]) == (None, []) for row in nameless["rows"]
    )
    assert {row["team_name"] for row in nameless["rows"]} == {f"班组{n}" for n in range(4)}
    path = f"/api/v1/competitions/{competitions[0]}/entries"
    entry = world.client.get(path, headers=world.auth()).json["items"][0]
    assert (entry["enterprise_name"], entry["worker_names"]) == (None, [])

    _deliver(world, [(REGISTRY, e) for _, e in world.bus.log(REGISTRY)])  # then the registry's
    named = world.board(competitions[0]).json
    assert named["version"] > nameless["version"]
    assert _boards(world, competitions) == expected
    [*_, last] = [e for e in world.published(UPDATED) if e["competition_id"] == competitions[0]]
    assert last["version"] == named["version"] and _names(last["rows"]) == _names(named["rows"])
