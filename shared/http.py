"""The HTTP edge every service shares: RFC 9457 problem details, paging, health and the docs.

Every error leaves as ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail`` and, for validation failures, ``errors``: ``{field: [messages]}`` with nested fields
dotted (``team_size.min``, ``criteria.0.weight``). A domain refusal (``shared.errors``) is
answered by :func:`problem_of`; anything unexpected is logged and answered as a problem too. The
OpenAPI document says so: every error response it declares is ``application/problem+json``
with the problem schema, and a 405 carries ``Allow``. A problem's ``title``, ``detail`` and
``errors`` are answered in the client's language (``Accept-Language``, :mod:`shared.i18n`).

Each OpenAPI document names, in ``servers``, the base path it is served under (the prefix the
app is mounted at), so that Swagger UI's "Try it out" calls the service where it is. Every
operation's arguments are read by :class:`KernelParser`: a query parameter it does not declare
is refused like an unknown body field.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from http import HTTPStatus
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, cast

from apispec import BasePlugin
from flask import Blueprint as FlaskBlueprint
from flask import (
    Flask,
    Response,
    current_app,
    has_app_context,
    jsonify,
    request,
    send_from_directory,
)
from flask_smorest import Api, Blueprint
from flask_smorest.arguments import ArgumentsMixin
from marshmallow import (
    EXCLUDE,
    INCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates_schema,
)
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from shared.clock import as_utc
from shared.errors import DomainError
from shared.i18n import negotiate, translate
from shared.identifiers import (
    OCCUPATION_CODE_EXAMPLE,
    OCCUPATION_CODE_FORM,
    OCCUPATION_CODE_PATTERN,
)

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


class Problem(Exception):
    """Raise at the API edge to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        errors: Mapping[str, list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title
        self.errors = dict(errors) if errors else None
        self.headers = dict(headers or {})


class ProblemSchema(Schema):
    """RFC 9457 problem details (documentation of every error response). Open to extension
    members (RFC 9457 §3.2: ``rule``, certification's ``possible_on``...): never loaded."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, metadata={"description": "/problems/<rule> or about:blank"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String(metadata={"description": "the path asked for"})
    rule = fields.String(
        metadata={"description": "the broken rule's stable code (see docs/problems.md)"}
    )
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "each bad field, nested ones dotted, with its messages"},
    )


def problem_response(
    status: int,
    detail: str,
    title: str | None = None,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
    type: str = "about:blank",
) -> Response:
    """A problem document; ``extra`` adds extension members (RFC 9457 §3.2), e.g. a rule.

    ``title``, ``detail`` and the ``errors`` messages are written in English and answered in
    the language the client asks for (``Accept-Language: zh``), through the catalogues of
    :mod:`shared.i18n`; ``type`` and ``rule`` stay the same in every language."""
    locale = negotiate(request.headers.get("Accept-Language"))
    dirs = _locale_dirs()

    def say(text: str) -> str:
        return translate(text, locale, dirs)

    body: dict[str, Any] = {
        **(extra or {}),
        "type": type,
        "title": say(title or _reason(status)),
        "status": status,
        "detail": say(detail),
        "instance": request.script_root + request.path,  # with the prefix it is mounted at
    }
    if errors:
        body["errors"] = {field: [say(m) for m in messages] for field, messages in errors.items()}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM
    response.headers.update(headers or {})
    response.headers["Content-Language"] = locale
    response.vary.add("Accept-Language")
    return response


def _locale_dirs() -> tuple[Path, ...]:
    """A service's own catalogues (``services/<name>/locale``, the folder of its migrations'
    parent, as :func:`shared.i18n.service_locale_dirs` finds it), read after the kernel's."""
    runtime = current_app.extensions.get("jiangong") if has_app_context() else None
    definition = getattr(runtime, "definition", None)
    if definition is None:
        return ()
    return (Path(definition.migrations).parent / "locale",)


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs/marshmallow messages → ``{"field.sub": ["message", ...]}``."""
    if isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            return {prefix or "body": [str(m) for m in messages]}
        flat: dict[str, list[str]] = {}
        for message in messages:
            flat.update(flatten_errors(message, prefix))
        return flat
    if isinstance(messages, Mapping):
        flat = {}
        for key, value in messages.items():
            name = "" if key == "_schema" else str(key)
            flat.update(flatten_errors(value, f"{prefix}.{name}".strip(".") if name else prefix))
        return flat
    return {prefix or "body": [str(messages)]}


def _is_error(status: object) -> bool:
    return str(status) == "default" or (str(status).isdigit() and int(str(status)) >= 400)


class ProblemContent(BasePlugin):
    """apispec plugin: an error response written inline on an operation (``alt_response``,
    ``doc(responses=...)``) is declared as ``application/problem+json``, as it is answered;
    a schema on :class:`SomethingToChange` states ``minProperties: 1``."""

    def schema_helper(
        self, name: str, definition: dict[str, Any], schema: Any = None, **_: Any
    ) -> dict[str, Any] | None:
        cls = schema if isinstance(schema, type) else type(schema)
        if issubclass(cls, SomethingToChange):
            return {"minProperties": 1}
        return None

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any
    ) -> None:
        for operation in (operations or {}).values():
            for status, response in (operation.get("responses") or {}).items():
                if _is_error(status) and isinstance(response, dict) and response.get("content"):
                    media = next(iter(response["content"].values()))
                    response["content"] = {PROBLEM: media}


class ProblemApi(Api):
    """flask-smorest's Api, answering every error as problem details and documenting them so."""

    ERROR_SCHEMA = ProblemSchema

    def _init_spec(self, *, extra_plugins: Any = None, **options: Any) -> None:
        super()._init_spec(extra_plugins=[*(extra_plugins or ()), ProblemContent()], **options)

    def _register_responses(self) -> None:
        """The named responses operations refer to (``UNPROCESSABLE_ENTITY``, ``DEFAULT_ERROR``
        ...): an error one is ``application/problem+json`` with the problem schema, where
        flask-smorest would declare its ``DEFAULT_RESPONSE_CONTENT_TYPE``, ``application/json``
        (and the error schema even on a success). Each is in the document only if used."""
        problem = {PROBLEM: {"schema": self.ERROR_SCHEMA}}
        for status in HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["content"] = problem
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Default error response", "content": problem}
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, default, lazy=True)

    def _openapi_json(self) -> Response:
        """The document, naming the base path it is served under in ``servers``: the prefix the
        app is mounted at (embedded, ``/registry``), ``/`` where it runs alone. Computed per
        request, so Swagger UI's "Try it out" calls the service wherever it is mounted."""
        document = self.spec.to_dict()
        base = request.script_root or "/"
        document = {
            "openapi": document.get("openapi"),
            "info": document.get("info"),
            "servers": [{"url": base, "description": "this service, as mounted here"}],
            **{key: value for key, value in document.items() if key not in ("openapi", "info")},
        }
        return current_app.response_class(
            current_app.json.dumps(document, indent=2, sort_keys=False), mimetype="application/json"
        )

    def _register_error_handlers(self) -> None:
        super()._register_error_handlers()
        self._app.register_error_handler(Problem, _handle_problem)
        self._app.register_error_handler(Exception, _handle_unexpected)

    def handle_http_exception(self, error: HTTPException) -> Response:
        data = getattr(error, "data", None) or {}
        status = error.code or 500
        headers = {**_headers_of(error), **(data.get("headers") or {})}
        if "messages" in data or "errors" in data:
            # webargs nests by location (json, query, form, files); clients want the field
            by_location = data.get("errors") or data.get("messages") or {}
            errors: dict[str, list[str]] = {}
            for location_errors in by_location.values():
                errors.update(flatten_errors(location_errors))
            detail = "The request has invalid fields: " + ", ".join(sorted(errors)) + "."
            return problem_response(status, detail, errors=errors, headers=headers)
        detail = data.get("message") or error.description or _reason(status)
        return problem_response(status, detail, headers=headers)


