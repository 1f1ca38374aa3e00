"""What people and operators ask of the workbench: small frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CreateAccount:
    login: str
    display_name: str
    role: str
    scope_id: str | None = None
    password: str | None = None
    """None: a one-time password is made, to be changed at the first sign-in."""


@dataclass(frozen=True)
class DisableAccount:
    login: str


@dataclass(frozen=True)
class ResetPassword:
    login: str


@dataclass(frozen=True)
class SignIn:
    login: str
    password: str
    address: str
    user_agent: str = ""


@dataclass(frozen=True)
class ResumeSession:
    secret: str


@dataclass(frozen=True)
class SignOut:
    session_id: str


@dataclass(frozen=True)
class ChangePassword:
    account_id: str
    current_password: str
    new_password: str
    session_id: str
    """The session it is changed in: the account's other sessions end."""


@dataclass(frozen=True)
class EndOtherSession:
    account_id: str
    session_id: str
