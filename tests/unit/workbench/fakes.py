"""A repository of accounts, sessions and the log in dicts, and a hasher that costs nothing:
the workbench's handlers run on these in microseconds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from services.workbench.adapters.orm import Account, SignedInSession, SignInLogEntry
from services.workbench.adapters.repository import common_passwords
from services.workbench.handlers import BY_COMMAND
from shared.handling import Context, Handlers, handle, with_repository
from shared.settings import Settings


class PlainHasher:
    def hash(self, password: str) -> str:
        return "plain:" + password

    def verify(self, hash: str, password: str) -> bool:
        return bool(hash) and hash.removeprefix("old") == "plain:" + password

    def outdated(self, hash: str) -> bool:
        return hash.startswith("old")


class FakeRepository:
    def __init__(self) -> None:
        self.hasher = PlainHasher()
        self.common = common_passwords()
        self.accounts: dict[str, Account] = {}
        self.sessions: dict[str, SignedInSession] = {}
        self.log: list[SignInLogEntry] = []

    def account(self, account_id: str) -> Account | None:
        return self.accounts.get(account_id)

    def account_by_login(self, login: str) -> Account | None:
        return next((a for a in self.accounts.values() if a.login == login), None)

    def add(self, row: Any) -> None:
        if isinstance(row, Account):
            self.accounts[row.id] = row
        elif isinstance(row, SignedInSession):
            self.sessions[row.id] = row
        else:
            self.log.append(row)

    def failures(
        self, since: datetime, *, account_id: str = "", address: str = ""
    ) -> list[datetime]:
        return [
            entry.at
            for entry in self.log
            if entry.kind == "failure"
            and entry.at >= since
            and (not account_id or entry.account_id == account_id)
            and (not address or entry.address == address)
        ]

    def session(self, session_id: str) -> SignedInSession | None:
        return self.sessions.get(session_id)

    def session_by_secret(self, secret_hash: str) -> SignedInSession | None:
        return next((s for s in self.sessions.values() if s.secret_hash == secret_hash), None)

    def live_sessions(self, account_id: str) -> Sequence[SignedInSession]:
        return [
            s for s in self.sessions.values() if s.account_id == account_id and s.ended_at is None
        ]

    def end_sessions(
        self, account_id: str, now: datetime, because: str, keep: str | None = None
    ) -> int:
        ended = [s for s in self.live_sessions(account_id) if s.id != keep]
        for session in ended:
            session.ended_at, session.ended_because = now, because
        return len(ended)


class Desk:
    """The handlers over one fake repository, at a time the test moves."""

    def __init__(self, now: datetime = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)):
        self.repository = FakeRepository()
        self.handlers: Handlers = with_repository(BY_COMMAND, lambda _session: self.repository)
        self.now = now

    def __call__(self, command: object) -> Any:
        ctx = Context(session=None, outbox=None, now=self.now, settings=Settings())  # type: ignore[arg-type]
        return handle(self.handlers, ctx, command)

    def kinds(self) -> list[str]:
        return [entry.kind for entry in self.repository.log]
