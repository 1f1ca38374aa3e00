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
from contextlib import ExitStack, contextmanager
from pathlib import Path

from shared.app import create_app
from shared.runtime import ServiceDefinition, migrate
from shared.settings import Settings
from tests.support.postgres import scratch_database


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
    :meth:`copy` is a new database made from it, dropped when the test is done."""

    def __init__(self, admin_url: str, data_dir: Path):
        self.admin_url = admin_url
        self.data_dir = data_dir
        self._names: dict[str, str] = {}
        self._templates = ExitStack()

    @contextmanager
    def copy(self, service: ServiceDefinition) -> Iterator[str]:
        template = self._template(service)
        prefix = f"jiangong_{service.name}"
        with scratch_database(self.admin_url, prefix=prefix, template=template) as url:
            yield url

    def _template(self, service: ServiceDefinition) -> str:
        if service.name not in self._names:
            prefix = f"jiangong_template_{service.name}"
            url = self._templates.enter_context(scratch_database(self.admin_url, prefix=prefix))
            migrate_and_let_go(service, self.data_dir, url)
            self._names[service.name] = url.rsplit("/", 1)[1]
        return self._names[service.name]

    def drop(self) -> None:
        self._templates.close()
