"""What comes in and what goes out: separate load and dump schemas, so that no request can
write ``id``, ``status``, scores or an entry's enterprise after the fact.

Each load schema states in the OpenAPI document what the server enforces, so that a client or a
form built from the document knows what will be accepted: every integer and number bounded
(``minimum``/``maximum``, ``exclusiveMinimum`` where zero is refused), strings with their
lengths and, where the server holds them to one, a ``pattern`` (matched whole, as JSON Schema's
anchored pattern reads), lists with their sizes, moments with the years they may fall in. No
value the document allows can overflow a database column or a float.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, missing, validate, validates_schema

from services.competitions.api.coverage_schemas import YEAR
from services.competitions.domain.model import TIE_BREAKS, Aggregation, Kind, Level, Status
from shared.http.fields import (
    InputSchema,
    Pattern,
    SomethingToChange,
    Text,
    UtcDateTime,
    occupation_code_field,
)
from shared.http.paging import PageQuery

REGION_CODE = Pattern(r"^[0-9]{6}([0-9]{3}){0,2}$", error="A region code has 6, 9 or 12 digits.")
ID = validate.Length(min=1, max=64)

MAX_ENTRIES = 1_000
"""Entries one enterprise may have in a competition, at most."""
MAX_TEAM = 100
"""Workers in one entry, at most (``worker_ids`` takes as many)."""
MAX_CRITERIA = 50
MAX_AWARDS = 20
MAX_PLACES = 1_000
MAX_WEIGHT = 1_000.0
MAX_MARKS = 1_000.0
"""A criterion's weight and its full marks: positive, at most these. With at most 50 criteria a
score stays below 5·10⁷, far from a float's range (``1.8e308`` was a 500)."""

FIRST_YEAR, LAST_YEAR = YEAR.min, YEAR.max
MOMENT_PATTERN = "^(20[0-9]{2}|2100)-"
"""A moment's year as written (2000 to 2100), stated as a pattern since JSON Schema bounds no
``date-time``: with it, no offset can move a moment past the calendar's ends."""


def _choice(enum: Any) -> validate.OneOf:
    return validate.OneOf([member.value for member in enum])


def _positive(most: float) -> list[validate.Validator]:
    """Over 0 and at most ``most``. apispec writes no ``exclusiveMinimum`` for
    ``min_inclusive=False``: the field's metadata states it (OpenAPI 3.0's boolean form)."""
    return [validate.Range(min=0, min_inclusive=False, max=most)]


def _in_years(value: datetime) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(f"Must be a moment from {FIRST_YEAR} to {LAST_YEAR}.")


def moment(what: str) -> fields.AwareDateTime:
    """A moment with its offset (ISO 8601), in the years 2000 to 2100 as written."""
    return fields.AwareDateTime(
        allow_none=True,
        validate=_in_years,
        metadata={
            "pattern": MOMENT_PATTERN,
            "description": f"{what}; with its offset, from {FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31",
        },
    )


class TeamSize(InputSchema):
    min = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_TEAM))
    max = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_TEAM))

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data["min"] > data["max"]:
            raise ValidationError("max must be at least min.", "max")


EXCLUSIVE_MINIMUM = {"exclusiveMinimum": True}


class CriterionSchema(InputSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = Text(200, required=True)
    weight = fields.Float(
        required=True,
        validate=_positive(MAX_WEIGHT),
        metadata={**EXCLUSIVE_MINIMUM, "description": "over 0; the weights need not sum to 1"},
    )
    max_marks = fields.Float(
        required=True,
        validate=_positive(MAX_MARKS),
        metadata={**EXCLUSIVE_MINIMUM, "description": "a judge's full marks, over 0"},
    )


class AwardSchema(InputSchema):
    name = Text(100, required=True)
    places = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_PLACES)
    )


