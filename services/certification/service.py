"""The certification service as the runner sees it.

Assessors and their authorisations, skill assessments, promotions (by assessment and, by the
rules table, by contest award) on an append-only skill ledger, certificates anyone can verify,
innovation studios, skill leaders and trainings, and the counts the plan sets targets for.
See ``README.md`` beside this file.
"""

from pathlib import Path

from services.certification.adapters.orm import READ_MODELS, db, kernel
from services.certification.api import (
    assessments,
    assessors,
    certificates,
    rules,
    skill_leaders,
    stats,
    studios,
    trainings,
    workers,
)
from services.certification.config import CertificationConfig
from services.certification.consumers import subscriptions
from services.certification.demo import load_demo
from services.certification.events import PRODUCES
from services.certification.handlers import HANDLERS
from shared.runtime import ServiceDefinition

SERVICE = ServiceDefinition(
    name="certification",
    db=db,
    kernel=kernel,
    migrations=Path(__file__).parent / "migrations",
    title="Jiangong certification",
    description="Skill assessments, promotions, certificates anyone can verify, innovation "
    "studios, skill leaders and trainings, and the counts the plan sets targets for.",
    blueprints=(
        assessors.blp,
        assessments.blp,
        certificates.blp,
        workers.blp,
        rules.blp,
        studios.blp,
        skill_leaders.blp,
        trainings.blp,
        stats.blp,
    ),
    handlers=HANDLERS,
    produces=PRODUCES,
    consumes=subscriptions,
    read_models=READ_MODELS,
    load_demo=load_demo,
    config=CertificationConfig.from_settings,
)
