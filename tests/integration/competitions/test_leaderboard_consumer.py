"""The leaderboard read model, fed by the service's own events: every event delivered twice
and in a shuffled order builds the same boards; a replay rebuilds them with rising versions."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select

from services.competitions.adapters.read_tables import LeaderboardRow, StandingRow
from services.competitions.service import SERVICE
from shared.inbox import Delivery
from shared.service import ServiceWorker

OWN = "jiangong.competitions"
REGISTRY = "jiangong.registry"


def _story(world) -> list[str]:
    """Two competitions (one with a freeze), withdrawals, re-scores, one published."""
    competitions = []
    for freeze in (None, world.now + timedelta(hours=1)):
        competition = world.competition(
            max_entries_per_enterprise=None,
            freeze_at=freeze and freeze.isoformat(),
            aggregation="trimmed_mean",
        )
        world.move(competition, "open")
        entries = []
        for _ in range(5):
            enterprise = world.enterprise()
            entries.append(
                world.enter(competition, enterprise, world.worker(enterprise)).json["id"]
            )
        path = f"/api/v1/competitions/{competition}/entries/{entries.pop()}"
        assert world.client.delete(path, headers=world.auth()).status_code == 204
        world.move(competition, "close")
        judges = [world.judge(competition) for _ in range(3)]
        rng = random.Random(7)
        for _round in range(2):
            world.now += timedelta(minutes=50)  # the second round is past the freeze
            for entry in entries:
                for judge in judges:
                    mark = rng.randint(40, 100)
                    world.score(competition, entry, judge, quality=mark, safety=100 - mark // 2)
        competitions.append(competition)
    world.move(competitions[0], "publish")
    return competitions


def _boards(world, competitions: list[str]) -> dict[str, Any]:
    seen = {}
    for competition in competitions:
        public = world.board(competition).json
        live = world.board(competition, view="live", headers=world.auth()).json
        seen[competition] = {
            "public": (public["status"], public["final"], public["frozen"], public["rows"]),
            "live": live["rows"],
        }
    awards = world.client.get("/api/v1/leaderboards/enterprises?year=2025").json
    seen["enterprises"] = [(e["enterprise_id"], e["points"], e["rank"]) for e in awards["items"]]
    return seen


def _forget_boards(world) -> None:
    with world.engine.begin() as connection:
        for table in SERVICE.read_models:
            if table.name.startswith(("leaderboard", "award")):
                connection.execute(delete(table))
        connection.execute(delete(LeaderboardRow.__table__))
        connection.execute(delete(SERVICE.kernel.inbox))


def test_own_events_delivered_twice_and_out_of_order_build_the_same_boards(world) -> None:
    competitions = _story(world)
    world.pump()
    expected = _boards(world, competitions)
    assert expected[competitions[0]]["public"][1] is True  # published: final
    assert len(expected["enterprises"]) == 3  # its three awards
    assert expected[competitions[1]]["public"][2] is True  # frozen for the public
    assert expected[competitions[1]]["public"][3] != expected[competitions[1]]["live"]

    events = [event for _, event in world.bus.log(OWN)]
    for seed in (1, 2):
        _forget_boards(world)
        shuffled = events * 2
        random.Random(seed).shuffle(shuffled)
        for start in range(0, len(shuffled), 37):
            batch = shuffled[start : start + 37]
            world.consumer.handle([Delivery(OWN, 0, n, event=e) for n, e in enumerate(batch)])
        assert _boards(world, competitions) == expected


def test_a_score_that_arrives_before_its_entry_waits_for_it(world) -> None:
    competition = world.competition()
    world.move(competition, "open")
    enterprise = world.enterprise()
    entry = world.enter(competition, enterprise, world.worker(enterprise)).json["id"]
    world.move(competition, "close")
    world.score(competition, entry, world.judge(competition), quality=80, safety=60)
    events = {event.get_type(): event for _, event in _relayed(world)}
    score, registered = events["jiangong.score.recorded.v1"], events["jiangong.entry.registered.v1"]
    world.consumer.handle([Delivery(OWN, 0, 1, event=score)])
    assert world.board(competition).json["rows"] == []
    world.consumer.handle([Delivery(OWN, 0, 2, event=registered)])
    [row] = world.board(competition).json["rows"]
    assert (row["entry_id"], row["score"], row["rank"]) == (entry, 72.0, 1)


def test_an_older_marking_delivered_late_does_not_replace_a_newer_one(world) -> None:
    competition = world.competition()
    world.move(competition, "open")
    enterprise = world.enterprise()
    entry = world.enter(competition, enterprise, world.worker(enterprise)).json["id"]
    world.move(competition, "close")
    judge = world.judge(competition)
    world.score(competition, entry, judge, quality=10, safety=10)
    world.now += timedelta(seconds=1)
    world.score(competition, entry, judge, quality=90, safety=90)
    relayed = [event for _, event in _relayed(world)]
    old, new = [e for e in relayed if e.get_type() == "jiangong.score.recorded.v1"]
    others = [e for e in relayed if e not in (old, new)]
    world.consumer.handle([Delivery(OWN, 0, n, event=e) for n, e in enumerate([*others, new, old])])
    [row] = world.board(competition).json["rows"]
    assert row["score"] == 90.0


def test_a_replay_rebuilds_the_boards_and_versions_keep_rising(world) -> None:
    competitions = _story(world)
    world.pump()
    expected = _boards(world, competitions)
    versions = {c: world.board(c).json["version"] for c in competitions}
    replayed = ServiceWorker(world.app, world.bus).replay()
    assert replayed == len(world.bus.log(OWN)) + len(world.bus.log(REGISTRY))
    assert _boards(world, competitions) == expected
    for competition in competitions:
        assert world.board(competition).json["version"] > versions[competition]
    with world.engine.connect() as connection:
        assert connection.execute(select(StandingRow.__table__)).all()


def _relayed(world) -> list[Any]:
    world.relay.drain()
    log = world.bus.log(OWN)[world.cursor :]
    world.cursor += len(log)
    return log
