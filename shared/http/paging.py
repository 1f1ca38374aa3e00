"""Paging: every list answers ``{items, page, per_page, total}``, at most 100 a page."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_PER_PAGE = 100
MAX_PAGE = 10_000_000
"""The last page a list may be asked for: ten million, far past any list we keep. A page number
past the database's integer range was a 500 (PostgreSQL's and SQLite's ``OFFSET`` are 64-bit);
bounded so, the offset stays below 10⁹ at 100 a page, inside even a 32-bit integer."""


class PageQuery(Schema):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "1 is the first; past the last page the items are empty"},
    )
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """The paged answer for ``item_schema``: ``{items, page, per_page, total}``."""
    return type(
        f"{item_schema.__name__.removesuffix('Schema')}PageSchema",
        (Schema,),
        {
            "items": fields.List(fields.Nested(item_schema)),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
            "total": fields.Integer(),
        },
    )


def paginate(session: Session, query: Select[Any], page: int, per_page: int) -> dict[str, Any]:
    """One page of ``query``. Past the last row the database is not asked for rows at all, so
    even a page number no schema bounded cannot reach the database as an offset."""
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    offset = (page - 1) * per_page
    items: Any = []
    if offset < total:
        items = session.execute(query.limit(per_page).offset(offset)).scalars().all()
    return {"items": items, "page": page, "per_page": per_page, "total": total}
