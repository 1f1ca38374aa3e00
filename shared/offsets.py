"""Where the in-process bus keeps what must outlive it: each group's committed positions per
topic, and its dead letters, in a small SQLite file (``bus.db`` in the data dir) or in memory.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from shared.inbox import DeadLetter


class OffsetStore:
    """Committed positions per (group, topic) and the dead letters, in SQLite or in memory."""

    def __init__(self, path: Path | None):
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False)
        # WAL without a sync per commit: an offset lost with the machine's power is an event
        # delivered again, which the inbox skips. The default journal, synced twice a batch,
        # took a quarter of an embedded consumer's time.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS offsets (grp TEXT, topic TEXT, position INTEGER, "
                "PRIMARY KEY (grp, topic))"
            )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS dead_letters (grp TEXT, topic TEXT, position INTEGER,"
                " event TEXT, error TEXT, at TEXT)"
            )

    def committed(self, group: str, topic: str) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT position FROM offsets WHERE grp = ? AND topic = ?", (group, topic)
            ).fetchone()
        return row[0] if row else 0

    def commit(self, group: str, positions: dict[str, int]) -> None:
        with self._lock, self._db:
            self._db.executemany(
                "INSERT INTO offsets VALUES (?, ?, ?) ON CONFLICT (grp, topic) "
                "DO UPDATE SET position = excluded.position",
                [(group, topic, position) for topic, position in positions.items()],
            )

    def add_dead_letters(self, group: str, letters: list[DeadLetter]) -> None:
        now = datetime.now(UTC).isoformat()
        with self._lock, self._db:
            self._db.executemany(
                "INSERT INTO dead_letters VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (group, d.delivery.topic, d.delivery.offset, _describe(d), d.error, now)
                    for d in letters
                ],
            )

    def dead_letters(self, group: str) -> list[dict[str, object]]:
        """The group's dead letters, oldest first (see ``Bus.dead_letters``)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT topic, position, event, error, at FROM dead_letters WHERE grp = ? "
                "ORDER BY rowid",
                (group,),
            ).fetchall()
        letters = []
        for topic, position, event, error, at in rows:
            described = json.loads(event)
            letters.append(
                {
                    "topic": topic,
                    "position": position,
                    "id": described.get("id"),
                    "type": described.get("type"),
                    "subject": described.get("subject"),
                    "error": error,
                    "at": at,
                }
            )
        return letters


def _describe(letter: DeadLetter) -> str:
    event = letter.delivery.event
    if event is None:
        return json.dumps({"raw": True})
    return json.dumps(
        {
            "id": event.get_id(),
            "source": event.get_source(),
            "type": event.get_type(),
            "subject": event.get_subject(),
            "data": event.get_data(),
        },
        default=str,
    )
