"""What the streams send, computed once per version and shared by every stream of a process.

A stream woken by the :class:`~services.dashboard.adapters.version.VersionWatch` at version
``v`` needs the targets of its (year, county) and the boards, read at ``v`` or later. The first
stream to ask computes them in one transaction (:func:`compute_snapshot`); every other stream
waiting on the same (year, county, day) takes that :class:`Snapshot` without a transaction of
its own, and a stream asking while it is being computed waits for it rather than computing it
again. So N streams cost one computation per change, not N (on SQLite every transaction takes
the write lock: N of them would queue behind one another and the consumer).

A snapshot read at a version above the one a stream asks for serves it too (it is newer); one
read below is computed again. At most :data:`SIZE` (year, county, day) are kept, the least
recently asked for dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from services.dashboard.adapters.answers import targets_of
from services.dashboard.adapters.boards import boards_of
from services.dashboard.config import DashboardConfig
from shared.clock import shanghai_date
from shared.runtime import engine_of

SIZE = 64
"""The (year, county, day) whose latest snapshot is kept."""

Key = tuple[int, str | None, date]


@dataclass(frozen=True)
class Snapshot:
    targets: dict[str, Any]
    """The answer of ``GET /targets`` for the (year, county)."""
    boards: dict[str, Any]
    """The answer of ``GET /boards``."""

    @property
    def version(self) -> int:
        """The version both answers are at least at (the lower of the two they were read at)."""
        return min(self.targets["version"], self.boards["version"])


def compute_snapshot(
    app: Flask, config: DashboardConfig, year: int, region: str | None, now: datetime
) -> Snapshot:
    """The targets and the boards, read in one transaction. (Looked up by name at each call,
    so a test can count the computations.)"""
    with Session(engine_of(app)) as session:
        return Snapshot(
            targets_of(session, config, year, region, now), boards_of(session, config, now)
        )


class _Slot:
    __slots__ = ("lock", "snapshot")

    def __init__(self) -> None:
        self.lock = threading.Lock()  # held while this key's snapshot is being computed
        self.snapshot: Snapshot | None = None


class Snapshots:
    """The latest snapshot of each (year, county, day) asked for, for one app."""

    def __init__(self, size: int = SIZE):
        self.size = size
        self._slots: OrderedDict[Key, _Slot] = OrderedDict()
        self._guard = threading.Lock()

    def get(
        self,
        app: Flask,
        config: DashboardConfig,
        year: int,
        region: str | None,
        now: datetime,
        version: int | None,
    ) -> Snapshot:
        """A snapshot read at ``version`` or later: the shared one, else computed (once)."""
        slot = self._slot((year, region, shanghai_date(now)))
        snapshot = slot.snapshot
        if _serves(snapshot, version):
            return snapshot  # type: ignore[return-value]
        with slot.lock:
            snapshot = slot.snapshot  # another stream may have computed it meanwhile
            if _serves(snapshot, version):
                return snapshot  # type: ignore[return-value]
            snapshot = compute_snapshot(app, config, year, region, now)
            if slot.snapshot is None or snapshot.version >= slot.snapshot.version:
                slot.snapshot = snapshot
            return snapshot

    def __len__(self) -> int:
        return len(self._slots)

    def _slot(self, key: Key) -> _Slot:
        with self._guard:
            slot = self._slots.get(key)
            if slot is None:
                slot = self._slots[key] = _Slot()
                while len(self._slots) > self.size:
                    self._slots.popitem(last=False)  # a stream still holding it is not harmed
            else:
                self._slots.move_to_end(key)
            return slot


def _serves(snapshot: Snapshot | None, version: int | None) -> bool:
    return snapshot is not None and version is not None and snapshot.version >= version


_EXTENSION = "jiangong.dashboard.snapshots"
_GUARD = threading.Lock()


def snapshots_of(app: Flask) -> Snapshots:
    """The app's shared snapshots (made on first use)."""
    with _GUARD:
        snapshots: Snapshots = app.extensions.setdefault(_EXTENSION, Snapshots())
        return snapshots
