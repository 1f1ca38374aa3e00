"""How every operation reads its arguments: the kernel's :class:`Blueprint`, whose parser is
:class:`KernelParser`. Every service's API modules use this ``Blueprint``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import EXCLUDE, INCLUDE, RAISE, Schema, ValidationError
from webargs.flaskparser import FlaskParser


class KernelParser(FlaskParser):
    """How every operation reads its arguments (webargs, under flask-smorest's ``arguments``).

    - A query parameter the operation does not declare is refused (422 naming it), as an
      unknown body field is: ``?name=foo`` on a list that has no ``name`` filter would
      otherwise silently answer everything.
    - A body refused for a server-set field (a schema's ``pre_load`` stops there, before
      marshmallow looks for unknown fields) names its unknown fields as well, so one answer
      lists everything to take out.

    Operations that declare no query schema at all read no parameters and are left alone."""

    DEFAULT_UNKNOWN_BY_LOCATION: dict[str, str | None] = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": RAISE,
        "querystring": RAISE,
    }

    def _process_location_data(
        self,
        location_data: Any,
        schema: Schema,
        req: Any,
        location: str,
        unknown: Any,
        validators: Any,
    ) -> Any:
        try:
            return super()._process_location_data(
                location_data, schema, req, location, unknown, validators
            )
        except ValidationError as error:
            effective = self._unknown(schema, location, unknown)
            raise _with_unknown_fields(error, location_data, schema, effective) from None

    def _unknown(self, schema: Schema, location: str, unknown: Any) -> str:
        for candidate in (unknown, self.unknown, self.DEFAULT_UNKNOWN_BY_LOCATION.get(location)):
            if candidate in (RAISE, EXCLUDE, INCLUDE):
                return str(candidate)
        return str(schema.unknown)


def _with_unknown_fields(
    error: ValidationError, data: Any, schema: Schema, unknown: str
) -> ValidationError:
    messages = error.normalized_messages()
    if unknown != RAISE or not isinstance(data, Mapping) or not isinstance(messages, dict):
        return error
    declared = {field.data_key or name for name, field in schema.load_fields.items()}
    extra = [key for key in data if key not in declared and key not in messages]
    if not extra:
        return error
    message = schema.error_messages.get("unknown", "Unknown field.")
    return ValidationError({**messages, **{str(key): [message] for key in extra}})


class Blueprint(SmorestBlueprint):
    """flask-smorest's ``Blueprint``, reading every operation's arguments with the
    :class:`KernelParser`."""

    ARGUMENTS_PARSER = KernelParser()
