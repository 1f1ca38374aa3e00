"""The rules tables an admin may replace: the promotion rules (:mod:`.assessment`) and the
contest rules (:mod:`.contest`), each stored in versions."""

from __future__ import annotations

from . import errors

PROMOTION = "promotion"
CONTEST = "contest"
KINDS = (PROMOTION, CONTEST)


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise errors.UnknownRulesTable()
