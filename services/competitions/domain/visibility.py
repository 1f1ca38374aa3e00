"""Who sees which board: the live one, or the one frozen at the competition's ``freeze_at``.

A board has two views over the same entries: ``live`` (every judge's latest marks) and
``frozen`` (the marks recorded up to ``freeze_at``, kept only for a competition that has one).

* The public sees the frozen view of a competition with a ``freeze_at`` until its results are
  published (the board is final); before ``freeze_at`` that view holds every mark so far, so it
  shows what the live one does. The board says ``frozen`` once ``freeze_at`` has passed.
* A final board is the live view, with its awards.
* Only an admin may ask for the live view while a freeze holds.
* A board is labelled ``final``, ``frozen`` or ``live`` (in the answer and its ETag).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .model import Competition


class BoardView(StrEnum):
    LIVE = "live"
    FROZEN = "frozen"


LIVE_VIEW_ROLES = frozenset({"admin"})


def public_view(competition: Competition, final: bool) -> BoardView:
    """The view the public reads: frozen for a competition with a freeze until it is final."""
    return BoardView.FROZEN if competition.freeze_at is not None and not final else BoardView.LIVE


def is_frozen(competition: Competition, final: bool, now: datetime) -> bool:
    """True once ``freeze_at`` has passed, until the board is final."""
    freeze_at = competition.freeze_at
    return freeze_at is not None and not final and now >= freeze_at


def may_see_live(role: str) -> bool:
    return role in LIVE_VIEW_ROLES


@dataclass(frozen=True, slots=True)
class Shown:
    """What one reader is shown of a board."""

    view: BoardView
    """The rows read."""
    label: str
    """``final``, ``frozen`` or ``live``: the answer's ``view`` and part of its ETag."""
    frozen: bool
    """The answer's ``frozen`` flag: the reader sees the board as it stood at ``freeze_at``."""


def shown(
    competition: Competition, *, final: bool, started: bool, now: datetime, live: bool
) -> Shown:
    """What a reader sees; ``started``: the board has had a fact (it has rows and a version),
    ``live``: the reader asked for the live view (and may see it, see :func:`may_see_live`)."""
    frozen = started and is_frozen(competition, final, now)
    if live:
        return Shown(BoardView.LIVE, "final" if final else "live", False)
    view = public_view(competition, final) if started else BoardView.LIVE
    return Shown(view, "frozen" if frozen else ("final" if final else "live"), frozen)