class CompetitionIn(InputSchema):
    title = Text(200, required=True)
    kind = fields.String(required=True, validate=_choice(Kind))
    level = fields.String(required=True, validate=_choice(Level))
    contest_class = fields.Integer(
        allow_none=True,
        strict=True,
        validate=[validate.Range(min=1, max=2), validate.OneOf([1, 2])],
        metadata={"description": "a skill contest's class (一类 1, 二类 2), or null"},
    )
    region_code = fields.String(
        required=True,
        validate=REGION_CODE,
        metadata={
            "description": "the city (330400), a county (6 digits), a town (9), a village (12)"
        },
    )
    occupation_code = occupation_code_field(allow_none=True)
    year = fields.Integer(required=True, strict=True, validate=YEAR)
    registration_closes_at = moment("registration closes at this moment; null: when closed")
    freeze_at = moment("the public board stands still from this moment until the results")
    max_entries_per_enterprise = fields.Integer(
        allow_none=True,
        strict=True,
        validate=validate.Range(min=1, max=MAX_ENTRIES),
        metadata={"description": "null: no quota"},
    )
    team_size = fields.Nested(TeamSize, metadata={"description": "default: 1 worker"})
    criteria = fields.List(
        fields.Nested(CriterionSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_CRITERIA),
        metadata={"description": "each with its own code"},
    )
    aggregation = fields.String(load_default="mean", validate=_choice(Aggregation))
    awards = fields.List(
        fields.Nested(AwardSchema),
        load_default=list,
        validate=validate.Length(max=MAX_AWARDS),
        metadata={"description": "each with its own name, in order: the first is the highest"},
    )
    tie_breaks = fields.List(
        fields.String(validate=validate.OneOf(TIE_BREAKS)),
        validate=validate.Length(max=len(TIE_BREAKS)),
        metadata={"description": "applied in the order given"},
    )


def _optional(schema: type[Schema]) -> dict[str, Any]:
    """The schema's fields, none required and none with a default."""
    result = {}
    for name, field in schema._declared_fields.items():
        field = copy.deepcopy(field)
        field.required, field.load_default = False, missing
        result[name] = field
    return result


CompetitionPatch = type(
    "CompetitionPatch",
    (SomethingToChange, InputSchema),
    {
        **_optional(CompetitionIn),
        "__doc__": "A draft's changes: any fields of a new competition's, checked the same way.",
    },
)


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
    year = fields.Integer(validate=YEAR)
    kind = fields.String(validate=_choice(Kind))
    level = fields.String(validate=_choice(Level))
    status = fields.String(validate=_choice(Status))
    region_code = fields.String(validate=REGION_CODE)


class JudgeIn(InputSchema):
    judge_id = fields.String(required=True, validate=ID)
    enterprise_id = fields.String(
        allow_none=True,
        load_default=None,
        validate=ID,
        metadata={"description": "the judge's own enterprise, or null for an outside expert"},
    )


class JudgeOut(Schema):
    competition_id = fields.String()
    judge_id = fields.String()
    enterprise_id = fields.String(allow_none=True)
    assigned_at = UtcDateTime()


class EntryIn(InputSchema):
    enterprise_id = fields.String(required=True, validate=ID)
    worker_ids = fields.List(
        fields.String(validate=ID),
        required=True,
        validate=validate.Length(min=1, max=MAX_TEAM),
        metadata={"description": "active workers of the enterprise, as many as the team size"},
    )
    team_name = Text(200, allow_none=True, load_default=None)


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


def _marks_count(marks: dict[str, Any]) -> None:
    if not 1 <= len(marks) <= MAX_CRITERIA:
        raise ValidationError(f"Give from 1 to {MAX_CRITERIA} marks.")


class ScoresIn(InputSchema):
    marks = fields.Dict(
        # the codes and the range are the domain's, so that each refusal names its rule: a code
        # the competition does not have is ``unknown_criterion``, a mark outside 0 to the
        # criterion's full marks ``marks_out_of_range``; the document states the widest range
        values=fields.Float(required=True, metadata={"minimum": 0, "maximum": MAX_MARKS}),
        required=True,
        validate=_marks_count,
        metadata={
            "minProperties": 1,
            "maxProperties": MAX_CRITERIA,
            "description": "a mark for each of the competition's criteria, by its code: from 0 "
            "to the criterion's max_marks",
        },
    )


class ScoresOut(Schema):
    competition_id = fields.String()
    entry_id = fields.String()
    judge_id = fields.String()
    marks = fields.Dict(keys=fields.String(), values=fields.Float())
    recorded_at = UtcDateTime()


class PublishQuery(Schema):
    force = fields.Boolean(
        load_default=False,
        metadata={
            "description": "publish although an assigned judge marked nothing or a registered "
            "entry has no marks (refused with publication_incomplete otherwise)"
        },
    )
