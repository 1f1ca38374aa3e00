"""The events the registry produces, with the schema each one's ``data`` is validated with."""

from marshmallow import Schema

PRODUCES: dict[str, type[Schema]] = {}
