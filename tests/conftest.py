"""Session-wide real components: a Tansu broker on a free loopback port and a scratch
PostgreSQL database, each started once and removed afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from shared.devbroker import DevBroker
from shared.testing import DEFAULT_ADMIN_URL, PostgresUnavailable, scratch_database


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevBroker]:
    log = tmp_path_factory.mktemp("broker") / "tansu.log"
    with DevBroker(log_path=log) as running:
        yield running


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    admin = os.environ.get("JIANGONG_TEST_POSTGRES", DEFAULT_ADMIN_URL)
    try:
        with scratch_database(admin, prefix="jiangong_test") as url:
            yield url
    except PostgresUnavailable as error:
        pytest.skip(f"PostgreSQL cases skipped: {error}")
