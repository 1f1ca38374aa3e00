"""``/``: the workbench's front page, the person's desks; and the pages anyone may open
(certificate verification, the language switch)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers import Response

from services.workbench.pages.forms import CertificateForm, LanguageForm
from services.workbench.pages.shell import LANGUAGE_COOKIE, LANGUAGES, safe_next, signed_in, site

bp = Blueprint("home", __name__)
YEAR = 365 * 24 * 3600


@bp.get("/")
@signed_in
def index() -> Any:
    return render_template("workbench/home.html")


@bp.get("/certificates")
def certificates() -> Any:
    """证书查验: a certificate's number leads to its public verification page."""
    form = CertificateForm(request.args)
    if request.args and form.validate():
        number = form.number.data.strip().upper()
        return redirect(site(f"/certification/api/v1/certificates/{number}"))
    return render_template("workbench/certificates.html", form=form)


@bp.post("/language")
def language() -> Response:
    form = LanguageForm()
    answer = redirect(safe_next(form.next.data))
    if form.validate_on_submit() and form.language.data in LANGUAGES:
        answer.set_cookie(LANGUAGE_COOKIE, form.language.data, max_age=YEAR, samesite="Lax")
    return answer
