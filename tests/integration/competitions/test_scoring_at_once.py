"""One judge sending several marks for one entry at once (a double click, a phone retrying):
whichever is stored last on the scoresheet is the one the board shows and announces, on SQLite
and on PostgreSQL. The API is called from threads, each with its own test client. And two
consumers applying a judge's marks at once (a replay beside the worker) leave the board on
the newer ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from services.competitions.adapters.orm import ScoresheetRow, db
from services.competitions.adapters.repository import get_competition, to_domain
from services.competitions.domain.standings import score_of
from services.competitions.service import SERVICE
from shared.events import topic_of
from shared.inbox import Consumer, Delivery
from shared.runtime import runtime_of
from tests.support.at_once import at_once

AT_ONCE = 20
ROUNDS = 20
BOARD_UPDATED = "jiangong.leaderboard.updated.v1"
SCORE_RECORDED = "jiangong.score.recorded.v1"
OWN = topic_of("competitions")


def _case(world) -> dict[str, str]:
    enterprise = world.enterprise()
    competition = world.competition()
    world.move(competition, "open")
    entry = world.enter(competition, enterprise, world.worker(enterprise)).json["id"]
    judge = world.judge(competition)  # an outside expert
    world.move(competition, "close")
    return {"competition": competition, "entry": entry, "judge": judge}


def _marks_at_once(world, case: dict[str, str], round_: int) -> list[int]:
    """``AT_ONCE`` PUTs of different marks, started together; their statuses."""
    path = f"/api/v1/competitions/{case['competition']}/entries/{case['entry']}/scores"
    headers = world.auth("judge", case["judge"])

    def send(n: int) -> Callable[[], int]:
        client = world.app.test_client()
        marks = {"quality": 50 + n, "safety": 90 - n - round_}
        return lambda: client.put(path, json={"marks": marks}, headers=headers).status_code

    return at_once([send(n) for n in range(AT_ONCE)])


def _score_of_the_scoresheet(world, case: dict[str, str]) -> float:
    with world.app.app_context():
        sheet = db.session.scalars(
            select(ScoresheetRow.marks).where(ScoresheetRow.entry_id == case["entry"])
        ).one()
        competition = to_domain(get_competition(db.session, case["competition"]))
    score = score_of(competition, {case["judge"]: sheet})
    assert score is not None
    return score.score


def test_marks_sent_at_once_leave_the_board_equal_to_the_scoresheet(any_world) -> None:
    case = _case(any_world)
    for round_ in range(ROUNDS):
        assert _marks_at_once(any_world, case, round_) == [200] * AT_ONCE
        any_world.pump()  # the outbox relayed and consumed: the board as it now stands
        expected = _score_of_the_scoresheet(any_world, case)
        board = any_world.board(case["competition"]).json
        announced: Any = any_world.published(BOARD_UPDATED)[-1]
        assert [row["score"] for row in board["rows"]] == [expected], f"round {round_}"
        assert [row["score"] for row in announced["rows"]] == [expected], f"round {round_}"


def _recorded(world) -> list[Any]:
    """The ``score.recorded`` events the service published since the test last looked."""
    world.relay.drain()
    log = world.bus.log(OWN)[world.cursor :]
    world.cursor += len(log)
    return [event for _, event in log if event.get_type() == SCORE_RECORDED]


def test_marks_applied_at_once_by_two_consumers_leave_the_board_on_the_newer(any_world) -> None:
    case = _case(any_world)
    any_world.pump()
    runtime = runtime_of(any_world.app)
    consumers = [
        Consumer(
            "competitions",
            any_world.engine,
            SERVICE.kernel.inbox,
            SERVICE.consumes(),
            context=runtime.context,
        )
        for _ in range(2)
    ]
    for round_ in range(ROUNDS // 2):
        for quality in (10 + round_, 60 + round_):  # one after the other: the second is newer
            any_world.score(
                case["competition"], case["entry"], case["judge"], quality=quality, safety=50
            )
        older, newer = _recorded(any_world)
        pair = (older, newer) if round_ % 2 else (newer, older)
        dead_letters = at_once(
            [
                lambda c=consumer, e=event: c.handle([Delivery(OWN, 0, 0, event=e)])
                for consumer, event in zip(consumers, pair, strict=True)
            ]
        )
        assert dead_letters == [[], []]
        expected = _score_of_the_scoresheet(any_world, case)
        rows = any_world.board(case["competition"]).json["rows"]
        assert [row["score"] for row in rows] == [expected], f"round {round_}"
