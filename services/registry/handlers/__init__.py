"""Registry's ``HANDLERS``: ``BY_COMMAND`` wired to its SQL repository (services/README.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.registry import commands
from services.registry.adapters.repository import Repository, SqlRepository
from services.registry.handlers import (
    enterprise_imports,
    enterprises,
    import_jobs,
    imports,
    workers,
)
from shared.handling import Context, with_repository

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


HANDLERS = with_repository(BY_COMMAND, SqlRepository)

__all__ = ["BY_COMMAND", "HANDLERS"]
