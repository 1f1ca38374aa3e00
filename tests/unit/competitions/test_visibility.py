"""Who sees which board: the frozen view for the public while a freeze holds, the live one for
admins and once the results are published."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.competitions.domain.model import Competition, Criterion, Kind, Level, Status
from services.competitions.domain.visibility import (
    BoardView,
    Shown,
    is_frozen,
    may_see_live,
    public_view,
    shown,
)

FREEZE = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
BEFORE, AFTER = FREEZE - timedelta(minutes=1), FREEZE + timedelta(minutes=1)
WITH_FREEZE = Competition(
    id="c1",
    kind=Kind.SKILL_CONTEST,
    level=Level.CITY,
    criteria=(Criterion("quality", "Quality", 1, 100),),
    freeze_at=FREEZE,
    status=Status.CLOSED,
)
WITHOUT_FREEZE = replace(WITH_FREEZE, freeze_at=None)


def test_the_public_reads_the_frozen_view_of_a_competition_with_a_freeze_until_final() -> None:
    assert public_view(WITH_FREEZE, final=False) is BoardView.FROZEN
    assert public_view(WITH_FREEZE, final=True) is BoardView.LIVE
    assert public_view(WITHOUT_FREEZE, final=False) is BoardView.LIVE


def test_a_board_is_frozen_from_the_freeze_until_it_is_final() -> None:
    assert not is_frozen(WITH_FREEZE, final=False, now=BEFORE)
    assert is_frozen(WITH_FREEZE, final=False, now=FREEZE)
    assert is_frozen(WITH_FREEZE, final=False, now=AFTER)
    assert not is_frozen(WITH_FREEZE, final=True, now=AFTER)
    assert not is_frozen(WITHOUT_FREEZE, final=False, now=AFTER)


@pytest.mark.parametrize(
    ("role", "allowed"), [("admin", True), ("reader", False), ("judge", False)]
)
def test_only_admins_see_the_live_view(role: str, allowed: bool) -> None:
    assert may_see_live(role) is allowed


def test_past_the_freeze_the_public_sees_the_frozen_board_and_an_admin_the_live_one() -> None:
    public = shown(WITH_FREEZE, final=False, started=True, now=AFTER, live=False)
    assert public == Shown(BoardView.FROZEN, "frozen", True)
    admin = shown(WITH_FREEZE, final=False, started=True, now=AFTER, live=True)
    assert admin == Shown(BoardView.LIVE, "live", False)


def test_before_the_freeze_the_public_reads_the_frozen_view_labelled_live() -> None:
    assert shown(WITH_FREEZE, final=False, started=True, now=BEFORE, live=False) == Shown(
        BoardView.FROZEN, "live", False
    )


def test_a_final_board_is_the_live_view_labelled_final_for_everyone() -> None:
    for live in (False, True):
        seen = shown(WITH_FREEZE, final=True, started=True, now=AFTER, live=live)
        assert seen == Shown(BoardView.LIVE, "final", False)


def test_a_board_without_any_fact_yet_is_the_live_view_and_not_frozen() -> None:
    seen = shown(WITH_FREEZE, final=False, started=False, now=AFTER, live=False)
    assert seen == Shown(BoardView.LIVE, "live", False)
