"""The audited reads of full ID numbers, listed for an admin: who, when, which worker, why.

Read only: the audit is append-only (no view changes it, and the database refuses to)."""

from __future__ import annotations

from typing import Any

from services.registry.adapters.orm import db
from services.registry.api.schemas import AuditOut, AuditQuery
from services.registry.queries import audit_query, names_of
from shared.auth import requires
from shared.http import page_of, paginate
from shared.http.parser import Blueprint

blp = Blueprint("audit", __name__, description="Who was shown a full ID number, and why")


@blp.route("/id-number-audit", methods=["GET"])
@requires("admin")
@blp.arguments(AuditQuery, location="query")
@blp.response(200, page_of(AuditOut))
def id_number_audit(query: dict[str, Any]) -> Any:
    """Every look at a full ID number, newest first; ``worker_id`` narrows it to one worker."""
    page = paginate(
        db.session, audit_query(query.get("worker_id")), query["page"], query["per_page"]
    )
    names = names_of(db.session, [audit.worker_id for audit in page["items"]])
    page["items"] = [
        {**{c: getattr(a, c) for c in AUDIT_FIELDS}, "worker_name": names.get(a.worker_id)}
        for a in page["items"]
    ]
    return page


AUDIT_FIELDS = ("id", "worker_id", "viewer", "role", "reason", "viewed_at")
