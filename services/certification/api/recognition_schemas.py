"""What comes in and what goes out, for innovation studios, skill leaders and trainings.

Load schemas (``…In``) refuse unknown fields and name a server-set field (``id``, ``status``,
``region_code``, ``is_migrant``...) as one the client may not write; dump schemas (``…Out``)
are separate. The ids and dates are checked as in the assessment schemas.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.certification.api.assessment_schemas import ID, day
from services.certification.domain.studios import StudioLevel, StudioStatus
from shared.http.fields import InputSchema, Text, UtcDateTime, occupation_code_field
from shared.http.paging import PageQuery

STUDIO_LEVEL = validate.OneOf([level.value for level in StudioLevel])
HOURS = validate.Range(
    min=0, min_inclusive=False, max=2000, error="Hours are over 0, at most 2000."
)
HOURS_DOC = {"exclusiveMinimum": True, "description": "over 0, at most 2000"}
"""apispec writes no ``exclusiveMinimum`` for ``min_inclusive=False``: the metadata states it
(OpenAPI 3.0's boolean form), so that 0 is not offered as a valid number of hours."""
YEAR = validate.Range(min=2000, max=2100)


# -- studios -----------------------------------------------------------------------------------


class StudioIn(InputSchema):
    name = Text(128, required=True)
    enterprise_id = fields.String(required=True, validate=ID)
    leader_worker_id = fields.String(required=True, validate=ID)
    level = fields.String(required=True, validate=STUDIO_LEVEL)
    leader_is_model_worker = fields.Boolean(
        load_default=False,
        metadata={"description": "the leader is a model worker (劳动模范); else level 2 or higher"},
    )


class StudioOut(Schema):
    id = fields.String()
    name = fields.String()
    enterprise_id = fields.String()
    leader_worker_id = fields.String()
    leader_is_model_worker = fields.Boolean()
    level = fields.String()
    region_code = fields.String()
    status = fields.String()
    applied_at = UtcDateTime()
    approved_on = fields.Date(allow_none=True)


class StudioQuery(PageQuery):
    status = fields.String(validate=validate.OneOf([status.value for status in StudioStatus]))
    level = fields.String(validate=STUDIO_LEVEL)
    enterprise_id = fields.String(validate=ID)


# -- skill leaders -----------------------------------------------------------------------------


class SkillLeaderIn(InputSchema):
    worker_id = fields.String(required=True, validate=ID)
    occupation_code = occupation_code_field(required=True)


class SkillLeaderOut(Schema):
    id = fields.String()
    worker_id = fields.String()
    enterprise_id = fields.String()
    occupation_code = fields.String()
    region_code = fields.String()
    designated_on = fields.Date()


class SkillLeaderQuery(PageQuery):
    worker_id = fields.String(validate=ID)
    enterprise_id = fields.String(validate=ID)
    occupation_code = occupation_code_field()


# -- trainings ---------------------------------------------------------------------------------


class TrainingIn(InputSchema):
    worker_id = fields.String(required=True, validate=ID)
    course = Text(200, required=True)
    hours = fields.Float(required=True, validate=HOURS, metadata=HOURS_DOC)
    completed_on = day("the day it was completed", not_after_today=True, required=True)


class TrainingOut(Schema):
    id = fields.String()
    worker_id = fields.String()
    enterprise_id = fields.String()
    course = fields.String()
    hours = fields.Float()
    completed_on = fields.Date()
    region_code = fields.String()
    is_migrant = fields.Boolean()


class TrainingQuery(PageQuery):
    worker_id = fields.String(validate=ID)
    enterprise_id = fields.String(validate=ID)
    year = fields.Integer(validate=YEAR, metadata={"description": "completed in that year"})
