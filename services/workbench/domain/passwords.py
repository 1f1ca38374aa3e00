"""What a password must be: at least ``MIN_LENGTH`` characters, not the login, and not one of
the common passwords shipped beside the service (``common-passwords.txt``)."""

from __future__ import annotations

import secrets
from collections.abc import Collection

from services.workbench.domain.errors import CommonPassword, PasswordIsLogin, WeakPassword

MIN_LENGTH = 10
ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Letters and digits that read unambiguously when a one-time password is read out."""


def check_password(
    password: str, login: str, common: Collection[str], field: str = "password"
) -> None:
    """Refuse a password that breaks a rule, naming the rule and the form's ``field``."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(field=field)
    if password.strip().casefold() == login.strip().casefold():
        raise PasswordIsLogin(field=field)
    if password.casefold() in common:
        raise CommonPassword(field=field)


def one_time_password(length: int = 14) -> str:
    """A random password for a new or reset account, to be changed at its first sign-in."""
    return "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(length))
