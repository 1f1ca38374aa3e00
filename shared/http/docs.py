"""The OpenAPI document and the interactive docs every service serves.

:class:`ProblemApi` is flask-smorest's ``Api`` answering every error as problem details
(:mod:`shared.http.problems`) and documenting them so: every error response the document
declares is ``application/problem+json`` with the problem schema, and a 405 carries ``Allow``.
Each document names, in ``servers``, the base path it is served under (the prefix the app is
mounted at), so that Swagger UI's "Try it out" calls the service where it is. Swagger UI's
files are served by the service itself.
"""

from __future__ import annotations

from http import HTTPStatus
from importlib import resources
from pathlib import Path
from typing import Any

from apispec import BasePlugin
from flask import Blueprint as FlaskBlueprint
from flask import Response, current_app, request, send_from_directory
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from shared.http.fields import SomethingToChange
from shared.http.problems import (
    PROBLEM,
    ProblemSchema,
    answer_failures_as_problems,
    answer_http_error,
)


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
        answer_failures_as_problems(self._app)

    def handle_http_exception(self, error: HTTPException) -> Response:
        return answer_http_error(error)


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
