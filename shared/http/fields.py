"""What request schemas state: the one base of every request body, the ``Text`` field and the
field constants the services share.

Each states in the OpenAPI document what the server enforces, so that a client or a form built
from the document knows what will be accepted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar, cast

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from shared.clock import as_utc
from shared.identifiers import (
    OCCUPATION_CODE_EXAMPLE,
    OCCUPATION_CODE_FORM,
    OCCUPATION_CODE_PATTERN,
)
from shared.text import readable_pattern, unreadable_reason

NOT_BLANK = r"[^\x09-\x0d\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
"""A JSON Schema ``pattern`` (unanchored: the text contains one such character) for a text the
server trims and refuses when blank: one character that is not whitespace as Python's
``str.split()`` and ``str.strip()`` see it. Spelled out, since ``\\S`` differs between
Python and ECMA-262 (U+001C..U+001F and U+0085 are whitespace only to Python, U+FEFF only to
ECMA-262)."""


class Pattern(validate.Regexp):
    """``validate.Regexp`` over the whole value, as the document's anchored ``pattern`` reads it
    (Python's ``$`` would also match before a trailing newline, ECMA-262's does not)."""

    def __call__(self, value: Any) -> Any:
        regex = cast("re.Pattern[str]", self.regex)
        if not isinstance(value, str) or regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


OCCUPATION_CODE = Pattern(OCCUPATION_CODE_PATTERN, error=OCCUPATION_CODE_FORM)
"""An occupation code of the national classification (``N-NN-NN-NN``), wherever one is taken."""
OCCUPATION_CODE_DOC = {
    "description": "an occupation (职业) of the national classification, N-NN-NN-NN: its major "
    "group 1–8, middle group, minor group and occupation",
    "example": OCCUPATION_CODE_EXAMPLE,
}


SERVER_SET = (
    "id",
    "status",
    "active",
    "enterprise_id",
    "assessor_id",
    "region_code",
    "is_migrant",
    "id_number_masked",
    "gender",
    "birth_date",
    "passed",
    "promotion",
    "from_level",
    "to_level",
    "certificate_number",
    "number",
    "score",
    "created_at",
    "registered_at",
    "recorded_at",
    "applied_at",
    "published_at",
    "approved_on",
    "designated_on",
    "deregistered_on",
    "left_on",
    "ended_on",
    "revoked_on",
)
"""The fields the server sets, wherever an answer carries them: a request body that sends one
the schema does not take is told so by name. A schema that takes one (an entry's
``enterprise_id``, a deregistration's ``deregistered_on``) reads it as its own field."""


class InputSchema(Schema):
    """Every request body: unknown fields refused, and the fields the server sets
    (``server_set``, :data:`SERVER_SET` unless a schema names others) refused by name, as the
    client may not write them."""

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


RequestSchema = InputSchema
"""The name :class:`InputSchema` had."""


class Text(fields.String):
    """A text a person will read: a name, a title, a reason. Refused when it cannot be read as
    meant (:func:`shared.text.unreadable_reason`: a control character, a bidirectional
    override, nothing visible), else kept with its surrounding and repeated whitespace removed;
    at most ``max_length`` characters as sent (so the document's ``maxLength`` holds as
    written). Single-line, unless ``line_breaks``: then line feeds and carriage returns are
    taken, each line tidied and the lines kept (``\\r\\n`` and ``\\r`` read as ``\\n``)."""

    def __init__(self, max_length: int, *, line_breaks: bool = False, **kwargs: Any) -> None:
        self._length = validate.Length(min=1, max=max_length)
        self._line_breaks = line_breaks
        pattern = readable_pattern(line_breaks=line_breaks)
        metadata = {"pattern": pattern, **kwargs.pop("metadata", {})}
        super().__init__(validate=self._length, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > (self._length.max or len(text)):
            self._length(text)  # raises with the Length's own message
        reason = unreadable_reason(text, line_breaks=self._line_breaks)
        if reason is not None:
            raise ValidationError(reason)
        if self._line_breaks:
            return "\n".join(" ".join(line.split()) for line in text.splitlines()).strip("\n")
        return " ".join(text.split())


class UtcDateTime(fields.DateTime):
    """A timestamp out with its zone (UTC), whatever the database gave back (SQLite gives it
    back without one)."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(None if value is None else as_utc(value), attr, obj, **kwargs)


def occupation_code_field(**kwargs: Any) -> fields.String:
    """A request field holding an occupation code, checked and documented as above."""
    return fields.String(validate=OCCUPATION_CODE, metadata=OCCUPATION_CODE_DOC, **kwargs)


class SomethingToChange:
    """Mixin for a PATCH body's schema: a body that names no field (``{}``, or none at all)
    would change nothing, so it is a 422 naming ``body``; the document says
    ``minProperties: 1``."""

    @validates_schema
    def _something_to_change(self, data: Mapping[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("nothing to change: send at least one field")


DATE_PATTERN = (
    "^(19[5-9][0-9]|20[0-9]{2}|2100)-"
    "((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31|02-29)$"
)
"""A date from 1950 to 2100 (YYYY-MM-DD), stated as a pattern since JSON Schema bounds no
``date``: the year's range and each month's days (29 February stays ``format: date``'s to
judge). Written out whole, so that a generator can draw dates from it."""
