"""What comes in and what goes out, for regions, enterprises and statistics.

Load schemas refuse unknown fields, and name a server-set field (``id``, ``status``,
``active``...) as one the client may not write. Dump schemas are separate.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from shared.clock import as_utc
from shared.http import PageQuery
from shared.identifiers import InvalidIdentifier, validate_uscc
from shared.regions import county_of

SERVER_SET = (
    "id",
    "status",
    "active",
    "enterprise_id",
    "registered_at",
    "deregistered_on",
    "left_on",
    "id_number_masked",
    "gender",
    "birth_date",
)


class InputSchema(Schema):
    """A request body: unknown fields refused, server-set fields refused by name."""

    server_set: ClassVar[tuple[str, ...]] = SERVER_SET

    class Meta:
        unknown = RAISE

    @pre_load
    def refuse_server_set(self, data: Any, **_: Any) -> Any:
        if isinstance(data, dict):
            named = [key for key in self.server_set if key in data and key not in self.fields]
            if named:
                raise ValidationError(
                    {key: ["is set by the server and cannot be written"] for key in named}
                )
        return data


def _uscc(value: str) -> str:
    try:
        return validate_uscc(value)
    except InvalidIdentifier as error:
        raise ValidationError(str(error)) from None


class Uscc(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return _uscc(super()._deserialize(value, attr, data, **kwargs))


class Text(fields.String):
    """A string with its surrounding and repeated whitespace removed; never blank."""

    def __init__(self, max_length: int, **kwargs: Any) -> None:
        super().__init__(validate=validate.Length(min=1, max=max_length), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return " ".join(super()._deserialize(value, attr, data, **kwargs).split())


class UtcDateTime(fields.DateTime):
    """A timestamp in UTC with its offset; SQLite gives it back without one."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is None:
            value = as_utc(value)  # stored in UTC
        return super()._serialize(value, attr, obj, **kwargs)


OWNERSHIP = validate.OneOf(["public", "non_public"])


class EnterpriseIn(InputSchema):
    uscc = Uscc(required=True)
    name = Text(200, required=True)
    region_code = fields.String(required=True)
    has_union = fields.Boolean(required=True)
    union_founded_on = fields.Date(allow_none=True)
    above_designated_size = fields.Boolean(required=True)
    ownership = fields.String(required=True, validate=OWNERSHIP)
    employee_count = fields.Integer(required=True, validate=validate.Range(min=0))


class EnterprisePatch(InputSchema):
    """The details an admin may correct; the credit code identifies the enterprise and stays."""

    server_set = (*SERVER_SET, "uscc")
    name = Text(200)
    region_code = fields.String()
    has_union = fields.Boolean()
    union_founded_on = fields.Date(allow_none=True)
    above_designated_size = fields.Boolean()
    ownership = fields.String(validate=OWNERSHIP)
    employee_count = fields.Integer(validate=validate.Range(min=0))


class DeregisterIn(InputSchema):
    server_set = tuple(key for key in SERVER_SET if key != "deregistered_on")
    deregistered_on = fields.Date()


class EnterpriseQuery(PageQuery):
    region_code = fields.String(metadata={"description": "a county, town or the city"})
    has_union = fields.Boolean()
    above_designated_size = fields.Boolean()
    ownership = fields.String(validate=OWNERSHIP)
    active = fields.Boolean()


class EnterpriseOut(Schema):
    id = fields.String()
    uscc = fields.String()
    name = fields.String()
    region_code = fields.String()
    county_code = fields.Function(lambda enterprise: county_of(enterprise.region_code))
    has_union = fields.Boolean()
    union_founded_on = fields.Date(allow_none=True)
    above_designated_size = fields.Boolean()
    ownership = fields.String()
    employee_count = fields.Integer()
    active = fields.Boolean()
    deregistered_on = fields.Date(allow_none=True)
    registered_at = UtcDateTime()


class RegionIn(InputSchema):
    code = fields.String(required=True, validate=validate.Regexp(r"^\d{9}(\d{3})?$"))
    name = Text(64, required=True)
    parent_code = fields.String(required=True)


class RegionOut(Schema):
    code = fields.String()
    name = fields.String()
    level = fields.String()
    parent_code = fields.String(allow_none=True)


class RegionCounts(Schema):
    enterprises = fields.Integer()
    enterprises_with_union = fields.Integer()
    workers = fields.Integer()
    union_members = fields.Integer()
    migrant_workers = fields.Integer()
    union_formation_rate = fields.Float(allow_none=True)
    union_membership_rate = fields.Float(allow_none=True)
    migrant_share = fields.Float(allow_none=True)


class RegionStats(RegionCounts):
    region_code = fields.String()
    name = fields.String()


class StatsOut(RegionCounts):
    by_region = fields.List(fields.Nested(RegionStats))
