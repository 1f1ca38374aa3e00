"""The registry as the runner sees it."""

from pathlib import Path

from services.registry.adapters.orm import WorkerSkill, db, kernel
from services.registry.api.app import create_app
from services.registry.consumers import subscriptions
from services.registry.demo import load_demo
from services.registry.events import PRODUCES
from shared.service import ServiceDefinition

SERVICE = ServiceDefinition(
    name="registry",
    db=db,
    kernel=kernel,
    create_app=create_app,
    migrations=Path(__file__).parent / "migrations",
    produces=PRODUCES,
    consumes=subscriptions,
    read_models=(WorkerSkill.__table__,),
    load_demo=load_demo,
)
