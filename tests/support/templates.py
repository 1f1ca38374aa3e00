"""One migrated database per service and backend for a whole test run, copied for each test.

Migrating a service's database cost more than all the rest of an integration test's set-up.
So each service's migrations run once a run, into a template, the first time a test asks for
that service on that backend; every test still gets a fresh database of its own, a copy:

- SQLite: a copy of the template's file, taken once the template is checkpointed and closed
  (in WAL mode, what was written may still stand in the ``-wal`` file beside it);
- PostgreSQL: ``CREATE DATABASE … TEMPLATE``, which copies only a database no one is connected
  to, so the template's engine is disposed of as soon as it is migrated.

The migrations tests migrate for real, without these.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

from sqlalchemy import create_engine

from shared.app import create_app
from shared.runtime import ServiceDefinition, migrate
from shared.settings import Settings
from tests.support.postgres import create_database, drop_database, scratch_database, url_of


def migrate_and_let_go(service: ServiceDefinition, data_dir: Path, url: str) -> None:
    """Migrate the database at ``url`` to the service's latest revision, then close every
    connection to it (SQLite's write-ahead log checkpointed into the file first)."""
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(data_dir)})
    app = create_app(service, settings, {"DATABASE_URL": url})
    migrate(app)
    with app.app_context():
        engine = service.db.engine
        if engine.dialect.name == "sqlite":  # outside a transaction: on the driver's connection
            connection = engine.raw_connection()
            try:
                connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                connection.close()
        engine.dispose()


class SqliteTemplates:
    """A migrated SQLite file per service, in ``directory``; :meth:`copy` hands out copies."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._files: dict[str, Path] = {}

    def copy(self, service: ServiceDefinition, data_dir: Path) -> str:
        """The URL of a fresh copy of the service's template, where the service would keep its
        file in ``data_dir`` (``<data_dir>/<service>.db``)."""
        copy = (data_dir / f"{service.name}.db").resolve()
        shutil.copyfile(self._template(service), copy)
        return f"sqlite:///{copy}"

    def _template(self, service: ServiceDefinition) -> Path:
        if service.name not in self._files:
            template = self.directory / service.name / f"{service.name}.db"
            template.parent.mkdir(parents=True)
            migrate_and_let_go(service, template.parent, f"sqlite:///{template}")
            self._files[service.name] = template
        return self._files[service.name]


class PostgresTemplates:
    """A migrated PostgreSQL database per service, beside the run's scratch database; each
    :meth:`copy` is a new database made from it, dropped when the test is done.

    Making a copy and dropping one each take PostgreSQL a tenth of a second or so, which the
    tests need not wait for: while a test runs, one thread of this run's makes the copy the
    service's next test will take, and drops the copies the tests are done with."""

    def __init__(self, admin_url: str, data_dir: Path):
        self.admin_url = admin_url
        self.data_dir = data_dir
        self._admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self._names: dict[str, str] = {}
        self._templates = ExitStack()
        self._next: dict[str, Future[str]] = {}
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="postgres-copies")

    @contextmanager
    def copy(self, service: ServiceDefinition) -> Iterator[str]:
        template = self._template(service)
        made = self._next.pop(service.name, None)
        name = made.result() if made else self._copy(service, template)
        self._next[service.name] = self._background.submit(self._copy, service, template)
        try:
            yield url_of(self.admin_url, name)
        finally:
            self._background.submit(drop_database, self._admin, name)

    def _copy(self, service: ServiceDefinition, template: str) -> str:
        return create_database(self._admin, f"jiangong_{service.name}", template)

    def _template(self, service: ServiceDefinition) -> str:
        if service.name not in self._names:
            prefix = f"jiangong_template_{service.name}"
            url = self._templates.enter_context(scratch_database(self.admin_url, prefix=prefix))
            migrate_and_let_go(service, self.data_dir, url)
            self._names[service.name] = url.rsplit("/", 1)[1]
        return self._names[service.name]

    def drop(self) -> None:
        """Drop the copies made ahead, then the templates."""
        self._background.shutdown(wait=True)
        for made in self._next.values():
            drop_database(self._admin, made.result())
        self._templates.close()
        self._admin.dispose()
