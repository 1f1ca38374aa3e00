"""Scheduled jobs: the union counts reconciled with a recount, and what the platform closes at
start: a background import whose process stopped is closed as failed.

``reconcile_counts`` (daily, and ``jiangong reconcile registry``) recounts the union counts
from the tables, logs each count that drifted, sets it to the recount, and shows what it found
in ``/metrics``: ``jiangong_counts_drifted`` (how many counts were off) and
``jiangong_count_drift{county,counted}`` (kept less recounted, for each count that was).

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
from prometheus_client import Gauge
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.adapters.orm import ImportJob
from services.registry.adapters.union_counts import Drift, reconcile
from services.registry.commands import FinishImportJob
from services.registry.handlers.import_jobs import restarted_reason, stalled_reason
from shared.metrics import metrics_of
from shared.runtime import run, unit_of_work

log = logging.getLogger(__name__)

RECONCILE_SECONDS = 24 * 3600
_DRIFT_GAUGE = "jiangong.registry.count_drift"


def reconcile_counts(app: Flask) -> list[Drift]:
    """Recount the union counts, correct any drift and report it; returns the drift found."""
    with unit_of_work(app) as ctx:
        drifts = reconcile(ctx.session)
    for drift in drifts:
        log.warning(
            "union count drift in county %s: %s was %d, recounted %d; corrected",
            drift.county_code,
            drift.counted,
            drift.kept,
            drift.recounted,
        )
    if not drifts:
        log.info("union counts reconciled: no drift")
    _show_drift(app, drifts)
    return drifts


def _show_drift(app: Flask, drifts: list[Drift]) -> None:
    if _DRIFT_GAUGE not in app.extensions:
        registry = metrics_of(app).registry
        app.extensions[_DRIFT_GAUGE] = (
            Gauge("jiangong_counts_drifted", DRIFTED, registry=registry),
            Gauge("jiangong_count_drift", DRIFT, ("county", "counted"), registry=registry),
        )
    drifted, drift_of = app.extensions[_DRIFT_GAUGE]
    drifted.set(len(drifts))
    drift_of.clear()  # what an earlier run found, it put right
    for drift in drifts:
        drift_of.labels(drift.county_code, drift.counted).set(drift.kept - drift.recounted)


DRIFTED = "Kept counts the last reconciliation found off their recount (and corrected)."
DRIFT = "What the last reconciliation found a kept count off by (kept less recounted)."


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
