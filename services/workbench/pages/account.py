"""我的账号: change one's password, see one's sessions and end the others (htmx swaps the list;
without script the form posts and the page comes back)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from jinja2_fragments.flask import render_block

from services.workbench.adapters.queries import live_sessions_of
from services.workbench.commands import ChangePassword, EndOtherSession
from services.workbench.domain.errors import DomainError
from services.workbench.pages.forms import ButtonForm, PasswordForm
from services.workbench.pages.shell import gettext, person, signed_in
from services.workbench.refusals import Refusal
from shared.runtime import execute

bp = Blueprint("account", __name__, url_prefix="/account")
PAGE = "workbench/account.html"


def _page(form: PasswordForm, message: str | None = None, status: int = 200) -> Any:
    someone = person()
    assert someone is not None
    sessions = live_sessions_of(someone.account.id)
    values = {"form": form, "message": message, "sessions": sessions, "button": ButtonForm()}
    return render_template(PAGE, **values), status


@bp.get("")
@signed_in
def show() -> Any:
    return _page(PasswordForm(), request.args.get("changed") and gettext("Password changed."))


@bp.post("/password")
@signed_in
def change_password() -> Any:
    someone = person()
    assert someone is not None
    form = PasswordForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    command = ChangePassword(
        someone.account.id, form.current_password.data, form.new_password.data, someone.session.id
    )
    try:
        execute(command)
    except DomainError as error:
        refusal = Refusal.of_error(error, gettext)
        return _page(form, refusal.onto(form), refusal.status)
    return redirect(url_for("account.show", changed=1))


@bp.post("/sessions/<session_id>/end")
@signed_in
def end_session(session_id: str) -> Any:
    someone = person()
    assert someone is not None
    if ButtonForm().validate_on_submit() and session_id != someone.session.id:
        execute(EndOtherSession(someone.account.id, session_id))
    if request.headers.get("HX-Request"):
        sessions = live_sessions_of(someone.account.id)
        return render_block(PAGE, "sessions", sessions=sessions, button=ButtonForm())
    return redirect(url_for("account.show"))
