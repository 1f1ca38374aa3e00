"""The services this distribution ships, looked up without importing the platform: the
``jiangong`` command lists them in its help and checks the names it is given."""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.runtime import ServiceDefinition

SERVICE_MODULES = {
    "registry": "services.registry.service",
    "competitions": "services.competitions.service",
    "certification": "services.certification.service",
    "dashboard": "services.dashboard.service",
    "workbench": "services.workbench.service",
}


def available() -> list[str]:
    """The services present in this checkout, in dependency order. Looked up without importing
    them (``jiangong --help`` lists them and stays quick)."""
    return [name for name, module in SERVICE_MODULES.items() if _present(module)]


def _present(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its package is not there either
        return False


class UnknownService(LookupError):
    """A service name that is not one of this checkout's; the message says which are."""

    def __init__(self, name: str):
        here = ", ".join(available()) or "none"
        if name in SERVICE_MODULES:
            message = f"the {name} service is not part of this checkout (services here: {here})"
        else:
            message = f"there is no service called {name!r} (services here: {here})"
        super().__init__(message)


def definition(name: str) -> ServiceDefinition:
    if name not in SERVICE_MODULES or not _present(SERVICE_MODULES[name]):
        raise UnknownService(name)
    module = importlib.import_module(SERVICE_MODULES[name])
    service: ServiceDefinition = module.SERVICE
    return service
