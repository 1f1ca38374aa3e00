"""``/``: a small page listing the targets, until the full dashboard page replaces it.

Rendered on the server from the same answer as ``GET /api/v1/targets``; a few lines of script
listen to ``api/v1/stream`` and update the figures (no framework, no build step). The service
lists it among its ``pages``, which the kernel registers at the app's root.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from services.dashboard.adapters.answers import targets_of
from services.dashboard.adapters.orm import db
from services.dashboard.config import config_of
from shared.clock import shanghai_date
from shared.runtime import runtime_of

bp = Blueprint("page", __name__, template_folder="templates")


@bp.get("/")
def index() -> str:
    now = runtime_of(current_app).now()
    answer = targets_of(db.session(), config_of(current_app), shanghai_date(now).year, None, now)
    return render_template("dashboard/index.html", answer=answer)
