"""A PostgreSQL session of its own that ``LISTEN``s on one channel, and the ``NOTIFY`` a
transaction sends on it.

It wakes a relay when a commit staged events, and the dashboard's streams when its version
moves. The session is opened outside the pool (psycopg, autocommit) on first use, and again on
the next use after it failed or was closed. A notification sent before the ``LISTEN`` is not
delivered: ``on_open`` is told each time the session opens, so that its owner reads what it
may have missed. A statement that fails closes the session and raises: the owner decides
whether to retry or to poll meanwhile. Closing the session, or the process ending, frees what
it held (the relay's advisory lock).

:func:`notify_on_commit` is the other end: a statement in the writer's transaction, so that the
notification is sent as it commits (one a channel, however many were sent) and dropped with it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

_NOTIFY = text("SELECT pg_notify(:channel, '')")


def notify_on_commit(session: Session, channel: str) -> None:
    """On PostgreSQL, notify ``channel``'s listeners once ``session``'s transaction commits."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_NOTIFY, {"channel": channel})


class Listener:
    def __init__(self, engine: Engine, channel: str, on_open: Callable[[], None] = lambda: None):
        self._url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.channel = channel
        self.on_open = on_open
        self._session: Any = None

    @property
    def is_open(self) -> bool:
        return self._session is not None

    def execute(self, statement: str, parameters: Any = None) -> list[Any]:
        """Run a statement on the session (opened first if it is not); its rows, if any."""
        with self._closed_on_failure():
            cursor = self._opened().execute(statement, parameters)
            return cursor.fetchall() if cursor.description else []

    def notified(self, timeout: float) -> bool:
        """Wait at most ``timeout`` seconds for one notification (opening the session first)."""
        with self._closed_on_failure():
            return any(True for _ in self._opened().notifies(timeout=timeout, stop_after=1))

    def forget(self) -> None:
        """Drop the notifications already received, without waiting (none while closed)."""
        if self._session is None:
            return
        with self._closed_on_failure():
            for _ in self._session.notifies(timeout=0):
                pass

    def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            with contextlib.suppress(Exception):
                session.close()

    def _opened(self) -> Any:
        if self._session is None:
            import psycopg  # the driver of ``postgresql+psycopg`` URLs, loaded only on PostgreSQL

            self._session = psycopg.connect(self._url, autocommit=True)
            self._session.execute(f'LISTEN "{self.channel}"')
            self.on_open()
        return self._session

    @contextlib.contextmanager
    def _closed_on_failure(self) -> Iterator[None]:
        try:
            yield
        except Exception:
            self.close()
            raise
