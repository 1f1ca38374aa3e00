"""The competitions service as the runner sees it.

Competitions from draft to published results, entries checked against registry replicas,
judges' marks, live leaderboards (read models fed by the service's own events) and coverage;
a public board page per competition at the service's root (``board_page.py``).
See ``README.md`` beside this file for the events, the boards and how to rebuild one.
"""

from pathlib import Path

from services.competitions import board_page
from services.competitions.adapters.orm import db, kernel
from services.competitions.adapters.read_tables import READ_MODELS
from services.competitions.api import competitions, coverage, entries, leaderboards
from services.competitions.consumers import subscriptions
from services.competitions.demo import load_demo
from services.competitions.events import PRODUCES
from services.competitions.handlers import HANDLERS
from services.competitions.jobs import close_expired_registrations
from shared.runtime import Job, ServiceDefinition

SERVICE = ServiceDefinition(
    name="competitions",
    db=db,
    kernel=kernel,
    migrations=Path(__file__).parent / "migrations",
    title="Jiangong competitions",
    description="Labour competitions from draft to published results: entries, judges' "
    "marks, live leaderboards and coverage.",
    blueprints=(competitions.blp, entries.blp, leaderboards.blp, coverage.blp),
    pages=(board_page.bp,),
    handlers=HANDLERS,
    produces=PRODUCES,
    consumes=subscriptions,
    read_models=READ_MODELS,
    jobs=(Job("close-expired-registrations", 30.0, close_expired_registrations),),
    load_demo=load_demo,
)
