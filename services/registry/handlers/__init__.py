"""The registry's command handlers, registered by command type in ``HANDLERS``.

Each handler is a plain function ``handler(ctx, command, repository)``: ``ctx`` is the kernel's
:class:`~shared.handling.Context` (the outbox, the time, the cipher), ``repository`` the
registry's records in the context's transaction. It checks the rules, writes its records and
stages its events in that one transaction; it never commits (``execute`` does, for a request;
``unit_of_work`` for the demo; the consumer for its batch).

:func:`bootstrap` wires a repository into the handlers, giving the kernel what it calls,
``handler(ctx, command)``: ``HANDLERS`` with the SQL repository, a unit test with a fake one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from services.registry import commands
from services.registry.adapters.repository import Repository, SqlRepository
from services.registry.handlers import (
    enterprise_imports,
    enterprises,
    import_jobs,
    imports,
    workers,
)
from shared.handling import Context, Handlers, with_repository

BY_COMMAND: dict[type, Callable[[Context, Any, Repository], Any]] = {
    commands.AddRegion: enterprises.add_region,
    commands.RegisterEnterprise: enterprises.register_enterprise,
    commands.UpdateEnterprise: enterprises.update_enterprise,
    commands.DeregisterEnterprise: enterprises.deregister_enterprise,
    commands.RegisterWorker: workers.register_worker,
    commands.ImportWorkers: imports.import_workers,
    commands.ImportEnterprises: enterprise_imports.import_enterprises,
    commands.UpdateWorker: workers.update_worker,
    commands.TransferWorker: workers.transfer_worker,
    commands.RecordWorkerLeft: workers.record_worker_left,
    commands.RevealIdNumber: workers.reveal_id_number,
    commands.RecordPromotion: workers.record_promotion,
    commands.StartImportJob: import_jobs.start_import_job,
    commands.ImportChunk: import_jobs.import_chunk,
    commands.FinishImportJob: import_jobs.finish_import_job,
}


def bootstrap(repository_of: Callable[[Session], Repository] = SqlRepository) -> Handlers:
    """The handlers as the kernel calls them, each given ``repository_of(ctx.session)``."""
    return with_repository(BY_COMMAND, repository_of)


HANDLERS = bootstrap()

__all__ = ["BY_COMMAND", "HANDLERS", "bootstrap"]
