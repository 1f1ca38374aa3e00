"""The rules tables, read and replaced by admins: ``promotion`` (years at a level before the
next) and ``contest`` (the exceptional-promotion bands). A replacement is checked by the domain
and within the API's bounds (:mod:`.rules_schemas`: a bad table is a 422 naming every bad
field) and stored as the next version; decisions record the version that made them. The
document states both tables and the two kinds."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields

from services.certification import commands
from services.certification.adapters.orm import db
from services.certification.adapters.repository import SqlRepository
from services.certification.api.rules_schemas import BODY_DOC, KIND_PARAMETER, check_table
from services.certification.domain.tables import check_kind
from services.certification.handlers.rules import RulesVersion, current_rules
from shared.auth import current_principal, requires
from shared.handling import command_from
from shared.http.fields import InputSchema
from shared.http.parser import Blueprint
from shared.runtime import execute

blp = Blueprint("rules", __name__, description="The versioned rules tables.")


class RulesIn(InputSchema):
    server_set = ("kind", "version", "built_in", "created_at", "created_by")
    body = fields.Dict(keys=fields.String(), required=True, metadata=BODY_DOC)


class RulesOut(Schema):
    kind = fields.String()
    version = fields.Integer(metadata={"description": "the version decisions record"})
    built_in = fields.Boolean(metadata={"description": "no table stored: the defaults rule"})
    body = fields.Dict()


@blp.route("/rules/<kind>", parameters=[KIND_PARAMETER])
class RulesTable(MethodView):
    @requires("admin")
    @blp.response(200, RulesOut)
    def get(self, kind: str) -> RulesVersion:
        """The table of ``kind`` (``promotion`` or ``contest``) in force."""
        return current_rules(SqlRepository(db.session), kind)

    @requires("admin")
    @blp.arguments(RulesIn)
    @blp.response(200, RulesOut)
    def put(self, rules: dict[str, Any], kind: str) -> RulesVersion:
        """Replace the table of ``kind``: stored as the next version, in force at once."""
        check_kind(kind)
        check_table(kind, rules["body"])
        by = current_principal().subject
        return execute(command_from(rules, commands.ReplaceRulesTable, kind=kind, by=by))
