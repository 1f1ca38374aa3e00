"""``/login`` and ``/logout``: a new session (and a new cookie) at each sign-in."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for

from services.workbench.client import client_of
from services.workbench.commands import SignIn, SignOut
from services.workbench.handlers.signing_in import SignedIn
from services.workbench.pages.forms import ButtonForm, SignInForm
from services.workbench.pages.shell import (
    SESSION_COOKIE,
    cookie_path,
    gettext,
    person,
    safe_next,
)
from services.workbench.refusals import Refusal
from shared.runtime import execute

bp = Blueprint("signing_in", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = SignInForm(next=request.args.get("next", ""))
    if request.method == "GET" and person() is not None:
        return redirect(safe_next(form.next.data))
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("workbench/login.html", form=form, message=None), status
    command = SignIn(form.login.data, form.password.data, _address(), _agent())
    outcome = execute(command, reload=False)
    if not isinstance(outcome, SignedIn):
        message = Refusal.of_error(outcome, gettext).onto(form)
        return render_template("workbench/login.html", form=form, message=message), outcome.status
    answer = redirect(safe_next(form.next.data))
    answer.set_cookie(
        SESSION_COOKIE,
        outcome.secret,
        path=cookie_path(),
        httponly=True,
        secure=request.is_secure,
        samesite="Lax",
    )
    g.end_cookie = False
    return answer


@bp.post("/logout")
def logout() -> Any:
    someone = person()
    if ButtonForm().validate_on_submit() and someone is not None:
        execute(SignOut(someone.session.id))
        client_of().mint.forget(someone.session.id)
        g.end_cookie = True
    return redirect(url_for("signing_in.login", signed_out=1))


def _address() -> str:
    return request.remote_addr or "unknown"


def _agent() -> str:
    return request.user_agent.string or ""
