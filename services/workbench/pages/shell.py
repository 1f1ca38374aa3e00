"""The shell every page stands in: the person signed in (or not), the language, the header,
the error pages, the stylesheet and htmx (``/assets``), and the guards of the desks.

Each request that carries the session cookie resumes its session, or finds it ended (signed
out, idle, past its 12 hours, its account disabled) and treats the browser as signed out."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from services.workbench.adapters.orm import Account, SignedInSession
from services.workbench.client import Caller, ServiceUnavailable, client_of
from services.workbench.commands import ResumeSession
from services.workbench.config import config_of
from shared.clock import SHANGHAI, as_utc
from shared.http import problem_response
from shared.i18n import translate
from shared.runtime import execute

P = ParamSpec("P")
R = TypeVar("R")

SESSION_COOKIE = "jiangong_workbench"
LANGUAGE_COOKIE = "jiangong_language"
LANGUAGES = ("zh", "en")
LOCALE_DIRS = (Path(__file__).parent.parent / "locale",)

bp = Blueprint(
    "shell",
    __name__,
    template_folder="../templates",
    static_folder="../static",
    static_url_path="/assets",
)


@dataclass(frozen=True)
class Person:
    account: Account
    session: SignedInSession

    @property
    def caller(self) -> Caller:
        account = self.account
        return Caller(self.session.id, account.id, account.role, account.scope_id, locale())


def locale() -> str:
    """Chinese first; English when the person picked it (the cookie) or the browser asks."""
    picked = request.cookies.get(LANGUAGE_COOKIE)
    if picked in LANGUAGES:
        return picked
    return request.accept_languages.best_match(LANGUAGES, default="zh") or "zh"


def gettext(msgid: str, **values: Any) -> str:
    """``msgid`` (English, the catalogue's source) in the page's language, values filled in."""
    text = translate(msgid, "en" if locale() == "en" else "zh", LOCALE_DIRS)
    return text % values if values else text


def person() -> Person | None:
    found: Person | None = g.get("person")
    return found


@bp.before_app_request
def resume_session() -> None:
    g.person = None
    g.end_cookie = False
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret or request.endpoint == "shell.static":
        return
    resumed = execute(ResumeSession(secret), reload=False)
    if resumed is None:
        g.end_cookie = True
        return
    g.person = Person(account=resumed[1], session=resumed[0])


PAGE_POLICY = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
"""No script but the site's own files, no inline script, no framing."""


@bp.after_app_request
def guard_answer(answer: Response) -> Response:
    if g.get("end_cookie"):
        answer.delete_cookie(SESSION_COOKIE, path=cookie_path(), httponly=True, samesite="Lax")
    if not request.path.startswith("/api/"):  # the pages, not the kernel's API docs
        answer.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
    answer.headers.setdefault("X-Content-Type-Options", "nosniff")
    answer.headers.setdefault("Referrer-Policy", "same-origin")
    if g.get("person") is not None:
        answer.headers.setdefault("Cache-Control", "no-store")
    return answer


def cookie_path() -> str:
    return request.script_root or "/"


CHANGING_PASSWORD = ("account.show", "account.change_password")


def signed_in(view: Callable[P, R]) -> Callable[P, Any]:
    """Only for a signed-in person; one who must change a one-time password goes there first."""

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> Any:
        someone = person()
        if someone is None:
            wanted = request.script_root + request.full_path.rstrip("?")
            return redirect(url_for("signing_in.login", next=wanted))
        if someone.account.must_change_password and request.endpoint not in CHANGING_PASSWORD:
            return redirect(url_for("account.show"))
        return view(*args, **kwargs)

    return guarded


def desk(role: str) -> Callable[[Callable[P, R]], Callable[P, Any]]:
    """A desk's page: signed in, and of its role; to anyone else it does not exist (404)."""

    def decorator(view: Callable[P, R]) -> Callable[P, Any]:
        @functools.wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            someone = person()
            if someone is None or someone.account.role != role:
                abort(404)
            return view(*args, **kwargs)

        return signed_in(guarded)

    return decorator


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only, never another host."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("home.index")


def site(path: str) -> str:
    """A public page's address: on the same host unless ``JIANGONG_SITE_URL`` says where."""
    return config_of(current_app).site_url + path


def local_time(moment: datetime) -> str:
    """An instant as a clock in Jiaxing shows it: ``2026-12-08 11:40``."""
    return as_utc(moment).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


@bp.app_context_processor
def shell_values() -> dict[str, Any]:
    return {"person": person(), "locale": locale()}


def shell_globals(app: Flask) -> None:
    """What every template and macro may call (a macro sees globals, not the context)."""
    app.jinja_env.globals.update(_=gettext, site=site, local_time=local_time)
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True


def call(service: str, method: str, path: str, **options: Any) -> Any:
    """An API call as the signed-in person (see :mod:`services.workbench.client`)."""
    someone = person()
    assert someone is not None, "a desk's view runs for a signed-in person"
    return client_of().call(someone.caller, service, method, path, **options)


# -- the error pages ----------------------------------------------------------------------


def wants_page() -> bool:
    """A browser (it prefers ``text/html``) gets a page; a program (``*/*``, JSON) a problem."""
    accepted = request.accept_mimetypes
    return accepted["text/html"] > accepted["application/json"]


def unavailable(error: ServiceUnavailable) -> tuple[str, int, dict[str, str]]:
    page = render_template("workbench/unavailable.html", service=error.service)
    return page, 503, {"Retry-After": "5"}


def refused_form(_error: CSRFError) -> tuple[str, int]:
    return render_template("workbench/error.html", status=400, reason="form_expired"), 400


def error_page(error: HTTPException) -> Any:
    if not wants_page():
        return problem_response(error.code or 500, error.description or "")
    code = error.code or 500
    return render_template("workbench/error.html", status=code, reason=str(code)), code


def answer_errors_as_pages(app: Flask) -> None:
    app.register_error_handler(ServiceUnavailable, unavailable)
    app.register_error_handler(CSRFError, refused_form)
    for code in (403, 404, 405):
        app.register_error_handler(code, error_page)
