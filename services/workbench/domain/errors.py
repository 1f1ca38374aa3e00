"""The workbench's refusals: each one rule, with its status, title and detail."""

from __future__ import annotations

from shared.errors import Conflict, DomainError, InvalidValue, NotFound


class WeakPassword(InvalidValue):
    rule = "weak_password"
    title = "Weak password"
    default_detail = "The password must have at least 10 characters."
    field = "password"


class PasswordIsLogin(WeakPassword):
    rule = "password_is_login"
    title = "Password is the login"
    default_detail = "The password may not be the login."


class CommonPassword(WeakPassword):
    rule = "common_password"
    title = "Common password"
    default_detail = "The password is one of the most common passwords: choose another."


class WrongPassword(InvalidValue):
    rule = "wrong_current_password"
    title = "Wrong current password"
    default_detail = "The current password is not correct."
    field = "current_password"


class LoginTaken(Conflict):
    rule = "login_taken"
    title = "Login taken"
    default_detail = "An account with that login exists already."
    field = "login"


class UnknownAccount(NotFound):
    rule = "unknown_account"
    title = "Unknown account"
    default_detail = "No account with that login."


class ScopeMismatch(InvalidValue):
    rule = "scope_mismatch"
    title = "Role and scope do not match"
    default_detail = (
        "An enterprise clerk needs an enterprise, a judge a judge id, an assessor an assessor "
        "id, and no other role a scope."
    )


class SignInRefused(DomainError):
    """A wrong login or password: the answer never says which."""

    rule = "sign_in_refused"
    status = 401
    title = "Sign-in refused"
    default_detail = "The login or the password is not correct."


class AccountLocked(DomainError):
    rule = "account_locked"
    status = 429
    title = "Account locked"
    default_detail = "Too many failed sign-ins: the account is locked for a while."

    @classmethod
    def until(cls, moment: str) -> AccountLocked:
        return cls(f"Too many failed sign-ins: the account is locked until {moment}.")


class AddressLocked(DomainError):
    rule = "address_locked"
    status = 429
    title = "Too many failed sign-ins"
    default_detail = "Too many failed sign-ins from this address: try again later."

    @classmethod
    def until(cls, moment: str) -> AddressLocked:
        return cls(f"Too many failed sign-ins from this address: try again after {moment}.")
