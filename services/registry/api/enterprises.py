"""Enterprises: register, list, read, correct, deregister."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.registry.adapters.orm import db
from services.registry.api.access import visible_enterprise
from services.registry.api.schemas import (
    DeregisterIn,
    EnterpriseIn,
    EnterpriseOut,
    EnterprisePatch,
    EnterpriseQuery,
    counted_page_of,
)
from services.registry.commands import DeregisterEnterprise, RegisterEnterprise, UpdateEnterprise
from services.registry.listing import page_of_rows
from services.registry.queries import enterprises_query
from shared.auth import current_principal, requires
from shared.handling import command_from
from shared.http.parser import Blueprint
from shared.kept_answers import kept_until_changed
from shared.runtime import execute

blp = Blueprint("enterprises", __name__, description="Enterprises and their union")


@blp.route("/enterprises")
class Enterprises(MethodView):
    @requires("admin", "enterprise")
    @kept_until_changed
    @blp.arguments(EnterpriseQuery, location="query")
    @blp.response(200, counted_page_of(EnterpriseOut))
    def get(self, query: dict[str, Any]) -> Any:
        """Enterprises, paged; an enterprise token sees only its own."""
        page, per_page = query.pop("page"), query.pop("per_page")
        principal = current_principal()
        if principal.role == "enterprise":
            query["only_id"] = principal.enterprise_id
        return page_of_rows(db.session, enterprises_query(db.session, query), page, per_page)

    @requires("admin")
    @blp.arguments(EnterpriseIn)
    @blp.response(201, EnterpriseOut)
    def post(self, details: dict[str, Any]) -> Any:
        """Register an enterprise; its credit code must be new to the registry."""
        return execute(command_from(details, RegisterEnterprise))


@blp.route("/enterprises/<enterprise_id>")
class EnterpriseById(MethodView):
    @requires("admin", "enterprise")
    @blp.response(200, EnterpriseOut)
    def get(self, enterprise_id: str) -> Any:
        return visible_enterprise(enterprise_id)

    @requires("admin")
    @blp.arguments(EnterprisePatch)
    @blp.response(200, EnterpriseOut)
    def patch(self, changes: dict[str, Any], enterprise_id: str) -> Any:
        """Correct an enterprise's details (not its credit code)."""
        return execute(UpdateEnterprise(enterprise_id, changes))


@blp.route("/enterprises/<enterprise_id>/deregister", methods=["POST"])
@requires("admin")
@blp.arguments(DeregisterIn, required=False)
@blp.response(200, EnterpriseOut)
def deregister(body: dict[str, Any], enterprise_id: str) -> Any:
    """Deregister an enterprise that has no active workers left."""
    return execute(command_from(body, DeregisterEnterprise, enterprise_id=enterprise_id))
