"""Accounts: created, disabled and reset by an operator; a password changed by its person.
Each change is written to the sign-in log."""

from __future__ import annotations

import uuid
from datetime import datetime

from services.workbench.adapters.orm import Account, SignInLogEntry
from services.workbench.adapters.repository import Repository
from services.workbench.commands import (
    ChangePassword,
    CreateAccount,
    DisableAccount,
    ResetPassword,
)
from services.workbench.domain.accounts import (
    check_current_password,
    check_login_free,
    check_scope,
    known_account,
)
from services.workbench.domain.passwords import check_password, one_time_password
from shared.auth import ROLES, SCOPE_CLAIMS
from shared.handling import Context


def record(
    repository: Repository,
    now: datetime,
    kind: str,
    account_id: str | None,
    *,
    by: str,
    address: str | None = None,
    detail: str | None = None,
) -> None:
    entry = SignInLogEntry(
        at=now, kind=kind, account_id=account_id, address=address, by=by, detail=detail
    )
    repository.add(entry)


def create_account(
    ctx: Context, command: CreateAccount, repository: Repository
) -> tuple[Account, str | None]:
    """The account and, where no password was given, its one-time password."""
    login = command.login.strip()
    check_scope(command.role, command.scope_id, ROLES, SCOPE_CLAIMS)
    check_login_free(repository.account_by_login(login))
    password = command.password or one_time_password()
    check_password(password, login, repository.common)
    account = Account(
        id=uuid.uuid4().hex,
        login=login,
        display_name=command.display_name.strip(),
        role=command.role,
        scope_id=command.scope_id,
        active=True,
        password_hash=repository.hasher.hash(password),
        must_change_password=command.password is None,
        created_at=ctx.now,
        password_changed_at=ctx.now,
    )
    repository.add(account)
    record(repository, ctx.now, "account_created", account.id, by="operator", detail=account.role)
    return account, None if command.password else password


def _known(repository: Repository, login: str) -> Account:
    return known_account(repository.account_by_login(login.strip()), field="login")


def disable_account(ctx: Context, command: DisableAccount, repository: Repository) -> Account:
    """Disabled at once: its live sessions end at their next request."""
    account = _known(repository, command.login)
    account.active = False
    repository.end_sessions(account.id, ctx.now, "disabled")
    record(repository, ctx.now, "account_disabled", account.id, by="operator")
    return account


def reset_password(
    ctx: Context, command: ResetPassword, repository: Repository
) -> tuple[Account, str]:
    """A new one-time password; the account is active again and its sessions end."""
    account = _known(repository, command.login)
    password = one_time_password()
    account.password_hash = repository.hasher.hash(password)
    account.must_change_password = True
    account.active = True
    account.password_changed_at = ctx.now
    repository.end_sessions(account.id, ctx.now, "reset")
    record(repository, ctx.now, "password_reset", account.id, by="operator")
    return account, password


def change_password(ctx: Context, command: ChangePassword, repository: Repository) -> Account:
    """The person's own change: the current password first; their other sessions end."""
    account = known_account(repository.account(command.account_id))
    check_current_password(account, command.current_password, repository.hasher)
    check_password(command.new_password, account.login, repository.common, "new_password")
    account.password_hash = repository.hasher.hash(command.new_password)
    account.must_change_password = False
    account.password_changed_at = ctx.now
    repository.end_sessions(account.id, ctx.now, "password", keep=command.session_id)
    record(repository, ctx.now, "password_changed", account.id, by="self")
    return account
