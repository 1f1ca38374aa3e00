"""The dashboard as the runner sees it.

The read side of the five-year plan's targets: it consumes the registry's, competitions' and
certification's events into facts of its own (it owns none: replay rebuilds them), and serves
the targets (``/api/v1/targets``), their monthly series, the competitions' live boards
(``/api/v1/boards``), a live stream of both and, at ``/``, the platform's front page. See
``README.md`` beside this file.
"""

from pathlib import Path

from services.dashboard import page
from services.dashboard.adapters.orm import READ_MODELS, db, kernel
from services.dashboard.api import boards, stream, targets
from services.dashboard.config import DashboardConfig
from services.dashboard.consumers import subscriptions
from shared.runtime import ServiceDefinition

SERVICE = ServiceDefinition(
    name="dashboard",
    db=db,
    kernel=kernel,
    migrations=Path(__file__).parent / "migrations",
    title="Jiangong dashboard",
    description="The five-year plan's targets (coverage, promotions, studios, skill leaders, "
    "trainings, union formation and membership): where each stands against its goal and its "
    "pace, by county, month by month, and live; and the competitions' live boards.",
    blueprints=(targets.blp, boards.blp, stream.blp),
    pages=(page.bp,),
    config=DashboardConfig.from_settings,
    consumes=subscriptions,
    read_models=READ_MODELS,
)
