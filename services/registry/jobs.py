"""Scheduled jobs, and what the platform closes at start: a background import whose process
stopped is closed as failed.

The rows of a background import live in the memory of the process that runs it; if that
process stops, the job would stay ``running`` for ever. ``fail_stalled_imports`` closes every
job that made no progress for ``JIANGONG_IMPORT_STALLED_SECONDS`` (600) as ``failed``, saying
after which spreadsheet row it stopped, so no row is ever lost silently. Running it twice
changes nothing twice: a closed job stays as it was first closed. The embedded platform, which
alone serves its data dir, closes them all at start (``fail_interrupted_imports``): the process
that ran them has stopped.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.adapters.orm import ImportJob
from services.registry.commands import FinishImportJob
from services.registry.handlers.import_jobs import restarted_reason, stalled_reason
from shared.runtime import run, unit_of_work

log = logging.getLogger(__name__)


def fail_stalled_imports(app: Flask) -> list[str]:
    """Close the background imports with no progress for a while; returns their ids."""
    with unit_of_work(app) as ctx:
        seconds = ctx.config.import_stalled_seconds
        stalled = _unfinished(ctx.session, before=ctx.now - timedelta(seconds=seconds))
        reasons = {job.id: stalled_reason(job) for job in stalled}
    return _fail(app, reasons, "stalled")


def fail_interrupted_imports(app: Flask) -> list[str]:
    """At start, where this process alone serves the registry's database (the embedded
    platform holds its data dir): every import not finished was a stopped process's, so it is
    closed as failed at once, not after ``JIANGONG_IMPORT_STALLED_SECONDS``."""
    with unit_of_work(app) as ctx:
        reasons = {job.id: restarted_reason(job) for job in _unfinished(ctx.session)}
    return _fail(app, reasons, "left unfinished by a restart")


def _unfinished(session: Session, before: datetime | None = None) -> list[ImportJob]:
    query = select(ImportJob).where(ImportJob.state.in_(("queued", "running")))
    if before is not None:
        query = query.where(ImportJob.updated_at < before)
    return list(session.scalars(query))


def _fail(app: Flask, reasons: dict[str, str], why: str) -> list[str]:
    for job_id, reason in reasons.items():
        run(app, FinishImportJob(job_id, reason))
    if reasons:
        log.warning("closed %d import jobs %s as failed", len(reasons), why)
    return list(reasons)
