"""The leaderboards' answers: a competition's board, the enterprises' and the counties' tables."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.competitions.api.coverage_schemas import YEAR, RegionCoverageOut
from shared.http import PageQuery


class LeaderboardQuery(PageQuery):
    view = fields.String(
        load_default="public",
        validate=validate.OneOf(["public", "live"]),
        metadata={"description": "public (frozen while a freeze holds) or live (admins)"},
    )


class BoardRowOut(Schema):
    rank = fields.Integer()
    entry_id = fields.String()
    enterprise_id = fields.String()
    enterprise_name = fields.String(
        allow_none=True, metadata={"description": "null where the registry's is not known"}
    )
    team_name = fields.String(allow_none=True)
    worker_names = fields.List(
        fields.String(), metadata={"description": "the entry's workers, in its order"}
    )
    score = fields.Float()
    award = fields.String(allow_none=True)


class LeaderboardOut(Schema):
    competition_id = fields.String()
    status = fields.String()
    version = fields.Integer()
    view = fields.String(metadata={"description": "live, frozen or final"})
    final = fields.Boolean()
    frozen = fields.Boolean()
    freeze_at = fields.String(allow_none=True)
    rows = fields.List(fields.Nested(BoardRowOut))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class YearPageQuery(PageQuery):
    year = fields.Integer(required=True, validate=YEAR)


class EnterpriseStandingOut(Schema):
    rank = fields.Integer()
    enterprise_id = fields.String()
    name = fields.String(allow_none=True)
    region_code = fields.String(allow_none=True)
    points = fields.Integer()
    awards = fields.Integer()


class EnterpriseBoardOut(Schema):
    year = fields.Integer()
    items = fields.List(fields.Nested(EnterpriseStandingOut))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class CountyStandingOut(RegionCoverageOut):
    rank = fields.Integer()


class CountyBoardOut(Schema):
    year = fields.Integer()
    items = fields.List(fields.Nested(CountyStandingOut))
