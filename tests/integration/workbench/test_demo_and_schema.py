"""The demo's accounts, the first admin's hint, and the migrations making what the models say."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from jiangong.accounts import ADMIN_HINT
from jiangong.cli import say_if_no_admin
from services.workbench.adapters.orm import db
from services.workbench.demo import load_demo
from shared.runtime import engine_of
from tests.support.workbench import Bench


def test_the_demo_makes_its_accounts_once_and_prints_their_passwords_once(
    bench: Bench, capsys: pytest.CaptureFixture[str]
) -> None:
    enterprise = bench.enterprise()
    load_demo(bench.workbench)
    printed = capsys.readouterr().out
    lines = {line.split()[0]: line.split() for line in printed.splitlines()[1:]}
    assert set(lines) == {"admin", "clerk", "judge"}  # no certification here: no assessor
    assert lines["clerk"][-1] == enterprise["id"]
    person = bench.person()
    person.sign_in("clerk", lines["clerk"][1])
    assert person.get(f"/workbench/enterprises/{enterprise['id']}").status_code == 200
    load_demo(bench.workbench)
    again = capsys.readouterr().out
    assert "exist already" in again and lines["clerk"][1] not in again


def test_up_says_how_to_make_the_first_admin_until_there_is_one(
    bench: Bench, capsys: pytest.CaptureFixture[str]
) -> None:
    say_if_no_admin(bench.platform)
    assert ADMIN_HINT in capsys.readouterr().out
    bench.account("admin")
    say_if_no_admin(bench.platform)
    assert capsys.readouterr().out == ""


def test_the_migrations_make_the_tables_the_models_describe(any_bench: Bench) -> None:
    with engine_of(any_bench.workbench).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
