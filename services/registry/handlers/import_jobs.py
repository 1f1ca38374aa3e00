"""Large imports run in the background: a job row, then one transaction per chunk of rows
(each counted, its rejected rows kept), then the job closed as done or, with the reason and
what was not imported, as failed. No row is lost silently: each one is counted as created or
rejected, or the job says where it stopped."""

from __future__ import annotations

from services.registry.adapters.orm import ImportJob, ImportJobRejection
from services.registry.adapters.repository import Repository
from services.registry.commands import (
    FinishImportJob,
    ImportChunk,
    ImportEnterprises,
    ImportWorkers,
    StartImportJob,
)
from services.registry.handlers.enterprise_imports import import_enterprises
from services.registry.handlers.enterprises import active_enterprise
from services.registry.handlers.imports import ImportResult, import_workers
from shared.handling import Context


def start_import_job(ctx: Context, command: StartImportJob, repository: Repository) -> ImportJob:
    if command.enterprise_id is not None:  # refused at once, not in the job
        active_enterprise(repository, command.enterprise_id)
    job = ImportJob(
        id=command.job_id,
        kind=command.kind,
        enterprise_id=command.enterprise_id,
        state="queued",
        atomic=command.atomic,
        rows=command.rows,
        checked=0,
        created=0,
        rejected=0,
        unchanged=0,
        requested_by=command.requested_by[:128],
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    repository.add(job)
    return job


def import_chunk(ctx: Context, command: ImportChunk, repository: Repository) -> ImportJob:
    job = _job(repository, command.job_id)
    if job.state in FINISHED:  # closed meanwhile (found stalled): nothing more is imported
        raise RuntimeError(f"import job {job.id} is {job.state} already")
    job.state, job.updated_at = "running", ctx.now
    result = _imported(ctx, job, command, repository)
    job.checked += result.rows
    job.created += result.created
    job.unchanged += result.unchanged
    job.rejected += len(result.rejected)
    job.last_row = max((checked.row for checked in command.rows), default=job.last_row)
    for rejection in result.rejected:
        repository.add(
            ImportJobRejection(job_id=job.id, row=rejection["row"], errors=rejection["errors"])
        )
    return job


def _imported(
    ctx: Context, job: ImportJob, command: ImportChunk, repository: Repository
) -> ImportResult:
    """The chunk imported as what the job imports: enterprises, or an enterprise's workers."""
    if job.kind == "enterprises":
        return import_enterprises(ctx, ImportEnterprises(command.rows, job.atomic), repository)
    assert job.enterprise_id is not None, "an import of workers is an enterprise's"
    chunk = ImportWorkers(job.enterprise_id, command.rows, job.atomic, command.reveal_employer)
    return import_workers(ctx, chunk, repository)


def finish_import_job(ctx: Context, command: FinishImportJob, repository: Repository) -> ImportJob:
    job = _job(repository, command.job_id)
    if job.state in FINISHED:  # closed once: the first outcome stands
        return job
    job.state = "failed" if command.error else "done"
    job.error = command.error[:500] if command.error else None
    job.finished_at = job.updated_at = ctx.now
    return job


def stalled_reason(job: ImportJob) -> str:
    """Why a job that stopped making progress is failed, and which rows were not imported."""
    return (
        f"The import stopped {_where(job)} ({job.checked} of {job.rows} rows checked) and made "
        "no progress since: the rows after it were not imported; import them again."
    )


def restarted_reason(job: ImportJob) -> str:
    """Why a job the platform was running when it stopped is failed, in Chinese and English:
    the clerk reads it in the job, whatever language they asked in."""
    where = f"第 {job.last_row} 行之后" if job.last_row else "第一行之前"
    return (
        f"平台在导入期间重新启动，导入停在{where}（已检查 {job.checked} / {job.rows} 行）："
        "其后的行未导入，请重新导入。 "
        f"The platform restarted during the import, which stopped {_where(job)} "
        f"({job.checked} of {job.rows} rows checked): the rows after it were not imported; "
        "import them again."
    )


def _where(job: ImportJob) -> str:
    return f"after spreadsheet row {job.last_row}" if job.last_row else "before its first row"


FINISHED = ("done", "failed")


def _job(repository: Repository, job_id: str) -> ImportJob:
    job = repository.import_job(job_id)
    if job is None:  # the runner made it before the first chunk: never a caller's mistake
        raise LookupError(f"no import job {job_id}")
    return job
