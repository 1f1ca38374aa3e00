"""Writers to one SQLite file, let in one at a time in the order they came.

SQLite lets one writer in at a time and makes the others wait in its busy handler, which
retries after sleeps that grow to 100 ms. A writer that commits and begins again at once (an
import writing its batches, a consumer its polls) takes the lock back before a waiter's sleep
ends, so a clerk's registration could wait out a whole import. Embedded, every writer of a file
is a thread of one process: each waits here for its turn, first come first served, and a writer
that leaves hands the turn straight to the first one waiting (``shared.db`` enters before
``BEGIN IMMEDIATE`` and leaves at the transaction's end). SQLite's own lock still keeps writers
of other processes (``jiangong migrate``, a replay) apart.
"""

from __future__ import annotations

import threading
from collections import deque


class WriteQueue:
    """A first-come-first-served turn to write, handed from one writer to the next."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: deque[threading.Event] = deque()
        self._taken = False

    def enter(self, timeout: float) -> bool:
        """Wait for the turn; False if it did not come within ``timeout`` seconds."""
        with self._lock:
            if not self._taken:
                self._taken = True
                return True
            turn = threading.Event()
            self._waiting.append(turn)
        if turn.wait(timeout):
            return True
        with self._lock:
            if turn.is_set():  # handed over as the wait ran out: the turn is ours
                return True
            self._waiting.remove(turn)
            return False

    def leave(self) -> None:
        """End the turn: the first writer waiting has it now, or nobody."""
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._taken = False
