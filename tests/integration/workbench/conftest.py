"""The workbench on an embedded platform per test: ``bench`` on SQLite, ``any_bench`` on
SQLite and on PostgreSQL (the workbench's own database; the registry stays on SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import scratch_database
from tests.support.workbench import Bench, workbench_platform


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    with workbench_platform(tmp_path) as built:
        yield built


@pytest.fixture
def pg_bench(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Bench]:
    admin = request.getfixturevalue("postgres_url")
    with (
        scratch_database(admin, prefix="jiangong_workbench") as url,
        workbench_platform(tmp_path, JIANGONG_WORKBENCH_DATABASE_URL=url) as built,
    ):
        yield built


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_bench(request: pytest.FixtureRequest) -> Bench:
    built: Bench = request.getfixturevalue("bench" if request.param == "sqlite" else "pg_bench")
    return built
