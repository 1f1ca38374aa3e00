"""The account store on SQLite and PostgreSQL: accounts, sessions and the append-only log, as
the workbench's commands write them."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from services.workbench.adapters.orm import db
from services.workbench.commands import CreateAccount, DisableAccount, ResumeSession, SignIn
from services.workbench.domain.errors import LoginTaken
from services.workbench.handlers.signing_in import SignedIn
from shared.runtime import engine_of, run
from tests.support.workbench import PASSWORD, Bench


def test_an_account_signs_in_and_its_session_is_resumed(any_bench: Bench) -> None:
    login = any_bench.account("admin")
    signed_in = run(any_bench.workbench, SignIn(login, PASSWORD, "10.0.0.1", "test"))
    assert isinstance(signed_in, SignedIn)
    assert run(any_bench.workbench, ResumeSession(signed_in.secret)) is not None
    assert [e.kind for e in any_bench.log()] == ["account_created", "sign_in"]


def test_a_login_is_unique(any_bench: Bench) -> None:
    login = any_bench.account("admin")
    with pytest.raises(LoginTaken):
        run(any_bench.workbench, CreateAccount(login, "另一人", "admin", None, PASSWORD))


def test_a_disabled_accounts_live_session_is_not_resumed(any_bench: Bench) -> None:
    login = any_bench.account("admin")
    signed_in = run(any_bench.workbench, SignIn(login, PASSWORD, "10.0.0.1"))
    run(any_bench.workbench, DisableAccount(login))
    assert run(any_bench.workbench, ResumeSession(signed_in.secret)) is None


def test_the_database_refuses_to_change_or_delete_the_sign_in_log(any_bench: Bench) -> None:
    any_bench.account("admin")
    engine = engine_of(any_bench.workbench)
    for statement in ("UPDATE sign_in_log SET kind = 'x'", "DELETE FROM sign_in_log"):
        with pytest.raises((DBAPIError, IntegrityError)), engine.begin() as connection:
            connection.execute(text(statement))
    assert len(any_bench.log()) == 1


def test_the_log_holds_no_password_and_no_unknown_login(any_bench: Bench) -> None:
    login = any_bench.account("admin")
    run(any_bench.workbench, SignIn(login, "typed-wrongly-1", "10.0.0.1"))
    run(any_bench.workbench, SignIn("13999999999", PASSWORD, "10.0.0.1"))
    with any_bench.workbench.app_context():
        dumped = str(db.session.execute(text("SELECT * FROM sign_in_log")).all())
    assert "typed-wrongly-1" not in dumped and PASSWORD not in dumped
    assert "13999999999" not in dumped
