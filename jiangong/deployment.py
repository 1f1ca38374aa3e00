"""The distributed platform's processes, named once: the compose file runs these and the
end-to-end suite starts these, and a test holds the two equal.

Each service runs as two long-lived processes, its HTTP API (``jiangong serve NAME``) and its
worker (``jiangong worker NAME``: relay, consumers, jobs), after two one-shot steps: the
migrations of every database and the creation of the topics. The workbench has no worker, and
is told where the APIs it calls are.
"""

from __future__ import annotations

from dataclasses import dataclass

from jiangong.services import SERVICE_MODULES

COMMON_ENVIRONMENT = (
    "JIANGONG_ENV",
    "JIANGONG_SECRET",
    "JIANGONG_PII_KEY",
    "KAFKA_BOOTSTRAP_SERVERS",
)
"""What every process of the distributed platform is given."""


@dataclass(frozen=True)
class Process:
    name: str
    """The compose service's name (``registry``, ``registry-worker``, ``migrate``...)."""
    command: tuple[str, ...]
    """The ``jiangong`` arguments it runs."""
    environment: tuple[str, ...]
    """The environment variables it needs."""
    one_shot: bool = False


WITHOUT_WORKER = frozenset({"workbench"})
"""Services with nothing to run beside their API: the workbench relays, consumes and schedules
nothing (it calls the other services' APIs)."""
CALLS = {"workbench": ("registry", "competitions", "certification", "dashboard")}
"""The services whose APIs a service calls, each at its ``JIANGONG_<NAME>_BASE_URL``."""


def database_variable(service: str) -> str:
    return f"JIANGONG_{service.upper()}_DATABASE_URL"


def base_url_variable(service: str) -> str:
    return f"JIANGONG_{service.upper()}_BASE_URL"


def processes() -> list[Process]:
    """One-shot steps first, then each service's API and worker, in dependency order."""
    services = list(SERVICE_MODULES)
    every_database = tuple(database_variable(name) for name in services)
    steps = [
        Process("migrate", ("migrate",), (*COMMON_ENVIRONMENT, *every_database), one_shot=True),
        Process("topics", ("topics",), COMMON_ENVIRONMENT, one_shot=True),
    ]
    for name in services:
        own = (*COMMON_ENVIRONMENT, database_variable(name))
        called = tuple(base_url_variable(other) for other in CALLS.get(name, ()))
        steps.append(Process(name, ("serve", name), (*own, *called)))
        if name not in WITHOUT_WORKER:
            steps.append(Process(f"{name}-worker", ("worker", name), own))
    return steps
