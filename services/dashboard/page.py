"""``/``: the platform's front page, where the plan stands at a glance.

A progress bar per target against its goal with the pace marker, the year's promotions month by
month against the pace line, coverage and the union rates by county, and the live boards of the
competitions now scoring, with names. Rendered on the server from the same answers as
``GET /api/v1/targets``, ``/targets/yearly_promotions/history`` and ``/boards`` (so it reads
without script), then kept current by ``static/dashboard.js`` from ``api/v1/stream`` (plain
script, no build step). The charts are drawn by Chart.js, vendored in ``static/vendor/`` and
served from this package: nothing is fetched from elsewhere.

The service lists this blueprint among its ``pages``, which the kernel registers at the app's
root; its files are served under ``assets/``. Every URL the page uses is relative, so it works
under any prefix.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, render_template

from services.dashboard.adapters.answers import history_of, targets_of
from services.dashboard.adapters.boards import boards_of
from services.dashboard.adapters.orm import db
from services.dashboard.config import config_of
from services.dashboard.domain.targets import BY_KEY
from shared.clock import SHANGHAI, shanghai_date
from shared.regions import COUNTIES, COUNTY_NAMES_EN
from shared.runtime import runtime_of

bp = Blueprint(
    "page",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)

PROMOTIONS = "yearly_promotions"
COUNTY_CHARTS = {  # chart: the targets it shows by county, each with a short English name
    "coverage": (("enterprise_coverage", "enterprises"), ("worker_participation", "workers")),
    "union": (("union_formation", "unions formed"), ("union_membership", "members")),
}


@bp.get("/")
def index() -> str:
    app = current_app
    now = runtime_of(app).now()
    config = config_of(app)
    session = db.session()
    year = shanghai_date(now).year
    answer = targets_of(session, config, year, None, now)
    history = history_of(session, config, BY_KEY[PROMOTIONS], year, None, now)
    boards = boards_of(session, config, now)
    initial: dict[str, Any] = {
        "targets": answer,
        "history": history,
        "boards": boards,
        "counties": {code: [name, COUNTY_NAMES_EN[code]] for code, name in COUNTIES.items()},
        "county_charts": COUNTY_CHARTS,
    }
    return render_template(
        "dashboard/index.html",
        answer=answer,
        boards=boards["boards"],
        on_pace=sum(1 for t in answer["targets"] if t["on_track"]),
        initial=initial,
        number=number,
        figure=figure,
        names_of=names_of,
        local_time=local_time,
    )


def number(value: float | None, decimals: int = 0) -> str:
    """12,345 or 45.6: grouped thousands, as the script formats them too."""
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}"


def figure(value: float | None, unit: str) -> str:
    """A target's value as shown: a rate in percent with one decimal, a count whole."""
    if unit == "percent":
        return "—" if value is None else f"{value:.1f}%"
    return number(value)


def local_time(moment: str) -> str:
    """An RFC 3339 instant as Jiaxing's clock shows it: ``2026-07-01 12:00:00``."""
    return datetime.fromisoformat(moment).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def names_of(row: dict[str, Any]) -> str:
    """The team's name and the workers' names of a board row (``·`` between them)."""
    workers = "、".join(row.get("worker_names") or [])
    return " · ".join(part for part in (row.get("team_name"), workers) if part)
