"""The health probes: ``/livez`` (the process answers) and ``/readyz`` (every check passes)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from flask import Response, jsonify

from shared.http.parser import Blueprint

log = logging.getLogger(__name__)


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
