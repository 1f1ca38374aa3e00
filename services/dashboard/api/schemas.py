"""What the dashboard's API takes and gives. Queries refuse unknown parameters."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate

from shared.regions import COUNTIES, JIAXING

YEAR = validate.Range(min=2000, max=2100)


def _known_region(code: str) -> None:
    if code != JIAXING and code not in COUNTIES:
        known = ", ".join([JIAXING, *COUNTIES])
        raise ValidationError(
            f"Unknown region {code!r}: the targets are kept for Jiaxing ({known})."
        )


class TargetsQuery(Schema):
    """``year`` (default: this year in Asia/Shanghai) and ``region_code`` (default: the city)."""

    class Meta:
        unknown = RAISE

    year = fields.Integer(
        validate=YEAR, metadata={"description": "default: this year in Asia/Shanghai"}
    )
    region_code = fields.String(
        validate=_known_region,
        metadata={
            "enum": [JIAXING, *COUNTIES],
            "description": f"the city ({JIAXING}, the default) or one of its counties",
        },
    )

    @post_load
    def county(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        """The county asked for, or None for the whole city."""
        region = data.get("region_code")
        return {**data, "region_code": None if region in (None, JIAXING) else region}


class TargetOut(Schema):
    key = fields.String()
    label = fields.String(metadata={"description": "Chinese first"})
    label_en = fields.String()
    kind = fields.String(metadata={"description": "rate, yearly or cumulative"})
    cumulative = fields.Boolean(metadata={"description": "counted over the plan's span"})
    unit = fields.String(metadata={"description": "percent, workers, studios"})
    goal = fields.Float(allow_none=True, metadata={"description": "None: no goal for a county"})
    current = fields.Float()
    ratio = fields.Float(allow_none=True)
    pace = fields.Float(allow_none=True, metadata={"description": "share of period elapsed"})
    expected = fields.Float(allow_none=True, metadata={"description": "goal × pace"})
    on_track = fields.Boolean(allow_none=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_region = fields.Dict(keys=fields.String(), values=fields.Float())


class PlanOut(Schema):
    first_year = fields.Integer()
    last_year = fields.Integer()


class TargetsOut(Schema):
    year = fields.Integer()
    region_code = fields.String()
    as_of = fields.String()
    version = fields.Integer(metadata={"description": "the read side's version (the stream id)"})
    plan = fields.Nested(PlanOut)
    targets = fields.List(fields.Nested(TargetOut))


class PointOut(Schema):
    month = fields.Integer()
    period = fields.String()
    value = fields.Float(allow_none=True, metadata={"description": "None: not yet begun"})
    expected = fields.Float(allow_none=True)


class HistoryOut(Schema):
    key = fields.String()
    label = fields.String()
    label_en = fields.String()
    kind = fields.String()
    unit = fields.String()
    year = fields.Integer()
    region_code = fields.String()
    as_of = fields.String()
    goal = fields.Float(allow_none=True)
    points = fields.List(fields.Nested(PointOut))


STREAM_EVENT: dict[str, Any] = {
    "type": "object",
    "description": "one server-sent event (the document describes each event of the stream)",
    "required": ["event", "id", "data"],
    "properties": {
        "event": {"type": "string", "enum": ["targets", "boards"]},
        "id": {
            "type": "string",
            "pattern": "^[0-9]+$",
            "description": "the read side's version the event was read at",
        },
        "data": {
            "type": "string",
            "description": "JSON: the answer of GET /targets (a targets event) or of GET /boards "
            "(a boards event)",
        },
        "retry": {"type": "integer", "minimum": 0, "description": "milliseconds"},
    },
}
"""What ``GET /stream`` sends, one event at a time, for its OpenAPI document: ``text/event-stream``
with ``schema`` describing each event, as Open API 3.2's ``itemSchema`` does and as tools read
it before 3.2 (``{"type": "string"}`` would say each event is a string)."""
