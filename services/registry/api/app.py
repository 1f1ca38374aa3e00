"""The registry's Flask app: regions, enterprises, workers and union membership."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from shared.app import create_service_app
from shared.settings import Settings


def create_app(settings: Settings | None = None, config: Mapping[str, Any] | None = None) -> Flask:
    from services.registry.service import SERVICE

    return create_service_app(
        SERVICE,
        [],
        title="Jiangong registry",
        description="Regions, enterprises, workers and union membership: who exists.",
        settings=settings,
        config=config,
    )
