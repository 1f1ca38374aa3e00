"""The registry as the runner sees it: regions, enterprises, workers and union membership."""

from pathlib import Path

from services.registry.adapters.orm import WorkerSkill, data_version, db, kernel
from services.registry.api import (
    audit,
    enterprise_imports,
    enterprises,
    imports,
    regions,
    stats,
    workers,
)
from services.registry.config import RegistryConfig
from services.registry.consumers import subscriptions
from services.registry.demo import load_demo
from services.registry.events import PRODUCES
from services.registry.handlers import HANDLERS
from services.registry.jobs import (
    RECONCILE_SECONDS,
    fail_interrupted_imports,
    fail_stalled_imports,
    reconcile_counts,
)
from shared.runtime import Job, ServiceDefinition

SERVICE = ServiceDefinition(
    name="registry",
    db=db,
    kernel=kernel,
    migrations=Path(__file__).parent / "migrations",
    title="Jiangong registry",
    description="Regions, enterprises, workers and union membership: who exists.",
    blueprints=(
        regions.blp,
        enterprise_imports.blp,
        enterprises.blp,
        workers.blp,
        imports.blp,
        audit.blp,
        stats.blp,
    ),
    handlers=HANDLERS,
    produces=PRODUCES,
    consumes=subscriptions,
    read_models=(WorkerSkill.__table__,),
    jobs=(
        Job("fail-stalled-imports", 60.0, fail_stalled_imports),
        Job("reconcile-counts", RECONCILE_SECONDS, reconcile_counts),
    ),
    load_demo=load_demo,
    keeps_pii=True,
    config=RegistryConfig.from_settings,
    data_version=data_version,
    at_start=fail_interrupted_imports,
)
