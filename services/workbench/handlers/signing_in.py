"""Signing in and out, and a session's life: each request resumes it or finds it ended.

A refusal is returned, not raised: the failure it records must be committed with it."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.workbench.adapters.orm import Account, SignedInSession
from services.workbench.adapters.repository import Repository
from services.workbench.commands import EndOtherSession, ResumeSession, SignIn, SignOut
from services.workbench.domain.accounts import admitted
from services.workbench.domain.lockout import failures_since, lock_in_force
from services.workbench.domain.sessions import SessionTimes, why_ended
from services.workbench.handlers.accounts import record
from shared.clock import as_utc
from shared.errors import DomainError
from shared.handling import Context

SEEN_EVERY = timedelta(minutes=1)
"""A session's last request is written at most this often: idle time counts in minutes."""


@dataclass(frozen=True)
class SignedIn:
    secret: str
    """The cookie's value: shown to the browser once, kept only as its hash."""
    session: SignedInSession
    account: Account


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _lock_on(
    repository: Repository, now: datetime, account: Account | None, address: str
) -> DomainError | None:
    """The refusal for a lock in force now, if any, asked on the failures that can count."""
    since = failures_since(now)
    of_address = repository.failures(since, address=address)
    of_account = repository.failures(since, account_id=account.id) if account else []
    return lock_in_force(now, of_address, of_account)


def sign_in(ctx: Context, command: SignIn, repository: Repository) -> SignedIn | DomainError:
    now, address = ctx.now, command.address
    account = repository.account_by_login(command.login.strip())
    account_id = account.id if account else None
    locked = _lock_on(repository, now, account, address)
    if locked is not None:
        record(repository, now, "refused_locked", account_id, by="self", address=address)
        return locked
    outcome = admitted(account, command.password, repository.hasher)
    if not isinstance(outcome, Account):
        return _failed(repository, now, account, address, outcome)
    return _session_of(repository, now, outcome, command)


def _failed(
    repository: Repository,
    now: datetime,
    account: Account | None,
    address: str,
    refused: DomainError,
) -> DomainError:
    """The failure logged, and the refusal it earns: a lock, where it reached one."""
    account_id = account.id if account else None
    record(repository, now, "failure", account_id, by="self", address=address)
    locked = _lock_on(repository, now, account, address)
    if locked is None:
        return refused
    record(repository, now, "locked", account_id, by="system", address=address)
    return locked


def _session_of(
    repository: Repository, now: datetime, account: Account, command: SignIn
) -> SignedIn:
    """A new session for the account admitted; a hash of an older cost is made again."""
    if repository.hasher.outdated(account.password_hash):
        account.password_hash = repository.hasher.hash(command.password)
    secret = secrets.token_urlsafe(32)
    session = SignedInSession(
        id=uuid.uuid4().hex,
        secret_hash=secret_hash(secret),
        account_id=account.id,
        started_at=now,
        last_seen_at=now,
        address=command.address[:64],
        user_agent=command.user_agent[:200],
    )
    repository.add(session)
    record(repository, now, "sign_in", account.id, by="self", address=command.address)
    return SignedIn(secret, session, account)


def resume_session(
    ctx: Context, command: ResumeSession, repository: Repository
) -> tuple[SignedInSession, Account] | None:
    """The live session the cookie names, seen now; None if there is none (any more)."""
    session = repository.session_by_secret(secret_hash(command.secret))
    if session is None or session.ended_at is not None:
        return None
    account = repository.account(session.account_id)
    times = SessionTimes(as_utc(session.started_at), as_utc(session.last_seen_at))
    ended = why_ended(times, ctx.now, account is not None and account.active)
    if ended is not None or account is None:
        session.ended_at, session.ended_because = ctx.now, ended
        record(repository, ctx.now, "session_ended", session.account_id, by="system", detail=ended)
        return None
    if ctx.now - times.last_seen_at >= SEEN_EVERY:
        session.last_seen_at = ctx.now
    return session, account


def sign_out(ctx: Context, command: SignOut, repository: Repository) -> None:
    session = repository.session(command.session_id)
    if session is not None and session.ended_at is None:
        session.ended_at, session.ended_because = ctx.now, "signed_out"
        record(repository, ctx.now, "sign_out", session.account_id, by="self")


def end_other_session(ctx: Context, command: EndOtherSession, repository: Repository) -> None:
    """One of the person's own other sessions, ended from 我的账号 (another's: nothing)."""
    for session in repository.live_sessions(command.account_id):
        if session.id == command.session_id:
            session.ended_at, session.ended_because = ctx.now, "ended_by_owner"
            record(repository, ctx.now, "session_ended", session.account_id, by="self")
