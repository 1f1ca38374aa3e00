"""What comes in and what goes out, for workers and their spreadsheets."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from services.registry.api.access import today
from services.registry.api.schemas import EARLIEST, past_date
from services.registry.domain.errors import InvalidWorker
from services.registry.domain.workers import (
    NAME_MAX,
    OCCUPATION_CODE,
    NewWorker,
    parse_id_number,
    parse_new_worker,
    parse_occupation_code,
    parse_worker_search,
)
from shared.http.fields import (
    OCCUPATION_CODE_DOC,
    SERVER_SET,
    InputSchema,
    SomethingToChange,
    Text,
    UtcDateTime,
)
from shared.http.paging import PageQuery
from shared.identifiers import ID_NUMBER_LENGTH


class OccupationCode(fields.String):
    """An occupation code as the domain reads it (surrounding spaces removed): the pattern is
    the domain's own, so the document and the check cannot drift apart."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            validate=validate.Regexp(OCCUPATION_CODE),
            metadata=OCCUPATION_CODE_DOC,
            **kwargs,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        try:
            return parse_occupation_code(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as error:
            raise ValidationError(str(error)) from None


ID_NUMBER_PATTERN = f"^[0-9]{{{ID_NUMBER_LENGTH - 1}}}[0-9X]$"


class IdNumberField(fields.String):
    """A resident ID number, checked as the field is read: its error comes with the others.

    It loads into an ``IdNumber``, not a string, so its format is stated in the document only;
    ``shared.identifiers`` checks it (and more: the birth date, the check character)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            metadata={
                "format": "cn-resident-id",
                "pattern": ID_NUMBER_PATTERN,
                "minLength": ID_NUMBER_LENGTH,
                "maxLength": ID_NUMBER_LENGTH,
                "description": "resident identity card number (GB 11643-1999): 17 digits, the "
                "birth date (YYYYMMDD, from 1900-01-01 to yesterday) at 7-14, then an ISO "
                "7064 MOD 11-2 check character (0-9 or X; x is accepted and upper-cased)",
            },
            **kwargs,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_id_number(text, today())
        except ValueError as error:
            raise ValidationError(str(error)) from None


UNION_JOINED = "when the worker joined the union; only for a union member"
HIRED = "when the enterprise hired the worker, aged 16 or more on that day"


class WorkerIn(InputSchema):
    """A new worker; loads into a checked ``NewWorker`` (ID number, dates, union facts)."""

    id_number = IdNumberField(required=True)
    name = Text(NAME_MAX, required=True)
    occupation_code = OccupationCode(required=True)
    is_migrant = fields.Boolean(required=True)
    is_union_member = fields.Boolean(required=True)
    union_joined_on = past_date(UNION_JOINED, since=EARLIEST, allow_none=True)
    hired_on = past_date(HIRED, since=EARLIEST, required=True)

    @post_load
    def checked(self, data: dict[str, Any], **_: Any) -> NewWorker:
        try:
            return parse_new_worker(data, today())
        except InvalidWorker as error:
            raise ValidationError(error.errors or error.detail) from None


class WorkerPatch(SomethingToChange, InputSchema):
    """The details that may be corrected; the ID number identifies the person and stays."""

    server_set = (*SERVER_SET, "id_number", "hired_on")
    name = Text(NAME_MAX)
    occupation_code = OccupationCode()
    is_migrant = fields.Boolean()
    is_union_member = fields.Boolean()
    union_joined_on = past_date(UNION_JOINED, since=EARLIEST, allow_none=True)


ENDS_EMPLOYMENT = "default today; not before the worker was hired"


class TransferIn(InputSchema):
    enterprise_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    transferred_on = past_date(ENDS_EMPLOYMENT)


class LeaveIn(InputSchema):
    server_set = tuple(key for key in SERVER_SET if key != "left_on")
    left_on = past_date(ENDS_EMPLOYMENT)


SEARCH_PATTERN = r"[^0-9Xx\s]|^\s*([0-9]\s*){17}[0-9Xx]\s*$"
"""A name fragment (something besides digits) or an ID number's 18 characters."""


class WorkerSearch(fields.String):
    """``q``: a name fragment, or a full ID number (found by its keyed hash, never stored or
    logged in clear); digits that are no valid ID number are refused like a bad body field."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            metadata={
                "minLength": 1,
                "maxLength": NAME_MAX,
                "pattern": SEARCH_PATTERN,
                "description": "a fragment of the worker's name, or a full resident ID number "
                "(18 characters, checked; spaces ignored): digits alone are taken for an ID "
                "number and must be a whole, valid one, since a number is only found whole",
                "example": "张",
            },
            **kwargs,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        validate.Length(min=1, max=NAME_MAX)(text)
        if not text.strip():
            raise ValidationError("must not be blank")
        try:
            return parse_worker_search(text, today())
        except ValueError as error:
            raise ValidationError(str(error)) from None


class WorkerQuery(PageQuery):
    active = fields.Boolean()
    q = WorkerSearch()


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
        metadata={"description": "create nothing at all if any row is rejected"},
    )


class RejectedRow(Schema):
    row = fields.Integer(metadata={"description": "as numbered in the spreadsheet (header: 1)"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ImportOut(Schema):
    rows = fields.Integer()
    created = fields.Integer()
    unchanged = fields.Integer(
        metadata={
            "description": "rows of enterprises already registered exactly as given "
            "(an import of workers counts none)"
        }
    )
    rejected = fields.List(fields.Nested(RejectedRow))
    atomic = fields.Boolean()
    ignored_columns = fields.List(fields.String())
    detail = fields.String()


class ImportJobLinks(Schema):
    self = fields.String()
    rejected = fields.String(metadata={"description": "the rejected rows and reasons, as CSV"})


class ImportJobOut(Schema):
    id = fields.String()
    kind = fields.String(metadata={"description": "what it imports: workers or enterprises"})
    enterprise_id = fields.String(
        allow_none=True, metadata={"description": "whose workers; none for enterprises"}
    )
    state = fields.String(metadata={"description": "queued, running, done or failed"})
    atomic = fields.Boolean()
    rows = fields.Integer(metadata={"description": "data rows in the file"})
    checked = fields.Integer()
    created = fields.Integer()
    unchanged = fields.Integer()
    rejected = fields.Integer()
    error = fields.String(allow_none=True, metadata={"description": "why it failed"})
    created_at = UtcDateTime()
    finished_at = UtcDateTime(allow_none=True)
    links = fields.Nested(ImportJobLinks)