def _headers_of(error: HTTPException) -> dict[str, str]:
    """The headers the exception itself carries: ``Allow`` on a 405, ``WWW-Authenticate`` on
    a 401, ``Retry-After`` on a 429 or 503 (its body's type is ours, not its)."""
    return {name: value for name, value in error.get_headers() if name.lower() != "content-type"}


def answer_errors_as_problems(app: Flask) -> None:
    """For a plain Flask app beside the services (the embedded platform's index): its 404s,
    405s and failures answer as problem details too."""

    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        return problem_response(
            status, error.description or _reason(status), None, None, _headers_of(error)
        )

    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Problem, _handle_problem)
    app.register_error_handler(Exception, _handle_unexpected)


def _handle_problem(problem: Problem) -> Response:
    return problem_response(
        problem.status, problem.detail, problem.title, problem.errors, problem.headers
    )


def _handle_unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):  # pragma: no cover - smorest's handler takes these
        return problem_response(
            error.code or 500, error.description or "", headers=_headers_of(error)
        )
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem_response(500, "The server failed to answer; the error has been logged.")


def problem_of(error: DomainError) -> Response:
    """A domain refusal as problem details: its rule's type, title, detail and fields."""
    return problem_response(
        error.status,
        error.detail,
        title=error.title,
        errors=error.errors,
        extra={"rule": error.rule},
        type=error.type_uri(),
    )


# -- what requests may carry -----------------------------------------------------------------


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


