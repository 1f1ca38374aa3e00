"""Bulk registration from a spreadsheet: a ``text/csv`` body, or a multipart ``file`` (CSV or
XLSX). Every row is checked; the answer lists each rejected row by its spreadsheet number."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint

from services.registry.adapters.spreadsheet import read_sheet
from services.registry.api.access import is_admin, visible_enterprise
from services.registry.api.worker_schemas import ImportOut, ImportQuery
from services.registry.commands import ImportWorkers
from services.registry.domain.workers import COLUMNS, REQUIRED
from shared.auth import requires
from shared.http import Problem
from shared.runtime import execute

blp = Blueprint("imports", __name__, description="Workers registered from a spreadsheet")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RAW_TYPES = ("text/csv", "application/csv", "text/plain", XLSX, "application/octet-stream")
UPLOAD = {
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
    "description": "Header row: " + ",".join(COLUMNS) + ". Booleans: true/false, 1/0, 是/否.",
}


@blp.route("/enterprises/<enterprise_id>/workers/import", methods=["POST"])
@requires("admin", "enterprise")
@blp.arguments(ImportQuery, location="query")
@blp.response(200, ImportOut)
@blp.doc(requestBody=UPLOAD)
def import_spreadsheet(query: dict[str, Any], enterprise_id: str) -> Any:
    """Register many workers at once; ``?atomic=true`` creates none if any row is rejected."""
    visible_enterprise(enterprise_id)
    sheet = read_sheet(uploaded(), COLUMNS, REQUIRED)
    result = execute(ImportWorkers(enterprise_id, sheet.rows, query["atomic"], is_admin()))
    return {
        **vars(result),
        "ignored_columns": sheet.ignored_columns,
        "detail": _summary(result.rows, result.created, len(result.rejected), result.atomic),
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


def _summary(rows: int, created: int, rejected: int, atomic: bool) -> str:
    if atomic and rejected:
        return f"No worker was created: {rejected} of {rows} rows were rejected (atomic import)."
    return f"{created} workers created, {rejected} of {rows} rows rejected."
