"""Scheduled jobs: a background import that stopped (its process did) is closed as failed.

The rows of a background import live in the memory of the process that runs it; if that
process stops, the job would stay ``running`` for ever. ``fail_stalled_imports`` closes every
job that made no progress for ``JIANGONG_IMPORT_STALLED_SECONDS`` (600) as ``failed``, saying
after which spreadsheet row it stopped, so no row is ever lost silently. Running it twice
changes nothing twice: a closed job stays as it was first closed.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from services.registry.adapters.orm import ImportJob
from services.registry.commands import FinishImportJob
from services.registry.handlers.import_jobs import stalled_reason
from shared.runtime import run, unit_of_work

log = logging.getLogger(__name__)


def fail_stalled_imports(app: Flask) -> list[str]:
    """Close the background imports with no progress for a while; returns their ids."""
    with unit_of_work(app) as ctx:
        seconds = ctx.config.import_stalled_seconds
        stalled = ctx.session.scalars(
            select(ImportJob).where(
                ImportJob.state.in_(("queued", "running")),
                ImportJob.updated_at < ctx.now - timedelta(seconds=seconds),
            )
        ).all()
        reasons = {job.id: stalled_reason(job) for job in stalled}
    for job_id, reason in reasons.items():
        run(app, FinishImportJob(job_id, reason))
    if reasons:
        log.warning("closed %d stalled import jobs as failed", len(reasons))
    return list(reasons)
