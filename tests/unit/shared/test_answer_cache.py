"""The answer cache computes a missing answer once, however many ask for it at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from shared.versions import AnswerCache
from tests.support.polling import wait_until

READERS = 8


class SlowCount:
    """A computation that holds until released, counting how often it ran."""

    def __init__(self, answer: Any = "the statistics", error: Exception | None = None):
        self.answer, self.error = answer, error
        self.runs = 0
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self) -> Any:
        self.runs += 1
        self.started.set()
        assert self.release.wait(10), "the test never released the computation"
        if self.error is not None:
            raise self.error
        return self.answer


def ask_together(cache: AnswerCache, compute: SlowCount, key: str = "stats") -> list[Any]:
    """``READERS`` threads ask for ``key`` while the first computation is held; each gets its
    answer, or the exception it was raised."""
    waiting = threading.Barrier(READERS)

    def ask() -> Any:
        waiting.wait(10)
        try:
            return cache.get(key, compute)
        except Exception as error:
            return error

    with ThreadPoolExecutor(READERS) as pool:
        futures = [pool.submit(ask) for _ in range(READERS)]
        assert compute.started.wait(10)
        _until_all_wait(cache, key)
        compute.release.set()
        return [future.result(10) for future in futures]


def _until_all_wait(cache: AnswerCache, key: str) -> None:
    """Every other reader is waiting on the one computation's result (its condition's waiters),
    or, if the cache did not share it, has started a computation of its own."""
    pending = cache._computing[key]
    wait_until(lambda: len(pending._condition._waiters) >= READERS - 1)  # type: ignore[attr-defined]


def test_a_missing_answer_is_computed_once_for_every_reader_asking_at_once() -> None:
    cache, compute = AnswerCache(), SlowCount()
    answers = ask_together(cache, compute)
    assert answers == ["the statistics"] * READERS
    assert compute.runs == 1
    assert cache.get("stats", compute) == "the statistics" and compute.runs == 1  # kept


def test_a_failed_computation_reaches_every_waiting_reader_and_is_not_kept() -> None:
    cache, compute = AnswerCache(), SlowCount(error=RuntimeError("database away"))
    answers = ask_together(cache, compute)
    assert all(isinstance(a, RuntimeError) and str(a) == "database away" for a in answers)
    assert compute.runs == 1
    assert cache.get("stats", lambda: "computed again") == "computed again"


def test_an_answer_not_to_be_kept_is_computed_by_each_reader_for_itself() -> None:
    cache, compute = AnswerCache(), SlowCount(answer=None)
    answers = ask_together(cache, compute)
    assert answers == [None] * READERS
    assert compute.runs == READERS


@pytest.mark.parametrize("other", ["another key", "stats"])
def test_different_keys_are_computed_apart(other: str) -> None:
    cache = AnswerCache()
    seen: list[str] = []

    def compute(name: str) -> Callable[[], str]:
        return lambda: seen.append(name) or name

    assert cache.get("stats", compute("stats")) == "stats"
    assert cache.get(other, compute(other)) == other
    assert seen == (["stats"] if other == "stats" else ["stats", other])