def use_kernel_parser() -> None:
    """Make flask-smorest's one argument parser the kernel's. Every ``Blueprint.arguments``
    (each service uses flask-smorest's ``Blueprint`` as it is) holds that one instance, so it
    is changed in place: the views decorated before this ran parse by these rules too."""
    parser = ArgumentsMixin.ARGUMENTS_PARSER
    if not isinstance(parser, KernelParser):
        parser.__class__ = KernelParser


use_kernel_parser()


# -- what request schemas state ------------------------------------------------------------

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


class RequestSchema(Schema):
    """A request body: unknown fields refused, and the fields the server sets (a service names
    them in ``server_set``: ``id``, ``status``...) refused by name, as the client may not write
    them."""

    server_set: ClassVar[tuple[str, ...]] = ()

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


class Text(fields.String):
    """A string with its surrounding and repeated whitespace removed; never blank, and at most
    ``max_length`` characters as sent (so the document's ``maxLength`` holds as written)."""

    def __init__(self, max_length: int, **kwargs: Any) -> None:
        self._length = validate.Length(min=1, max=max_length)
        metadata = {"pattern": NOT_BLANK, **kwargs.pop("metadata", {})}
        super().__init__(validate=self._length, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > (self._length.max or len(text)):
            self._length(text)  # raises with the Length's own message
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


# -- paging ----------------------------------------------------------------------------------


MAX_PER_PAGE = 100
MAX_PAGE = 10_000_000
"""The last page a list may be asked for: ten million, far past any list we keep. A page number
past the database's integer range was a 500 (PostgreSQL's and SQLite's ``OFFSET`` are 64-bit);
bounded so, the offset stays below 10⁹ at 100 a page, inside even a 32-bit integer."""


class PageQuery(Schema):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "1 is the first; past the last page the items are empty"},
    )
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """The paged answer for ``item_schema``: ``{items, page, per_page, total}``."""
    return type(
        f"{item_schema.__name__.removesuffix('Schema')}PageSchema",
        (Schema,),
        {
            "items": fields.List(fields.Nested(item_schema)),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
            "total": fields.Integer(),
        },
    )


def paginate(session: Session, query: Select[Any], page: int, per_page: int) -> dict[str, Any]:
    """One page of ``query``. Past the last row the database is not asked for rows at all, so
    even a page number no schema bounded cannot reach the database as an offset."""
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    offset = (page - 1) * per_page
    items: Any = []
    if offset < total:
        items = session.execute(query.limit(per_page).offset(offset)).scalars().all()
    return {"items": items, "page": page, "per_page": per_page, "total": total}


# -- health and the app ----------------------------------------------------------------------


def health_blueprint(checks: Mapping[str, Callable[[], bool]]) -> Blueprint:
    """``/livez`` (the process answers) and ``/readyz`` (every check passes)."""
    blp = Blueprint("health", __name__, description="Liveness and readiness probes")

    @blp.route("/livez")
    @blp.response(200)
    def livez() -> dict[str, str]:
        return {"status": "alive"}

    @blp.route("/readyz")
    @blp.response(200)
    def readyz() -> Response:
        results = {}
        for name, check in checks.items():
            try:
                results[name] = bool(check())
            except Exception as error:  # a failing check is an answer, not a crash
                log.warning("readiness check %s failed: %r", name, error)
                results[name] = False
        status = 200 if all(results.values()) else 503
        response = jsonify({"status": "ready" if status == 200 else "not ready", **results})
        response.status_code = status
        return response

    return blp


def docs_assets_blueprint() -> FlaskBlueprint:
    """Swagger UI's own files, served by the service itself: the interactive docs need no CDN
    (which a union's intranet may not reach)."""
    dist = Path(str(resources.files("flask_swagger_ui") / "dist"))
    blueprint = FlaskBlueprint("docs_assets", __name__)

    @blueprint.get("/api/docs/assets/<path:name>")
    def asset(name: str) -> Response:
        return send_from_directory(dist, name, max_age=86400)

    return blueprint


def api_config(title: str, version: str = "v1", description: str = "") -> dict[str, Any]:
    return {
        "API_TITLE": title,
        "API_VERSION": version,
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        # relative to /api/docs, so it holds under any prefix the app is mounted at
        "OPENAPI_SWAGGER_UI_URL": "docs/assets/",
        "API_SPEC_OPTIONS": {
            "info": {"description": description},
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
                }
            },
        },
    }


DATE_PATTERN = (
    "^(19[5-9][0-9]|20[0-9]{2}|2100)-"
    "((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31|02-29)$"
)
"""A date from 1950 to 2100 (YYYY-MM-DD), stated as a pattern since JSON Schema bounds no
``date``: the year's range and each month's days (29 February stays ``format: date``'s to
judge). Written out whole, so that a generator can draw dates from it."""
