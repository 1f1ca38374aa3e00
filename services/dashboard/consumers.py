"""What the dashboard consumes: {event type: Subscription(tolerant schema, handler)}.

From the registry: enterprises and workers (coverage's and the union rates' denominators, union
formation and membership). From competitions: entries (coverage), and the competitions and
their live boards (``leaderboard.updated``) for the page. From certification: promotions,
studio approvals, skill-leader designations, trainings. Each schema takes only the fields the
targets or the boards need; every handler is idempotent and tolerant of order, so ``jiangong
replay dashboard`` rebuilds the same counts and boards.
"""

from __future__ import annotations

from services.dashboard.adapters.boards import board_subscriptions
from services.dashboard.adapters.certification_facts import certification_subscriptions
from services.dashboard.adapters.entry_facts import entry_subscriptions
from services.dashboard.adapters.registry_facts import registry_subscriptions
from shared.inbox import Subscription


def subscriptions() -> dict[str, Subscription]:
    return {
        **registry_subscriptions(),
        **entry_subscriptions(),
        **board_subscriptions(),
        **certification_subscriptions(),
    }
