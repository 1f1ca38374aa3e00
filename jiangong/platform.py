"""The services this distribution ships, and the embedded platform that runs them all in one
process: each on its own SQLite file, mounted under its prefix, over the in-process bus."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping

from flask import Flask, jsonify
from sqlalchemy.orm import Session
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from shared.bus import InProcessBus
from shared.events import topic_of
from shared.service import ServiceDefinition, ServiceWorker, engine_of, migrate
from shared.settings import Settings

log = logging.getLogger(__name__)

SERVICE_MODULES = {
    "registry": "services.registry.service",
    "competitions": "services.competitions.service",
    "certification": "services.certification.service",
    "dashboard": "services.dashboard.service",
}


def available() -> list[str]:
    """The services present in this checkout, in dependency order."""
    names = []
    for name, module in SERVICE_MODULES.items():
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name and module.startswith(error.name):
                continue
            raise
        names.append(name)
    return names


def definition(name: str) -> ServiceDefinition:
    if name not in SERVICE_MODULES:
        raise SystemExit(f"unknown service {name!r}; services are {', '.join(SERVICE_MODULES)}")
    try:
        module = importlib.import_module(SERVICE_MODULES[name])
    except ModuleNotFoundError as error:
        raise SystemExit(f"the {name} service is not part of this checkout") from error
    service: ServiceDefinition = module.SERVICE
    return service


def index_app(services: Mapping[str, Flask]) -> Flask:
    """What ``/`` serves until a dashboard is mounted there: where everything is."""
    app = Flask("jiangong")

    @app.get("/")
    def index():  # type: ignore[no-untyped-def]
        return jsonify(
            {
                "platform": "Jiangong",
                "services": {
                    name: {"api": f"/{name}/api/v1", "docs": f"/{name}/api/docs"}
                    for name in services
                },
            }
        )

    @app.get("/livez")
    def livez():  # type: ignore[no-untyped-def]
        return jsonify({"status": "alive"})

    return app


class EmbeddedPlatform:
    """Every service in this process: migrated, wired to one in-process bus, mounted."""

    def __init__(self, settings: Settings, names: list[str] | None = None):
        self.settings = settings
        self.bus = InProcessBus(store=settings.data_dir / "bus.db")
        self.apps: dict[str, Flask] = {}
        for name in names or available():
            app = definition(name).create_app(settings)
            app.extensions["jiangong.bus_ping"] = self.bus.ping
            migrate(app)
            self.apps[name] = app
        for name, app in self.apps.items():
            with Session(engine_of(app)) as session:
                self.bus.load(topic_of(name), app.extensions["jiangong.outbox"].published(session))
        self.workers = [ServiceWorker(app, self.bus) for app in self.apps.values()]
        mounted = {f"/{name}": app for name, app in self.apps.items() if name != "dashboard"}
        root = self.apps.get("dashboard") or index_app(self.apps)
        self.wsgi = DispatcherMiddleware(root, mounted)

    def load_demo(self) -> None:
        for name, app in self.apps.items():
            loader = definition(name).load_demo
            if loader is not None:
                log.info("loading demo data into %s", name)
                loader(app)

    def start(self) -> None:
        for worker in self.workers:
            worker.start()

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.bus.close()
