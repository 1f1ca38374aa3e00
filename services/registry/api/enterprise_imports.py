"""Enterprises registered from a spreadsheet, by the workers' import's pipeline: a ``text/csv``
body or a multipart ``file`` (CSV or XLSX), every row checked, each rejected row listed by its
spreadsheet number, a large file imported in the background (``/import-jobs/{id}``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import flask
from flask import Response
from flask_smorest import Blueprint

from services.registry.adapters.spreadsheet import template_workbook
from services.registry.api.imports import (
    XLSX,
    SpreadsheetImport,
    import_operation,
    imported,
    upload_body,
)
from services.registry.background import checked_enterprise_rows
from services.registry.commands import ImportEnterprises
from services.registry.domain.enterprise_rows import (
    COLUMNS,
    EXAMPLE_ROW,
    HEADER_ALIASES,
    LABELS,
    REQUIRED,
    is_example,
)
from services.registry.domain.workers import CheckedRow
from shared.auth import requires

blp = Blueprint(
    "enterprise_imports", __name__, description="Enterprises registered from a spreadsheet"
)

ENTERPRISES = SpreadsheetImport(
    "enterprises", COLUMNS, REQUIRED, HEADER_ALIASES, is_example, checked_enterprise_rows, "uscc"
)
NOTES = {
    "uscc": "18 位统一社会信用代码；本列须为文本格式 "
    "(the unified social credit code, 18 characters; keep this column formatted as text)",
    "name": "单位全称，至多 200 字 (the enterprise's full name)",
    "region_code": "地区名称（如 秀洲区）或代码（如 330411），县（市、区）或其下的镇、村 "
    "(a county, town or village of Jiaxing, by name or code)",
    "has_union": "是/否 (yes/no)",
    "union_founded_on": "仅已建会单位填写，格式 2015-05-01 (only where it has a union)",
    "above_designated_size": "是/否：是否规模以上企业 (above the designated size)",
    "ownership": "公有/非公有 (public/non_public)",
    "employee_count": "职工人数，整数 (a whole number of employees)",
}


def allowed_methods() -> Response:
    """``OPTIONS /enterprises/import``: what this path takes. Flask's own answer would add the
    methods of ``/enterprises/{enterprise_id}``, whose pattern the word ``import`` matches too."""
    return Response(status=204, headers={"Allow": "OPTIONS, POST"})


# Flask's own add_url_rule: an OPTIONS rule is not an operation of the API's document; before
# the POST's rule, so that it is the one an OPTIONS request matches
flask.Blueprint.add_url_rule(
    blp, "/enterprises/import", view_func=allowed_methods, methods=["OPTIONS"]
)


@blp.route("/enterprises/import", methods=["POST"])
@requires("admin")
@import_operation(blp, upload_body(COLUMNS, LABELS))
def import_enterprises(query: dict[str, Any]) -> Any:
    """Register many enterprises at once; ``?atomic=true`` creates none if any row is rejected.

    Each row is checked as ``POST /enterprises`` checks a body; the region is given by its
    name (秀洲区) or its code (330411). A row giving a registered credit code with the same
    details is counted ``unchanged``; with other details it is rejected. A file of more rows
    than ``JIANGONG_IMPORT_BACKGROUND_ROWS`` (5,000) is imported in the background (202)."""

    def command(rows: Sequence[CheckedRow], atomic: bool) -> ImportEnterprises:
        return ImportEnterprises(rows, atomic)

    return imported(ENTERPRISES, query["atomic"], command)


@blp.route("/enterprises/import/template", methods=["GET"])
@requires("admin")
@blp.response(200, content_type=XLSX, description="The XLSX template to fill in and upload")
def import_template() -> Any:
    """The spreadsheet to fill in for an import of enterprises: Chinese headers with the
    English names beside them, an example row (skipped if left in), the credit code and region
    columns formatted as text, lists for the yes-or-no and ownership columns."""
    choices = {"has_union": "是,否", "above_designated_size": "是,否", "ownership": "公有,非公有"}
    content = template_workbook(
        COLUMNS,
        LABELS,
        EXAMPLE_ROW,
        REQUIRED,
        NOTES,
        title="单位 enterprises",
        text_columns=("uscc", "region_code"),
        choices=choices,
    )
    return Response(
        content,
        mimetype=XLSX,
        headers={
            "Content-Disposition": "attachment; filename=enterprises-import-template.xlsx; "
            "filename*=UTF-8''%E5%8D%95%E4%BD%8D%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx",
            "Cache-Control": "no-cache",
        },
    )
