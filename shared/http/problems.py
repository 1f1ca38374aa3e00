"""Problem details (RFC 9457): how every error leaves a service.

Every error leaves as ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail`` and, for validation failures, ``errors``: ``{field: [messages]}`` with nested fields
dotted (``team_size.min``, ``criteria.0.weight``). A domain refusal (``shared.errors``) is
answered by :func:`problem_of`; anything unexpected is logged and answered as a problem too. A
problem's ``title``, ``detail`` and ``errors`` are answered in the client's language
(``Accept-Language``, :mod:`shared.i18n`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, has_app_context, jsonify, request
from marshmallow import INCLUDE, Schema, fields
from werkzeug.exceptions import HTTPException

from shared.errors import DomainError
from shared.i18n import negotiate, translate

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


def answer_http_error(error: HTTPException) -> Response:
    """An HTTP exception of a service as a problem; a request refused by the argument parser
    (webargs nests its messages by location: json, query, form, files) names each bad field."""
    data = getattr(error, "data", None) or {}
    status = error.code or 500
    headers = {**_headers_of(error), **(data.get("headers") or {})}
    if "messages" in data or "errors" in data:
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
    answer_failures_as_problems(app)


def answer_failures_as_problems(app: Flask) -> None:
    """A :class:`Problem` raised anywhere, and any unexpected failure (logged), as a problem."""
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
