"""Calls started together from threads, as clients acting at the same moment send them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def at_once(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Run each call in a thread of its own, all released by one barrier; their results in the
    order of ``calls``. A call that raised raises here, not lost in its thread."""
    start = threading.Barrier(len(calls))
    results: dict[int, T] = {}
    failures: list[BaseException] = []

    def run(index: int, call: Callable[[], T]) -> None:
        start.wait()
        try:
            results[index] = call()
        except BaseException as error:  # re-raised below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return [results[index] for index in range(len(calls))]
