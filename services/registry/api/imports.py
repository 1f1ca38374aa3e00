"""Bulk registration from a spreadsheet: a ``text/csv`` body, or a multipart ``file`` (CSV or
XLSX). Every row is checked; the answer lists each rejected row by its spreadsheet number."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, jsonify, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.registry.adapters.orm import ImportJob, ImportJobRejection, db, new_id
from services.registry.adapters.spreadsheet import read_sheet, template_workbook
from services.registry.api.access import is_admin, visible_enterprise
from services.registry.api.worker_schemas import ImportJobOut, ImportOut, ImportQuery
from services.registry.background import Check, checked_rows, start_import
from services.registry.commands import ImportWorkers, StartImportJob
from services.registry.domain.errors import UnusableSpreadsheet
from services.registry.domain.workers import (
    COLUMNS,
    EXAMPLE_ROW,
    HEADER_ALIASES,
    LABELS,
    REQUIRED,
    CheckedRow,
    is_template_example,
)
from services.registry.handlers.imports import ImportResult
from shared.auth import current_principal, ensure_enterprise, requires
from shared.db import read_only
from shared.http import Problem
from shared.http.parser import Blueprint
from shared.runtime import execute, runtime_of

blp = Blueprint("imports", __name__, description="Workers registered from a spreadsheet")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RAW_TYPES = ("text/csv", "application/csv", "text/plain", XLSX, "application/octet-stream")


def upload_body(columns: Sequence[str], labels: Mapping[str, str]) -> dict[str, Any]:
    """The request body an import takes, for the OpenAPI document: a CSV or a multipart file."""
    return {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
        "description": "Header row: "
        + ",".join(columns)
        + ", in any order; or in Chinese ("
        + ", ".join(labels.values())
        + "), or both as the template writes them ('"
        + f"{labels[columns[0]]} {columns[0]}'). "
        "Booleans: true/false, 1/0, 是/否.",
    }


UPLOAD = upload_body(COLUMNS, LABELS)
NOTES = {
    "id_number": "18 位居民身份证号，最后一位可为 X；本列须为文本格式 "
    "(18 characters, the last may be X; keep this column formatted as text)",
    "name": "姓名 (the worker's name)",
    "occupation_code": "国家职业分类大典代码，如 6-18-01-01 (an occupation code)",
    "is_migrant": "是/否 (yes/no)",
    "is_union_member": "是/否 (yes/no)",
    "union_joined_on": "仅工会会员填写，格式 2021-03-01 (only for a union member)",
    "hired_on": "格式 2020-09-01，入职时须年满 16 周岁 (aged 16 or more on that day)",
}


def import_operation(blueprint: Blueprint, body: dict[str, Any]) -> Callable[[View], View]:
    """What every import's POST declares: ``?atomic``, the answer (200, or 202 with the job of a
    large file) and the spreadsheet it takes (``body``)."""
    decorators = (
        blueprint.arguments(ImportQuery, location="query"),
        blueprint.response(200, ImportOut),
        blueprint.alt_response(
            202,
            schema=ImportJobOut,
            description="A large file: imported in the background; ``Location`` is the job",
        ),
        blueprint.doc(requestBody=body),
    )

    def declared(view: View) -> View:
        for decorator in reversed(decorators):
            view = decorator(view)
        return view

    return declared


View = Callable[..., Any]


@blp.route("/enterprises/<enterprise_id>/workers/import", methods=["POST"])
@requires("admin", "enterprise")
@import_operation(blp, UPLOAD)
def import_spreadsheet(query: dict[str, Any], enterprise_id: str) -> Any:
    """Register many workers at once; ``?atomic=true`` creates none if any row is rejected.

    A file of more rows than ``JIANGONG_IMPORT_BACKGROUND_ROWS`` (5,000) is imported in the
    background: the answer is 202 with the job, whose progress is at ``Location``.

    The file is read and its rows checked before any transaction that writes begins; the rows
    are then written a batch at a time (``JIANGONG_IMPORT_CHUNK_ROWS``), each batch its own
    short transaction with its events; an atomic import in one, once every row is checked."""
    read_only(True)  # until the first batch: the file is read without the write lock
    visible_enterprise(enterprise_id)
    reveal = is_admin()

    def command(rows: Sequence[CheckedRow], atomic: bool) -> ImportWorkers:
        return ImportWorkers(enterprise_id, rows, atomic, reveal)

    return imported(WORKERS, query["atomic"], command, enterprise_id)


@dataclass(frozen=True)
class SpreadsheetImport:
    """What an import reads from a spreadsheet and how it checks its rows: the same pipeline
    imports workers and enterprises (read, skip the template's example, check every row, then
    write in batches, or in the background for a large file)."""

    noun: str
    columns: Sequence[str]
    required: Sequence[str]
    aliases: Mapping[str, str]
    is_example: Callable[[Mapping[str, object]], bool]
    check: Check
    key: str
    """The column a row lost to a concurrent registration is rejected under."""


WORKERS = SpreadsheetImport(
    "workers", COLUMNS, REQUIRED, HEADER_ALIASES, is_template_example, checked_rows, "id_number"
)
Command = Callable[[Sequence[CheckedRow], bool], object]
"""The command that writes checked rows, atomically or not."""


def imported(
    what: SpreadsheetImport, atomic: bool, command: Command, enterprise_id: str | None = None
) -> Any:
    """The uploaded file imported: checked, then written in batches (or atomically, or in the
    background past ``JIANGONG_IMPORT_BACKGROUND_ROWS``); the answer for the view."""
    read_only(True)  # until the first batch: the file is read without the write lock
    sheet = read_sheet(uploaded(), what.columns, what.required, what.aliases)
    rows = [(number, cells) for number, cells in sheet.rows if not what.is_example(cells)]
    if not rows:
        raise UnusableSpreadsheet("The file has no data rows besides the template's example row.")
    if len(rows) > runtime_of(current_app).config.import_background_rows:
        return _in_background(what, enterprise_id, rows, atomic)
    checked = what.check(current_app, rows)
    result = execute(command(checked, True)) if atomic else _in_batches(what, checked, command)
    return {
        **vars(result),
        "ignored_columns": sheet.ignored_columns,
        "detail": _summary(what.noun, result),
    }


@blp.route("/enterprises/<enterprise_id>/workers/import-template", methods=["GET"])
@requires("admin", "enterprise")
@blp.response(200, content_type=XLSX, description="The XLSX template to fill in and upload")
def import_template(enterprise_id: str) -> Any:
    """The spreadsheet to fill in for an import: Chinese headers with the English names beside
    them, an example row (skipped if left in), the ID-number column formatted as text."""
    visible_enterprise(enterprise_id)
    content = template_workbook(COLUMNS, LABELS, EXAMPLE_ROW, REQUIRED, NOTES)
    return Response(
        content,
        mimetype=XLSX,
        headers={
            "Content-Disposition": "attachment; filename=workers-import-template.xlsx; "
            "filename*=UTF-8''%E8%81%8C%E5%B7%A5%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx",
            "Cache-Control": "no-cache",
        },
    )


def _in_batches(
    what: SpreadsheetImport, checked: list[CheckedRow], command: Command
) -> ImportResult:
    """The rows a batch at a time, a transaction each. A batch that loses a race to another
    request (a unique index) is tried once more, when its lookups see the other's record; if
    it fails again after earlier batches were saved, its rows are reported, not lost."""
    size = runtime_of(current_app).config.import_chunk_rows
    result = ImportResult()
    for start in range(0, len(checked), size):
        batch = checked[start : start + size]
        result.add(_batch(what, batch, command, saved=result.rows > 0))
    return result


def _batch(
    what: SpreadsheetImport, batch: list[CheckedRow], command: Command, saved: bool
) -> ImportResult:
    for attempt in (1, 2):
        try:
            result: ImportResult = execute(command(batch, False))
            return result
        except IntegrityError:
            if attempt == 2 and not saved:
                raise  # nothing saved yet: the kernel's 409 says so
    lost = ImportResult(rows=len(batch))
    for checked in batch:
        lost.reject(checked.row, {what.key: [CHANGED_MEANWHILE % what.noun]})
    return lost


CHANGED_MEANWHILE = (
    "another request registered %s at the same time and this row was not saved; import it again"
)


def _in_background(
    what: SpreadsheetImport, enterprise_id: str | None, rows: list[Any], atomic: bool
) -> Response:
    job_id = new_id()
    subject = current_principal().subject
    start = StartImportJob(job_id, enterprise_id, len(rows), atomic, subject, what.noun)
    body = job_view(execute(start))
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    chunk_rows = runtime_of(app).config.import_chunk_rows
    start_import(app, job_id, rows, chunk_rows, atomic, is_admin(), what.check)
    response = jsonify(ImportJobOut().dump(body))
    response.status_code = 202
    response.headers["Location"] = body["links"]["self"]
    return response


@blp.route("/import-jobs/<job_id>", methods=["GET"])
@requires("admin", "enterprise")
@blp.response(200, ImportJobOut)
def import_job(job_id: str) -> Any:
    """A background import's progress: rows checked, created and rejected, and its state
    (queued, running, done, or failed with ``error`` saying what was not imported)."""
    return job_view(_visible_job(job_id))


@blp.route("/import-jobs/<job_id>/rejected.csv", methods=["GET"])
@requires("admin", "enterprise")
@blp.response(200, content_type="text/csv", description="row, column, reason: one line each")
def rejected_rows(job_id: str) -> Any:
    """The rows a background import rejected so far, with the reasons, as CSV (UTF-8 with a
    byte-order mark, as Excel in China opens it): ``row,column,reason``."""
    job = _visible_job(job_id)
    query = (
        select(ImportJobRejection)
        .where(ImportJobRejection.job_id == job.id)
        .order_by(ImportJobRejection.row, ImportJobRejection.id)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["row", "column", "reason"])
    for rejection in db.session.scalars(query):
        for column, reasons in rejection.errors.items():
            for reason in reasons:
                writer.writerow([rejection.row, column, reason])
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=rejected-{job.id}.csv"},
    )


def _visible_job(job_id: str) -> ImportJob:
    job = db.session.get(ImportJob, job_id)
    if job is None:
        raise Problem(404, "No import job with that id.")
    ensure_enterprise(job.enterprise_id or "", "import job")  # enterprises': an admin's only
    return job


def job_view(job: ImportJob) -> dict[str, Any]:
    fields = (
        *("id", "kind", "enterprise_id", "state", "atomic"),
        *("rows", "checked", "created", "unchanged", "rejected"),
    )
    return {
        **{name: getattr(job, name) for name in fields},
        "error": job.error,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "links": {
            "self": url_for("imports.import_job", job_id=job.id),
            "rejected": url_for("imports.rejected_rows", job_id=job.id),
        },
    }


def uploaded() -> bytes:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise Problem(
                422,
                "Send the spreadsheet as the multipart field 'file'.",
                errors={"file": ["is required"]},
            )
        return upload.read()
    if request.mimetype in RAW_TYPES:
        return request.get_data()
    raise Problem(
        415,
        "Send a CSV body (text/csv) or a CSV or XLSX file as the multipart field 'file'.",
    )


def _summary(noun: str, result: ImportResult) -> str:
    rows, rejected = result.rows, len(result.rejected)
    if result.atomic and rejected:
        return (
            f"No {noun[:-1]} was created: {rejected} of {rows} rows were rejected (atomic import)."
        )
    unchanged = f"{result.unchanged} already registered as given, " if result.unchanged else ""
    return f"{result.created} {noun} created, {unchanged}{rejected} of {rows} rows rejected."
