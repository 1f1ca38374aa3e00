"""Coverage's answers: a year's enterprise coverage and worker participation, by county."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

YEAR = validate.Range(min=2000, max=2100)


class YearQuery(Schema):
    year = fields.Integer(required=True, validate=YEAR)


class RegionCoverageOut(Schema):
    region_code = fields.String()
    name = fields.String(allow_none=True)
    enterprises_total = fields.Integer()
    enterprises_participating = fields.Integer()
    enterprise_coverage = fields.Float()
    workers_total = fields.Integer()
    workers_participating = fields.Integer()
    worker_participation = fields.Float()
    person_times = fields.Integer()


class CoverageOut(Schema):
    year = fields.Integer()
    enterprises_total = fields.Integer()
    enterprises_participating = fields.Integer()
    enterprise_coverage = fields.Float()
    workers_total = fields.Integer()
    workers_participating = fields.Integer()
    worker_participation = fields.Float()
    person_times = fields.Integer()
    by_region = fields.List(fields.Nested(RegionCoverageOut))
