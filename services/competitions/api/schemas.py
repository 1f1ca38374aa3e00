"""What comes in and what goes out: separate load and dump schemas, so that no request can
write ``id``, ``status``, scores or an entry's enterprise after the fact."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.competitions.domain.model import TIE_BREAKS, Aggregation, Kind, Level, Status
from shared.clock import as_utc
from shared.http import PageQuery

REGION_CODE = validate.Regexp(r"^\d{6}(\d{3}){0,2}$", error="A region code has 6, 9 or 12 digits.")
ID = validate.Length(min=1, max=64)
POSITIVE = validate.Range(min=0, min_inclusive=False)


def _choice(enum: Any) -> validate.OneOf:
    return validate.OneOf([member.value for member in enum])


class UtcDateTime(fields.DateTime):
    """A timestamp out with its zone (UTC), whatever the database gave back."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(None if value is None else as_utc(value), attr, obj, **kwargs)


class TeamSize(Schema):
    min = fields.Integer(required=True, validate=validate.Range(min=1))
    max = fields.Integer(required=True, validate=validate.Range(min=1))

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data["min"] > data["max"]:
            raise ValidationError("max must be at least min.", "max")


class CriterionSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    weight = fields.Float(required=True, validate=POSITIVE)
    max_marks = fields.Float(required=True, validate=POSITIVE)


class AwardSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    places = fields.Integer(required=True, validate=validate.Range(min=1))


class CompetitionIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=_choice(Kind))
    level = fields.String(required=True, validate=_choice(Level))
    contest_class = fields.Integer(allow_none=True, validate=validate.OneOf([1, 2]))
    region_code = fields.String(required=True, validate=REGION_CODE)
    occupation_code = fields.String(allow_none=True, validate=validate.Length(min=1, max=32))
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    registration_closes_at = fields.AwareDateTime(allow_none=True)
    freeze_at = fields.AwareDateTime(allow_none=True)
    max_entries_per_enterprise = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    team_size = fields.Nested(TeamSize)
    criteria = fields.List(
        fields.Nested(CriterionSchema), required=True, validate=validate.Length(min=1, max=50)
    )
    aggregation = fields.String(load_default="mean", validate=_choice(Aggregation))
    awards = fields.List(fields.Nested(AwardSchema), load_default=list)
    tie_breaks = fields.List(fields.String(validate=validate.OneOf(TIE_BREAKS)))


class CompetitionOut(Schema):
    id = fields.String()
    title = fields.String()
    kind = fields.String()
    level = fields.String()
    contest_class = fields.Integer(allow_none=True)
    region_code = fields.String()
    occupation_code = fields.String(allow_none=True)
    year = fields.Integer()
    registration_closes_at = UtcDateTime(allow_none=True)
    freeze_at = UtcDateTime(allow_none=True)
    max_entries_per_enterprise = fields.Integer(allow_none=True)
    team_size = fields.Function(lambda row: {"min": row.team_size_min, "max": row.team_size_max})
    criteria = fields.List(fields.Nested(CriterionSchema))
    aggregation = fields.String()
    awards = fields.List(fields.Nested(AwardSchema))
    tie_breaks = fields.List(fields.String())
    status = fields.String()
    created_at = UtcDateTime()
    opened_at = UtcDateTime(allow_none=True)
    closed_at = UtcDateTime(allow_none=True)
    published_at = UtcDateTime(allow_none=True)


class CompetitionQuery(PageQuery):
    year = fields.Integer()
    kind = fields.String(validate=_choice(Kind))
    level = fields.String(validate=_choice(Level))
    status = fields.String(validate=_choice(Status))
    region_code = fields.String(validate=REGION_CODE)


class JudgeIn(Schema):
    judge_id = fields.String(required=True, validate=ID)
    enterprise_id = fields.String(allow_none=True, load_default=None, validate=ID)


class JudgeOut(Schema):
    competition_id = fields.String()
    judge_id = fields.String()
    enterprise_id = fields.String(allow_none=True)
    assigned_at = UtcDateTime()


class EntryIn(Schema):
    enterprise_id = fields.String(required=True, validate=ID)
    worker_ids = fields.List(
        fields.String(validate=ID), required=True, validate=validate.Length(min=1, max=100)
    )
    team_name = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))


class EntryOut(Schema):
    id = fields.String()
    competition_id = fields.String()
    enterprise_id = fields.String()
    enterprise_name = fields.String(
        allow_none=True, metadata={"description": "null where the registry's is not known"}
    )
    team_name = fields.String(allow_none=True)
    worker_ids = fields.List(fields.String())
    worker_names = fields.List(
        fields.String(),
        metadata={"description": "the names of the workers the registry has announced, in order"},
    )
    region_code = fields.String(allow_none=True)
    status = fields.String()
    registered_at = UtcDateTime()
    withdrawn_at = UtcDateTime(allow_none=True)


class EntryQuery(PageQuery):
    enterprise_id = fields.String(validate=ID)
    status = fields.String(validate=validate.OneOf(["registered", "withdrawn"]))


class ScoresIn(Schema):
    marks = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=32)),
        values=fields.Float(required=True),
        required=True,
        validate=validate.Length(min=1),
    )


class ScoresOut(Schema):
    competition_id = fields.String()
    entry_id = fields.String()
    judge_id = fields.String()
    marks = fields.Dict(keys=fields.String(), values=fields.Float())
    recorded_at = UtcDateTime()
