"""Waiting for what a read model or another process does a few milliseconds later."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(predicate: Callable[[], bool], timeout: float = 15.0, every: float = 0.02) -> None:
    """Poll ``predicate`` until it holds; fail with the timeout if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise AssertionError(f"condition not met within {timeout}s")
