"""The competitions service as the runner sees it.

Competitions from draft to published results, entries checked against registry replicas,
judges' marks, live leaderboards (read models fed by the service's own events) and coverage.
See ``README.md`` beside this file for the events, the boards and how to rebuild one.
"""

from pathlib import Path

from services.competitions.adapters.orm import db, kernel
from services.competitions.adapters.read_tables import READ_MODELS
from services.competitions.api.app import create_app
from services.competitions.consumers import subscriptions
from services.competitions.demo import load_demo
from services.competitions.events import PRODUCES
from services.competitions.jobs import close_expired_registrations
from shared.runtime import Job, ServiceDefinition

SERVICE = ServiceDefinition(
    name="competitions",
    db=db,
    kernel=kernel,
    create_app=create_app,
    migrations=Path(__file__).parent / "migrations",
    produces=PRODUCES,
    consumes=subscriptions,
    read_models=READ_MODELS,
    load_demo=load_demo,
    jobs=(Job("close-expired-registrations", 30.0, close_expired_registrations),),
)
