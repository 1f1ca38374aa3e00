"""Large imports in the background: a thread with its own app context checks the job's rows
(no transaction), then writes them in chunks, one short transaction each (``ImportChunk``), so
that other requests wait for the registry's write lock no longer than one chunk takes; then it
closes the job. An atomic job is one chunk, written once every row is checked.

Nothing fancy survives: the rows live in the thread's memory, so a process that stops takes
the rest of the job with it. But no row is lost silently: every row checked is counted as
created or rejected, in the same transaction as its workers, and a job that dies is closed as
``failed`` with the reason and the first spreadsheet row that was not imported.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence

from flask import Flask

from services.registry.adapters.repository import SqlRepository
from services.registry.commands import FinishImportJob, ImportChunk
from services.registry.domain.workers import CheckedRow
from services.registry.handlers.enterprise_imports import check_enterprise_rows
from services.registry.handlers.imports import check_rows
from shared.clock import shanghai_date
from shared.db import reads
from shared.runtime import run, runtime_of, unit_of_work

log = logging.getLogger(__name__)

Rows = Sequence[tuple[int, Mapping[str, object]]]
Check = Callable[[Flask, Rows], list[CheckedRow]]
"""How an import checks its rows before it writes any: ``checked_rows`` for workers."""


def start_import(
    app: Flask,
    job_id: str,
    rows: Rows,
    chunk_rows: int,
    atomic: bool,
    reveal_employer: bool,
    check: Check | None = None,
) -> threading.Thread:
    """Run the job in a daemon thread; an atomic job is one chunk (one transaction)."""
    size = len(rows) if atomic else max(1, chunk_rows)
    thread = threading.Thread(
        target=run_import,
        args=(app, job_id, rows, size, reveal_employer, check or checked_rows),
        name=f"registry-import-{job_id}",
        daemon=True,
    )
    thread.start()
    return thread


def checked_rows(app: Flask, rows: Rows) -> list[CheckedRow]:
    """The rows checked by the app's clock and the registry's cipher, outside any transaction."""
    runtime = runtime_of(app)
    assert runtime.cipher is not None, "the registry keeps PII: its runtime has a cipher"
    return check_rows(rows, shanghai_date(runtime.now()), runtime.cipher)


def checked_enterprise_rows(app: Flask, rows: Rows) -> list[CheckedRow]:
    """Rows of enterprises checked by the app's clock against the registry's regions, read in
    a transaction of their own that takes no write lock."""
    with reads(), unit_of_work(app) as ctx:
        regions = SqlRepository(ctx.session).regions()
    return check_enterprise_rows(rows, shanghai_date(runtime_of(app).now()), regions)


def run_import(
    app: Flask, job_id: str, rows: Rows, chunk_rows: int, reveal: bool, check: Check = checked_rows
) -> None:
    done = 0
    try:
        checked = check(app, rows)
        for start in range(0, len(checked), chunk_rows):
            chunk = checked[start : start + chunk_rows]
            run(app, ImportChunk(job_id, chunk, reveal))
            done += len(chunk)
        run(app, FinishImportJob(job_id))
    except Exception as error:  # the job must end, and say where it stopped
        log.exception("import job %s failed after %d of %d rows", job_id, done, len(rows))
        first = rows[done][0] if done < len(rows) else None
        reason = (
            f"The import stopped ({type(error).__name__}) after {done} of {len(rows)} rows: "
            f"the rows from spreadsheet row {first} on were not imported; import them again."
        )
        try:
            run(app, FinishImportJob(job_id, reason))
        except Exception:  # pragma: no cover - the database itself is gone
            log.exception("import job %s could not be marked failed", job_id)
