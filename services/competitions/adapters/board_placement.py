"""Moving one entry on a board without re-ranking the others in Python.

When one entry's score changes (or it joins or leaves the board), only the rows between its
old and its new position move, each by one place. So: find the new position by binary search
over the stored positions (O(log N) single-row reads, compared with the domain's rank key),
shift the rows in between with one ``UPDATE`` (``position`` and ``rank`` ± 1), and repair the
ranks where tie groups may have changed: around the old and the new position. The result is
exactly what :func:`.board_store.rerank` (a full ranking by the domain) gives; the tests check it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy import Row, and_, bindparam, func, select, update
from sqlalchemy.orm import Session

from services.competitions.adapters.board_store import STANDINGS, ViewColumns, standing_columns
from services.competitions.domain.model import Competition
from services.competitions.domain.ranking import ScoredEntry, rank_key
from shared.clock import as_utc

Key = Callable[[ScoredEntry], tuple[Any, ...]]


def _columns(view: ViewColumns) -> Any:
    return standing_columns(view).where(STANDINGS.c.competition_id == bindparam("competition"))


@functools.cache
def _row_at(view: ViewColumns) -> Any:
    """Built once per view: a probe is then a cached statement with two parameters."""
    return _columns(view).where(view.position == bindparam("position"))


def _entry(row: Row[Any]) -> ScoredEntry:
    return ScoredEntry(
        row.entry_id, row.enterprise_id or "", row.score, row.first, as_utc(row.registered_at)
    )


class Placement:
    def __init__(self, session: Session, competition: Competition, view: ViewColumns):
        self.session, self.view, self.id = session, view, competition.id
        self.key: Key = rank_key(competition.tie_breaks)
        self.board = and_(STANDINGS.c.competition_id == competition.id)

    def at(self, position: int) -> Row[Any] | None:
        parameters = {"competition": self.id, "position": position}
        return self.session.execute(_row_at(self.view), parameters).first()

    def _set(self, entry_id: str, position: int | None, rank: int | None) -> None:
        self.session.execute(
            update(STANDINGS)
            .where(self.board, STANDINGS.c.entry_id == entry_id)
            .values({self.view.position: position, self.view.rank: rank})
        )

    def _shift(self, first: int, last: int | None, delta: int) -> None:
        moved = self.view.position >= first
        if last is not None:
            moved = and_(moved, self.view.position <= last)
        self.session.execute(
            update(STANDINGS)
            .where(self.board, moved)
            .values(
                {
                    self.view.position: self.view.position + delta,
                    self.view.rank: self.view.rank + delta,
                }
            )
        )

    def _insertion(self, entry: ScoredEntry, others: int, gap: int | None) -> int:
        """1 + how many of the other ranked entries come before ``entry`` (binary search)."""
        order = (self.key(entry), entry.entry_id)
        low, high = 0, others
        while low < high:
            middle = (low + high) // 2  # the (middle + 1)-th other entry
            index = middle + 1
            row = self.at(index if gap is None or index < gap else index + 1)
            assert row is not None, "positions of a board are 1..N without holes"
            if (self.key(_entry(row)), row.entry_id) < order:
                low = middle + 1
            else:
                high = middle
        return low + 1

    def _repair(self, around: int) -> None:
        """Ranks again from the tie group before ``around`` to the one after it."""
        window = [row for p in (around - 1, around, around + 1) if (row := self.at(p))]
        if not window:
            return
        while window[0].position > 1 and self._tied(
            before := self.at(window[0].position - 1), window[0]
        ):
            window.insert(0, before)
        while (after := self.at(window[-1].position + 1)) is not None and self._tied(
            window[-1], after
        ):
            window.append(after)
        rank = window[0].position
        for previous, row in zip([None, *window], window, strict=False):
            if previous is not None and not self._tied(previous, row):
                rank = row.position
            if row.rank != rank:
                self._set(row.entry_id, row.position, rank)

    def _tied(self, first: Row[Any] | None, second: Row[Any]) -> bool:
        return first is not None and self.key(_entry(first)) == self.key(_entry(second))

    def place(self, entry_id: str) -> bool:
        """Put the entry where its current score ranks it (off the board if it has none or
        is withdrawn or not registered); True if the board changed."""
        self.session.flush()
        me = self.session.execute(
            _columns(self.view).where(STANDINGS.c.entry_id == entry_id), {"competition": self.id}
        ).one()
        eligible = me.registered_at is not None and not me.withdrawn and me.score is not None
        old = me.position
        if old is None and not eligible:
            return False
        if old is not None:
            self._set(entry_id, None, None)
        highest = self.session.scalar(select(func.max(self.view.position)).where(self.board)) or 0
        gap = old if old is not None and old <= highest else None
        new = self._insertion(_entry(me), highest - (gap is not None), gap) if eligible else None
        if old is not None and new is not None and new != old:
            self._shift(*((new, old - 1, 1) if new < old else (old + 1, new, -1)))
        elif new is None:
            self._shift(old + 1, None, -1)  # type: ignore[operator]
        elif old is None:
            self._shift(new, None, 1)
        if new is not None:
            self._set(entry_id, new, new)
        for seam in sorted({p for p in (old, new) if p is not None}):
            self._repair(seam)
        return True


def place(session: Session, competition: Competition, view: ViewColumns, entry_id: str) -> bool:
    return Placement(session, competition, view).place(entry_id)
