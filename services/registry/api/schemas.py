"""What comes in and what goes out, for regions, enterprises and statistics.

Load schemas refuse unknown fields, and name a server-set field (``id``, ``status``,
``active``...) as one the client may not write. Dump schemas are separate. Each load schema
states in the OpenAPI document what the server enforces (``pattern``, lengths, bounds, dates'
ranges in their description), so that a client or a form built from the document knows it;
the checks themselves keep their own messages.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from services.registry.domain.enterprise_rows import MAX_EMPLOYEES
from services.registry.listing import COUNT_LIMIT
from shared.http.fields import (
    DATE_PATTERN,
    SERVER_SET,
    InputSchema,
    SomethingToChange,
    Text,
    UtcDateTime,
)
from shared.http.paging import PageQuery, page_of
from shared.identifiers import USCC_ALPHABET, USCC_LENGTH, InvalidIdentifier, validate_uscc
from shared.regions import county_of


def _uscc(value: str) -> str:
    try:
        return validate_uscc(value)
    except InvalidIdentifier as error:
        raise ValidationError(str(error)) from None


USCC_PATTERN = f"^[{re.escape(USCC_ALPHABET)}]{{{USCC_LENGTH}}}$"
"""The credit code as stored: 18 of the 31 characters GB 32100-2015 allows (no I, O, S, V, Z)."""


class Uscc(fields.String):
    """A unified social credit code: its length, alphabet and check character are checked (with
    their own messages) as it is read, lower case upper-cased; stored as the pattern says."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            validate=[validate.Length(equal=USCC_LENGTH), validate.Regexp(USCC_PATTERN)],
            metadata={
                "format": "uscc",
                "description": "unified social credit code (GB 32100-2015): 18 characters, "
                "the last a MOD 31 check character; lower case is accepted and upper-cased",
                "example": "91330402MA2B3C4D53",
            },
            **kwargs,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return _uscc(super()._deserialize(value, attr, data, **kwargs))


REGION_CODE = "^[0-9]{6}([0-9]{3}){0,2}$"


def region_code(**kwargs: Any) -> fields.String:
    """A region's code: a county's 6 digits, a town's 9 or a village's 12 (the city's is 6)."""
    description = kwargs.pop("description", "a county (6 digits), town (9) or village (12)")
    return fields.String(
        validate=validate.Regexp(REGION_CODE, error="must be a region code of 6, 9 or 12 digits"),
        metadata={"description": description, "example": "330402"},
        **kwargs,
    )


EARLIEST = date(1950, 1, 1)


def past_date(what: str, *, since: date | None = None, **kwargs: Any) -> fields.Date:
    """A date (YYYY-MM-DD) that may not be after today in Asia/Shanghai: the document states
    the range in the description (and the lower bound as ``x-minimum``), JSON Schema having no
    bound for a date that moves."""
    bound = f"not before {since.isoformat()}, " if since else ""
    validators = (
        [validate.Range(min=since, error=f"must not be before {since.isoformat()}")]
        if since
        else []
    )
    metadata: dict[str, Any] = {"description": f"{what}; {bound}not after today (Asia/Shanghai)"}
    if since == date(1950, 1, 1):
        metadata["pattern"] = DATE_PATTERN  # the lower bound, stated where a client can see it
    return fields.Date(validate=validators, metadata=metadata, **kwargs)


OWNERSHIP = validate.OneOf(["public", "non_public"])


EMPLOYEE_COUNT = validate.Range(min=0, max=MAX_EMPLOYEES)
ENTERPRISE_REGION = "the county (6 digits), town (9) or village (12) it is registered in"
UNION_FOUNDED = "when its union was founded; only for an enterprise with a union"


class EnterpriseIn(InputSchema):
    uscc = Uscc(required=True)
    name = Text(200, required=True)
    region_code = region_code(required=True, description=ENTERPRISE_REGION)
    has_union = fields.Boolean(required=True)
    union_founded_on = past_date(UNION_FOUNDED, allow_none=True)
    above_designated_size = fields.Boolean(required=True)
    ownership = fields.String(required=True, validate=OWNERSHIP)
    employee_count = fields.Integer(required=True, validate=EMPLOYEE_COUNT)


class EnterprisePatch(SomethingToChange, InputSchema):
    """The details an admin may correct; the credit code identifies the enterprise and stays."""

    server_set = (*SERVER_SET, "uscc")
    name = Text(200)
    region_code = region_code(description=ENTERPRISE_REGION)
    has_union = fields.Boolean()
    union_founded_on = past_date(UNION_FOUNDED, allow_none=True)
    above_designated_size = fields.Boolean()
    ownership = fields.String(validate=OWNERSHIP)
    employee_count = fields.Integer(validate=EMPLOYEE_COUNT)


class DeregisterIn(InputSchema):
    server_set = tuple(key for key in SERVER_SET if key != "deregistered_on")
    deregistered_on = past_date("default today")


class EnterpriseQuery(PageQuery):
    region_code = region_code(description="a county, town or the city (330400): those in it")
    has_union = fields.Boolean()
    above_designated_size = fields.Boolean()
    ownership = fields.String(validate=OWNERSHIP)
    active = fields.Boolean()
    q = Text(
        200,
        metadata={
            "description": "a fragment of the name, or a unified social credit code "
            "(whole or its first characters; lower case is upper-cased)",
            "example": "嘉兴",
        },
    )


def counted_page_of(item_schema: type[Schema]) -> type[Schema]:
    """A page of a list that may be too long to count (``services/registry/listing.py``): the
    kernel's page, its total counted up to ``COUNT_LIMIT``, ``total_exact`` saying if it was."""
    page = page_of(item_schema)
    total = f"the items in the list; {COUNT_LIMIT} when `total_exact` is false"
    exact = (
        "false when the list holds more than `total` items: counting stopped there, the "
        "pages past it are still served"
    )
    return type(
        page.__name__,
        (page,),
        {
            "total": fields.Integer(metadata={"description": total}),
            "total_exact": fields.Boolean(metadata={"description": exact}),
        },
    )


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


class AuditQuery(PageQuery):
    worker_id = fields.String(
        validate=validate.Length(min=1, max=32),
        metadata={"description": "only the looks at this worker's number"},
    )


class AuditOut(Schema):
    id = fields.Integer()
    worker_id = fields.String()
    worker_name = fields.String(allow_none=True)
    viewer = fields.String(metadata={"description": "the subject of the token that asked"})
    role = fields.String()
    reason = fields.String()
    viewed_at = UtcDateTime()


class RegionIn(InputSchema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(r"^[0-9]{9}([0-9]{3})?$"),
        metadata={"description": "a town's 9 digits or a village's 12: its parent's and 3 more"},
    )
    name = Text(64, required=True)
    parent_code = fields.String(
        required=True,
        validate=validate.Regexp(r"^[0-9]{6}([0-9]{3})?$"),
        metadata={"description": "a county (6 digits) or a town (9)"},
    )


class RegionQuery(PageQuery):
    parent_code = region_code(description="only the regions directly below this one")
    level = fields.String(
        validate=validate.OneOf(["city", "county", "town", "village"]),
        metadata={"description": "only regions of this level"},
    )
    q = Text(64, metadata={"description": "a fragment of the name", "example": "南湖"})


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
