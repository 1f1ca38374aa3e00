"""A page of a registry list, without counting by sorting.

A list's ``total`` comes from the union counts where they answer the filter (every worker, or
every current or former one: ``queries.kept_worker_total``); otherwise it is counted, but only
up to ``COUNT_LIMIT``: past that the answer says ``total: 10000`` with ``total_exact: false``
("more than 10,000"), so that a list of a million rows costs no scan of a million rows. The
page's rows are read in the list's order on its index; a deep page reads the ids of its rows
on the index first and then only those rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.orm import Session

COUNT_LIMIT = 10_000
"""Rows a list counts at most; beyond, its total says "more than this"."""
DEEP_OFFSET = 1_000
"""From this offset on, a page's ids are read first on the index, then only its rows."""


def page_of_rows(
    session: Session, query: Select[Any], page: int, per_page: int, total: int | None = None
) -> dict[str, Any]:
    """One page of ``query`` (ordered, selecting one entity), with its total: ``total`` where
    the caller knows it from the kept counts, else counted up to ``COUNT_LIMIT``."""
    exact = True
    if total is None:
        total, exact = bounded_count(session, query)
    offset = (page - 1) * per_page
    items: list[Any] = []
    if offset < total or not exact:
        items = _rows(session, query, per_page, offset)
    return {
        "items": items,
        "page": page,
        "per_page": per_page,
        "total": total,
        "total_exact": exact,
    }


def bounded_count(session: Session, query: Select[Any]) -> tuple[int, bool]:
    """The rows ``query`` finds, counted up to ``COUNT_LIMIT``, and whether that is all."""
    ones: Select[Any] = query.order_by(None).with_only_columns(
        literal_column("1"), maintain_column_froms=True
    )
    bounded = ones.limit(COUNT_LIMIT + 1).subquery()
    found = session.scalar(select(func.count()).select_from(bounded)) or 0
    return (COUNT_LIMIT, False) if found > COUNT_LIMIT else (found, True)


def _rows(session: Session, query: Select[Any], limit: int, offset: int) -> list[Any]:
    if offset < DEEP_OFFSET:
        return list(session.scalars(query.limit(limit).offset(offset)))
    entity = query.column_descriptions[0]["entity"]
    ids = list(
        session.scalars(
            query.with_only_columns(entity.id, maintain_column_froms=True)
            .limit(limit)
            .offset(offset)
        )
    )
    rows = {row.id: row for row in session.scalars(select(entity).where(entity.id.in_(ids)))}
    return [rows[key] for key in ids]
