"""How every operation reads its arguments: the kernel's :class:`Blueprint`, whose parser is
:class:`KernelParser`. Every service's API modules use this ``Blueprint``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Request, current_app
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import EXCLUDE, INCLUDE, RAISE, Schema, ValidationError, missing
from webargs.flaskparser import FlaskParser, abort, is_json_request

from shared.http.problems import Problem
from shared.json_body import (
    MAX_JSON_BYTES,
    TOO_LARGE,
    RefusedFields,
    UnacceptableJson,
    read_json,
)

NUL = "\x00"


class KernelParser(FlaskParser):
    """How every operation reads its arguments (webargs, under flask-smorest's ``arguments``).

    - A query parameter the operation does not declare is refused (422 naming it), as an
      unknown body field is: ``?name=foo`` on a list that has no ``name`` filter would
      otherwise silently answer everything.
    - A body refused for a server-set field (a schema's ``pre_load`` stops there, before
      marshmallow looks for unknown fields) names its unknown fields as well, so one answer
      lists everything to take out.
    - A JSON body is read by :func:`shared.json_body.read_json`, and by nothing else:
      past the app's ``MAX_JSON_BYTES`` (``JIANGONG_MAX_JSON_BYTES``) a 413; too deep, with too
      many values, a number too long, or a key twice in one object a 400 saying so; a number
      that is not finite a 422 naming its field.

    Operations that declare no query schema at all read no parameters and are left alone."""

    DEFAULT_UNKNOWN_BY_LOCATION: dict[str, str | None] = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": RAISE,
        "querystring": RAISE,
    }

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json_request(req):
            return missing
        limit = current_app.config.get("MAX_JSON_BYTES", MAX_JSON_BYTES)
        if (req.content_length or 0) > limit:
            raise _too_large(limit)
        body = req.get_data(cache=True)
        if len(body) > limit:  # sent without a length
            raise _too_large(limit)
        try:
            return read_json(body)
        except UnacceptableJson as error:
            abort(400, messages={"json": [str(error)]})
        except RefusedFields as refused:
            raise ValidationError(refused.errors) from None

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


def refuse_nul_in_path(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """A path naming a record by an id with a NUL in it names nothing (and PostgreSQL could
    not even look for it): a 404 (an app's ``url_value_preprocessor``)."""
    if any(isinstance(v, str) and NUL in v for v in (values or {}).values()):
        abort(404)


def _too_large(limit: int) -> Problem:
    return Problem(413, TOO_LARGE % {"limit": limit})


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
