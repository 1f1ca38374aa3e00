"""Moving one entry on a board (binary search, one shifting UPDATE, local rank repair) always
leaves exactly the board a full ranking by the domain gives, ties and all."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from services.competitions.adapters.board_placement import place
from services.competitions.adapters.board_store import FROZEN, LIVE, ViewColumns, rerank
from services.competitions.adapters.read_tables import StandingRow
from services.competitions.adapters.repository import get_competition, to_domain

START = datetime(2025, 5, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "tie_breaks", [["first_criterion", "registered_at"], ["first_criterion"], []]
)
@pytest.mark.parametrize("view", [LIVE, FROZEN], ids=["live", "frozen"])
def test_moving_one_entry_at_a_time_gives_the_full_ranking(world, tie_breaks, view) -> None:
    _exercise(world, tie_breaks, view, moves=400)


@pytest.mark.postgres
def test_moving_one_entry_at_a_time_gives_the_full_ranking_on_postgresql(pg_world) -> None:
    _exercise(pg_world, [], LIVE, moves=150)


def _exercise(world, tie_breaks: list[str], view: ViewColumns, moves: int) -> None:
    competition_id = world.competition(tie_breaks=tie_breaks)
    rng = random.Random(f"{tie_breaks}{view.name}")
    table = StandingRow.__table__
    with Session(world.engine) as session, session.begin():
        competition = to_domain(get_competition(session, competition_id))
        entries = [f"e{n:03d}" for n in range(40)]
        for n, entry in enumerate(entries):
            session.add(
                StandingRow(
                    competition_id=competition_id,
                    entry_id=entry,
                    enterprise_id="ent",
                    registered_at=START + timedelta(seconds=n // 3),  # some share a moment
                    withdrawn=False,
                )
            )
        session.flush()
        rerank(session, competition, view, final=False)
        for _ in range(moves):
            entry = rng.choice(entries)
            change = rng.random()
            if change < 0.8:
                score = rng.choice([None, 50.0, 60.0, 60.0, 70.0, 80.0])
                first = rng.choice([1.0, 2.0]) if score is not None else None
                values = {view.score: score, view.first_criterion: first}
            elif change < 0.9:
                values = {table.c.withdrawn: not rng.random() < 0.5}
            else:
                values = {table.c.registered_at: rng.choice([None, START])}
            session.execute(
                update(table)
                .where(table.c.competition_id == competition_id, table.c.entry_id == entry)
                .values(values)
            )
            place(session, competition, view, entry)
            assert rerank(session, competition, view, final=False) is False
