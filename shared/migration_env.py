"""The Alembic environment every service's ``migrations/env.py`` runs: online, against the
service's own engine and metadata, inside the Flask app context Flask-Migrate provides."""

from __future__ import annotations

from alembic import context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app

from shared.migrations import with_kernel_branch
from shared.runtime import runtime_of


def run() -> None:
    db = runtime_of(current_app).definition.db
    engine = db.engine
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=db.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


def at_head(app: Flask) -> bool:
    """Is the service's database at the latest migration of its own and of the kernel's
    branch? (for ``/readyz``)"""
    definition = runtime_of(app).definition
    config = Config()
    config.set_main_option("script_location", str(definition.migrations))
    scripts = ScriptDirectory.from_config(with_kernel_branch(config))
    # what ``upgrade heads`` reaches: a kernel revision a service revision depends on is no head
    heads = {script.revision for script in scripts.get_revisions("heads") if script is not None}
    with definition.db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads
