"""The port the handlers read and write accounts, sessions and the log through, and its SQL
implementation. The store also makes and checks password hashes (argon2id)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.workbench.adapters.orm import Account, SignedInSession, SignInLogEntry
from services.workbench.domain.accounts import Hasher
from shared.clock import as_utc

COMMON_PASSWORDS = Path(__file__).parent.parent / "common-passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line and line[0] != "#")


class Argon2Hasher:
    """argon2id at OWASP's first recommended cost (19 MiB, 2 passes, 1 lane): about 40 ms a
    check on a busy two-core machine, where argon2-cffi's default (64 MiB, 3 passes, 4 lanes)
    took 300 ms and so a sign-in twice the 150 ms it may take. Each hash names its cost, so a
    dearer one later is taken up at each person's next sign-in (:meth:`outdated`)."""

    def __init__(self) -> None:
        self._hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
        self._dummy = self._hasher.hash("no account has this password")

    def outdated(self, hash: str) -> bool:
        return self._hasher.check_needs_rehash(hash)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(hash or self._dummy, password)
        except (VerificationError, InvalidHashError):
            return False


ARGON2 = Argon2Hasher()


class Repository(Protocol):
    hasher: Hasher
    common: frozenset[str]

    def account(self, account_id: str) -> Account | None: ...
    def account_by_login(self, login: str) -> Account | None: ...
    def add(self, row: Account | SignedInSession | SignInLogEntry) -> None: ...
    def failures(
        self, since: datetime, *, account_id: str = "", address: str = ""
    ) -> list[datetime]: ...
    def session(self, session_id: str) -> SignedInSession | None: ...
    def session_by_secret(self, secret_hash: str) -> SignedInSession | None: ...
    def live_sessions(self, account_id: str) -> Sequence[SignedInSession]: ...
    def end_sessions(
        self, account_id: str, now: datetime, because: str, keep: str | None = None
    ) -> int: ...


class SqlRepository:
    def __init__(self, session: Session, hasher: Hasher = ARGON2):
        self._db = session
        self.hasher = hasher
        self.common = common_passwords()

    def account(self, account_id: str) -> Account | None:
        return self._db.get(Account, account_id)

    def account_by_login(self, login: str) -> Account | None:
        return self._db.scalars(select(Account).where(Account.login == login)).first()

    def add(self, row: Account | SignedInSession | SignInLogEntry) -> None:
        self._db.add(row)

    def failures(
        self, since: datetime, *, account_id: str = "", address: str = ""
    ) -> list[datetime]:
        log = SignInLogEntry
        query = select(log.at).where(log.kind == "failure", log.at >= since)
        if account_id:
            query = query.where(log.account_id == account_id)
        if address:
            query = query.where(log.address == address)
        return [as_utc(at) for at in self._db.scalars(query)]

    def session(self, session_id: str) -> SignedInSession | None:
        return self._db.get(SignedInSession, session_id)

    def session_by_secret(self, secret_hash: str) -> SignedInSession | None:
        query = select(SignedInSession).where(SignedInSession.secret_hash == secret_hash)
        return self._db.scalars(query).first()

    def live_sessions(self, account_id: str) -> Sequence[SignedInSession]:
        query = (
            select(SignedInSession)
            .where(SignedInSession.account_id == account_id, SignedInSession.ended_at.is_(None))
            .order_by(SignedInSession.started_at.desc())
        )
        return self._db.scalars(query).all()

    def end_sessions(
        self, account_id: str, now: datetime, because: str, keep: str | None = None
    ) -> int:
        live = SignedInSession
        query = update(live).where(live.account_id == account_id, live.ended_at.is_(None))
        if keep:
            query = query.where(live.id != keep)
        ended = self._db.execute(
            query.values(ended_at=now, ended_because=because),
            execution_options={"synchronize_session": "fetch"},
        )
        return int(getattr(ended, "rowcount", 0) or 0)
