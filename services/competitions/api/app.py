"""The competitions service's Flask app."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from shared.app import create_service_app
from shared.settings import Settings


def create_app(settings: Settings | None = None, config: Mapping[str, Any] | None = None) -> Flask:
    from services.competitions.api import competitions, coverage, entries, leaderboards
    from services.competitions.api.errors import register_errors
    from services.competitions.service import SERVICE

    app = create_service_app(
        SERVICE,
        [competitions.blp, entries.blp, leaderboards.blp, coverage.blp],
        title="Jiangong competitions",
        description="Labour competitions from draft to published results: entries, judges' "
        "marks, live leaderboards and coverage.",
        settings=settings,
        config=config,
    )
    register_errors(app)
    return app
