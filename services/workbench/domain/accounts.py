"""Who may have an account, and whose password opens it: the workbench's rules on an account,
decided on the records as they stand (any object with these fields) and, for a password, on
what the hasher (the port that keeps passwords as argon2id hashes) says of it."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol, TypeVar

from services.workbench.domain.errors import (
    LoginTaken,
    ScopeMismatch,
    SignInRefused,
    UnknownAccount,
    WrongPassword,
)


class Hasher(Protocol):
    def hash(self, password: str) -> str: ...
    def verify(self, hash: str, password: str) -> bool: ...
    def outdated(self, hash: str) -> bool: ...


class Credentials(Protocol):
    """An account as the sign-in reads it: its password's hash, and whether it is active."""

    password_hash: str
    active: bool


A = TypeVar("A")
C = TypeVar("C", bound=Credentials)


def check_scope(
    role: str, scope_id: str | None, roles: Collection[str], scoped: Collection[str]
) -> None:
    """A role of the platform (``roles``) with a scope exactly where it needs one (``scoped``):
    an enterprise clerk an enterprise, a judge a judge id, an assessor an assessor id."""
    if role not in roles or (role in scoped) != bool(scope_id):
        raise ScopeMismatch(field="role")


def check_login_free(existing: object | None) -> None:
    """A login names one account: ``existing`` is the account that has it already, if any."""
    if existing is not None:
        raise LoginTaken()


def known_account(account: A | None, field: str | None = None) -> A:
    """The account a request names; ``field`` is the form's field that named it, if any."""
    if account is None:
        raise UnknownAccount(field=field)
    return account


def check_current_password(account: Credentials, password: str, hasher: Hasher) -> None:
    """A person changes their password only with the one they have now."""
    if not hasher.verify(account.password_hash, password):
        raise WrongPassword()


def admitted(account: C | None, password: str, hasher: Hasher) -> C | SignInRefused:
    """The account that signs in with ``password``, or the refusal for the caller to record and
    answer: a wrong password, an unknown login and a disabled account are refused alike. An
    unknown login's password is checked all the same, so that the answer takes as long."""
    verified = hasher.verify(account.password_hash if account else "", password)
    if account is None or not verified or not account.active:
        return SignInRefused()
    return account
