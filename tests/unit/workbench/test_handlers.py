"""Accounts, sign-in, lockout and sessions through the handlers, on a fake repository."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.workbench.commands import (
    ChangePassword,
    CreateAccount,
    DisableAccount,
    EndOtherSession,
    ResetPassword,
    ResumeSession,
    SignIn,
    SignOut,
)
from services.workbench.domain.errors import (
    AccountLocked,
    AddressLocked,
    LoginTaken,
    ScopeMismatch,
    SignInRefused,
    UnknownAccount,
    WrongPassword,
)
from services.workbench.handlers.signing_in import SignedIn
from tests.unit.workbench.fakes import Desk

PASSWORD = "a-long-passphrase"
MINUTE = timedelta(minutes=1)


@pytest.fixture
def desk() -> Desk:
    desk = Desk()
    desk(CreateAccount("13800000001", "王经办", "enterprise", "ent-1", PASSWORD))
    return desk


def sign_in(desk: Desk, password: str = PASSWORD, address: str = "10.0.0.1") -> object:
    return desk(SignIn("13800000001", password, address, "Firefox"))


def test_an_account_without_a_password_gets_a_one_time_one_it_must_change() -> None:
    desk = Desk()
    account, password = desk(CreateAccount("admin", "管理员", "admin"))
    assert password and account.must_change_password
    assert isinstance(desk(SignIn("admin", password, "10.0.0.1")), SignedIn)


def test_a_login_is_taken_once_and_a_scope_goes_with_its_role(desk: Desk) -> None:
    with pytest.raises(LoginTaken):
        desk(CreateAccount("13800000001", "另一人", "admin", None, PASSWORD))
    with pytest.raises(ScopeMismatch):
        desk(CreateAccount("clerk-2", "经办", "enterprise", None, PASSWORD))
    with pytest.raises(ScopeMismatch):
        desk(CreateAccount("admin-2", "管理员", "admin", "ent-1", PASSWORD))


def test_a_wrong_password_and_an_unknown_login_are_refused_alike(desk: Desk) -> None:
    wrong = sign_in(desk, "not-the-password")
    unknown = desk(SignIn("13900000000", PASSWORD, "10.0.0.1"))
    assert isinstance(wrong, SignInRefused) and isinstance(unknown, SignInRefused)
    assert wrong.detail == unknown.detail
    assert desk.kinds()[-2:] == ["failure", "failure"]
    assert desk.repository.log[-1].account_id is None  # what was typed is not kept


def test_five_failures_lock_the_account_even_against_the_right_password(desk: Desk) -> None:
    for _ in range(4):
        assert isinstance(sign_in(desk, "not-the-password"), SignInRefused)
        desk.now += MINUTE
    locked = sign_in(desk, "not-the-password")
    assert isinstance(locked, AccountLocked)
    assert "locked until 2026-12-08 10:19" in locked.detail  # Jiaxing's clock
    assert isinstance(sign_in(desk), AccountLocked)
    assert desk.kinds()[-3:] == ["failure", "locked", "refused_locked"]
    desk.now += 15 * MINUTE
    assert isinstance(sign_in(desk), SignedIn)


def test_twenty_failures_from_one_address_lock_the_address(desk: Desk) -> None:
    for n in range(19):
        outcome = desk(SignIn(f"unknown-{n}", "whatever-it-is", "10.0.0.9"))
        assert isinstance(outcome, SignInRefused)
    assert isinstance(desk(SignIn("unknown-x", "whatever-it-is", "10.0.0.9")), AddressLocked)
    assert isinstance(sign_in(desk, address="10.0.0.9"), AddressLocked)
    assert isinstance(sign_in(desk, address="10.0.0.2"), SignedIn)


def test_each_sign_in_is_a_new_session_with_a_secret_kept_only_as_its_hash(desk: Desk) -> None:
    first, second = sign_in(desk), sign_in(desk)
    assert isinstance(first, SignedIn) and isinstance(second, SignedIn)
    assert first.secret != second.secret and first.session.id != second.session.id
    assert first.secret not in (first.session.secret_hash, first.session.id)


def test_a_session_lives_while_used_and_ends_after_thirty_idle_minutes(desk: Desk) -> None:
    signed_in = sign_in(desk)
    assert isinstance(signed_in, SignedIn)
    desk.now += 29 * MINUTE
    assert desk(ResumeSession(signed_in.secret)) is not None
    desk.now += 29 * MINUTE
    assert desk(ResumeSession(signed_in.secret)) is not None
    desk.now += 30 * MINUTE
    assert desk(ResumeSession(signed_in.secret)) is None
    assert signed_in.session.ended_because == "idle"


def test_a_signed_out_session_is_not_resumed(desk: Desk) -> None:
    signed_in = sign_in(desk)
    assert isinstance(signed_in, SignedIn)
    desk(SignOut(signed_in.session.id))
    assert desk(ResumeSession(signed_in.secret)) is None
    assert "sign_out" in desk.kinds()


def test_disabling_an_account_ends_its_live_session_and_its_sign_in(desk: Desk) -> None:
    signed_in = sign_in(desk)
    assert isinstance(signed_in, SignedIn)
    desk(DisableAccount("13800000001"))
    assert desk(ResumeSession(signed_in.secret)) is None
    assert isinstance(sign_in(desk), SignInRefused)


def test_a_reset_gives_a_one_time_password_and_ends_the_sessions(desk: Desk) -> None:
    signed_in = sign_in(desk)
    assert isinstance(signed_in, SignedIn)
    account, password = desk(ResetPassword("13800000001"))
    assert account.must_change_password and desk(ResumeSession(signed_in.secret)) is None
    assert isinstance(sign_in(desk, password), SignedIn)


def test_an_unknown_login_is_neither_disabled_nor_reset_and_nothing_is_logged(
    desk: Desk,
) -> None:
    for command in (DisableAccount("13900000000"), ResetPassword("13900000000")):
        with pytest.raises(UnknownAccount) as refused:
            desk(command)
        assert refused.value.errors == {"login": [refused.value.detail]}
    with pytest.raises(UnknownAccount):
        desk(ChangePassword("no-such-account", PASSWORD, "another-passphrase", "session"))
    assert desk.kinds() == ["account_created"]


def test_changing_ones_password_needs_the_current_one_and_ends_the_other_sessions(
    desk: Desk,
) -> None:
    here, there = sign_in(desk), sign_in(desk)
    assert isinstance(here, SignedIn) and isinstance(there, SignedIn)
    account_id = here.account.id
    with pytest.raises(WrongPassword):
        desk(ChangePassword(account_id, "not-the-password", "another-passphrase", here.session.id))
    desk(ChangePassword(account_id, PASSWORD, "another-passphrase", here.session.id))
    assert desk(ResumeSession(here.secret)) is not None
    assert desk(ResumeSession(there.secret)) is None
    assert isinstance(sign_in(desk, "another-passphrase"), SignedIn)


def test_one_ends_only_ones_own_other_sessions(desk: Desk) -> None:
    desk(CreateAccount("clerk-2", "李经办", "enterprise", "ent-2", PASSWORD))
    mine = sign_in(desk)
    theirs = desk(SignIn("clerk-2", PASSWORD, "10.0.0.3"))
    assert isinstance(mine, SignedIn) and isinstance(theirs, SignedIn)
    desk(EndOtherSession(mine.account.id, theirs.session.id))
    assert desk(ResumeSession(theirs.secret)) is not None


def test_no_password_is_ever_written_to_the_log(desk: Desk) -> None:
    sign_in(desk, "typed-wrongly-123")
    sign_in(desk)
    logged = " ".join(str(vars(entry)) for entry in desk.repository.log)
    assert PASSWORD not in logged and "typed-wrongly-123" not in logged


def test_a_hash_of_an_older_cost_is_made_again_at_the_next_sign_in(desk: Desk) -> None:
    account = desk.repository.account_by_login("13800000001")
    assert account is not None
    account.password_hash = "old" + account.password_hash
    assert isinstance(sign_in(desk), SignedIn)
    assert account.password_hash == "plain:" + PASSWORD
