"""What comes in and what goes out, for workers and their spreadsheets."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from services.registry.api.access import today
from services.registry.api.schemas import SERVER_SET, InputSchema, Text
from services.registry.domain.errors import InvalidWorker
from services.registry.domain.workers import (
    NAME_MAX,
    NewWorker,
    parse_id_number,
    parse_new_worker,
    parse_occupation_code,
)
from shared.http import PageQuery


class OccupationCode(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        try:
            return parse_occupation_code(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as error:
            raise ValidationError(str(error)) from None


class IdNumberField(fields.String):
    """A resident ID number, checked as the field is read: its error comes with the others."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_id_number(text, today())
        except ValueError as error:
            raise ValidationError(str(error)) from None


class WorkerIn(InputSchema):
    """A new worker; loads into a checked ``NewWorker`` (ID number, dates, union facts)."""

    id_number = IdNumberField(required=True)
    name = Text(NAME_MAX, required=True)
    occupation_code = OccupationCode(required=True)
    is_migrant = fields.Boolean(required=True)
    is_union_member = fields.Boolean(required=True)
    union_joined_on = fields.Date(allow_none=True)
    hired_on = fields.Date(required=True)

    @post_load
    def checked(self, data: dict[str, Any], **_: Any) -> NewWorker:
        try:
            return parse_new_worker(data, today())
        except InvalidWorker as error:
            raise ValidationError(error.errors or error.detail) from None


class WorkerPatch(InputSchema):
    """The details that may be corrected; the ID number identifies the person and stays."""

    server_set = (*SERVER_SET, "id_number", "hired_on")
    name = Text(NAME_MAX)
    occupation_code = OccupationCode()
    is_migrant = fields.Boolean()
    is_union_member = fields.Boolean()
    union_joined_on = fields.Date(allow_none=True)


class TransferIn(InputSchema):
    enterprise_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    transferred_on = fields.Date()


class LeaveIn(InputSchema):
    server_set = tuple(key for key in SERVER_SET if key != "left_on")
    left_on = fields.Date()


class WorkerQuery(PageQuery):
    active = fields.Boolean()


class IdNumberQuery(Schema):
    reason = Text(
        500,
        required=True,
        metadata={"description": "why the full number is needed; kept in the audit"},
    )


class SkillOut(Schema):
    occupation_code = fields.String()
    level = fields.Integer()


class WorkerOut(Schema):
    id = fields.String()
    enterprise_id = fields.String()
    name = fields.String()
    id_number_masked = fields.String()
    gender = fields.String()
    birth_date = fields.Date()
    occupation_code = fields.String()
    is_migrant = fields.Boolean()
    is_union_member = fields.Boolean()
    union_joined_on = fields.Date(allow_none=True)
    hired_on = fields.Date()
    active = fields.Boolean()
    left_on = fields.Date(allow_none=True)
    highest_level = fields.Integer(
        allow_none=True, metadata={"description": "1 (高级技师) is the highest, 5 the lowest"}
    )
    skills = fields.List(fields.Nested(SkillOut))


class IdNumberOut(Schema):
    worker_id = fields.String()
    id_number = fields.String()


class ImportQuery(Schema):
    atomic = fields.Boolean(
        load_default=False,
        metadata={"description": "create no worker at all if any row is rejected"},
    )


class RejectedRow(Schema):
    row = fields.Integer(metadata={"description": "as numbered in the spreadsheet (header: 1)"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ImportOut(Schema):
    rows = fields.Integer()
    created = fields.Integer()
    rejected = fields.List(fields.Nested(RejectedRow))
    atomic = fields.Boolean()
    ignored_columns = fields.List(fields.String())
    detail = fields.String()
