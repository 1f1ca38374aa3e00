"""The public board page: ``GET /<competition_id>`` (``/competitions/<id>`` in the embedded
platform), a page anyone can open on a phone or put on a projector.

It shows the competition's title and status and the board the public sees (the frozen view
while a freeze holds, the final board with its awards once published), each row with its names
(team, workers, enterprise), Chinese first and English beside. The first board is rendered on
the server from the same answer as ``GET /api/v1/competitions/{id}/leaderboard``; then a small
script (``static/board.js``, no framework, no build step) asks that endpoint every two seconds
with ``If-None-Match`` (a 304 while nothing changed), draws the rows again when the version
moves, and says so when the server cannot be reached and when it is back. Every URL is built
from the request's ``script_root``, so the page works wherever the service is mounted. Nothing
is fetched from elsewhere (the ``Content-Security-Policy`` says so too).

A competition that is unknown, or still a draft (not announced yet), is a 404 page (problem
details for a client that asks for JSON rather than HTML). ``GET /``
lists the announced competitions, each linking to its board.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from sqlalchemy import select

from services.competitions.adapters.orm import CompetitionRow, db
from services.competitions.api.leaderboards import see
from services.competitions.domain.model import Status
from shared.clock import SHANGHAI, as_utc
from shared.errors import NotFound
from shared.http import problem_of
from shared.regions import COUNTIES, COUNTY_NAMES_EN, JIAXING, JIAXING_NAME

bp = Blueprint(
    "board_page",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/board-assets",
)

ROWS = 100
INDEXED = 200
"""Rows drawn on the page (the API's largest page); the page says how many there are."""
POLL_MILLISECONDS = 2000
HTML = "text/html"
PROBLEM = "application/problem+json"
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'"
)

STATUSES = {
    "draft": ("筹备中", "Draft"),
    "open": ("报名中", "Registration open"),
    "closed": ("评分中", "Scoring"),
    "published": ("已发布", "Results published"),
}
KINDS = {
    "key_project": ("重点工程劳动竞赛", "Key project"),
    "team": ("班组竞赛", "Team competition"),
    "skill_contest": ("职业技能竞赛", "Skill contest"),
    "energy_saving": ("节能减排竞赛", "Energy saving"),
}
LEVELS = {
    "city": ("市级", "city"),
    "county": ("县级", "county"),
    "enterprise": ("企业级", "enterprise"),
}


def region_names(code: str) -> tuple[str, str]:
    if code == JIAXING:
        return JIAXING_NAME, "Jiaxing"
    county = code[:6]
    return COUNTIES.get(county, code), COUNTY_NAMES_EN.get(county, code)


def _moment(value: datetime | None) -> str | None:
    """A moment as people in Jiaxing read it: ``2025-06-30 14:05`` (Asia/Shanghai)."""
    if value is None:
        return None
    local = as_utc(value).astimezone(SHANGHAI)
    return local.strftime("%Y-%m-%d %H:%M")


def _page(template: str, status: int, **context: Any) -> Response:
    body = render_template(template, **context)
    response = Response(body, status, mimetype=HTML)
    response.headers.update(
        {
            "Cache-Control": "no-cache",
            "Content-Security-Policy": POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        }
    )
    return response


@bp.get("/")
def index() -> Response:
    """The competitions announced (not drafts), the latest year first, each linking to its
    board: where a visitor finds the boards without a token."""
    query = (
        select(CompetitionRow)
        .where(CompetitionRow.status != Status.DRAFT.value)
        .order_by(CompetitionRow.year.desc(), CompetitionRow.created_at.desc())
        .limit(INDEXED)
    )
    competitions = [
        {
            "id": row.id,
            "title": row.title,
            "year": row.year,
            "status": STATUSES.get(row.status, (row.status, row.status)),
            "status_code": row.status,
            "region": region_names(row.region_code),
            "kind": KINDS.get(row.kind, (row.kind, row.kind)),
        }
        for row in db.session.scalars(query)
    ]
    return _page("competitions/index.html", 200, competitions=competitions)


@bp.get("/<competition_id>")
def board(competition_id: str) -> Response:
    """The competition's public board, as a page that keeps itself up to date."""
    competition = db.session.get(CompetitionRow, competition_id)
    if competition is None or competition.status == Status.DRAFT.value:
        return not_found()
    seen = see(competition)
    answer = seen.answer(1, ROWS)
    api = url_for("leaderboards.leaderboard", competition_id=competition.id)
    return _page(
        "competitions/board.html",
        200,
        competition=competition,
        board=answer,
        etag=f'W/"{seen.tag}"',
        api=f"{api}?per_page={ROWS}",
        poll=POLL_MILLISECONDS,
        statuses=STATUSES,
        kind=KINDS.get(competition.kind, (competition.kind, competition.kind)),
        level=LEVELS.get(competition.level, (competition.level, competition.level)),
        region=region_names(competition.region_code),
        freeze_at=_moment(competition.freeze_at),
    )


def not_found() -> Response:
    """The 404 page; a client that asks for JSON rather than HTML gets the problem document
    every other error of the platform is."""
    problem = NotFound.of("competition")
    if request.accept_mimetypes.best_match([PROBLEM, HTML]) != HTML:
        return problem_of(problem)
    return _page(
        "competitions/not_found.html",
        problem.status,
        problem={
            "type": problem.type_uri(),
            "title": problem.title,
            "status": problem.status,
            "detail": problem.detail,
        },
    )
