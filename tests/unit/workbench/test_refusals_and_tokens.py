"""What a person reads of a refusal, the token a session calls the APIs with, and the
catalogue behind every page's text."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import jwt
from flask import Flask
from jinja2 import Environment, nodes

from services.workbench.client import Caller, TokenMint
from services.workbench.pages.forms import PasswordForm
from services.workbench.pages.shell import LOCALE_DIRS
from services.workbench.refusals import Refusal
from shared.auth import TokenVerifier
from shared.i18n import catalogue

TEMPLATES = Path("services/workbench/templates/workbench")
SECRET = "a-secret-long-enough-for-the-tests-of-the-workbench"


def problem(status: int, body: object) -> httpx.Response:
    return httpx.Response(status, json=body, headers={"Content-Type": "application/problem+json"})


def test_a_problems_errors_go_beside_their_fields_and_its_detail_to_the_page() -> None:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False)
    answer = problem(
        422,
        {
            "detail": "请求中有无效字段：new_password, team。",
            "errors": {"new_password": ["太短"], "team.name": ["不能为空"]},
        },
    )
    with app.test_request_context(method="POST"):
        form = PasswordForm()
        message = Refusal.of_answer(answer).onto(form)
    assert form.new_password.errors == ["太短"]
    assert message == "请求中有无效字段：new_password, team。 不能为空"  # no field lost


def test_an_answer_that_is_no_problem_still_says_its_status() -> None:
    refusal = Refusal.of_answer(httpx.Response(409, text="<html>conflict</html>"))
    assert refusal.status == 409 and refusal.detail == "Conflict" and refusal.errors == {}


def test_a_sessions_token_carries_the_claims_of_jiangong_token_issue_and_is_kept() -> None:
    mint = TokenMint(SECRET, timedelta(minutes=15))
    caller = Caller("session-1", "account-1", "enterprise", "ent-1")
    token = mint.token_for(caller)
    principal = TokenVerifier(SECRET).verify(token)
    assert (principal.subject, principal.role, principal.enterprise_id) == (
        "account-1",
        "enterprise",
        "ent-1",
    )
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == 15 * 60 and claims["iss"] == "jiangong"
    assert mint.token_for(caller) == token  # kept while more than a third of it is left
    mint.forget("session-1")
    other = mint.token_for(Caller("session-2", "account-1", "enterprise", "ent-1"))
    assert TokenVerifier(SECRET).verify(other).subject == "account-1"


def template_msgids() -> set[str]:
    """Every literal passed to ``_()`` in the workbench's templates."""
    environment = Environment()
    found = set()
    for path in TEMPLATES.glob("*.html"):
        tree = environment.parse(path.read_text(encoding="utf-8"))
        for call in tree.find_all(nodes.Call):
            named = isinstance(call.node, nodes.Name) and call.node.name == "_"
            if named and call.args and isinstance(call.args[0], nodes.Const):
                found.add(call.args[0].value)
    return found


def test_every_text_of_the_pages_has_a_chinese_translation() -> None:
    msgids = template_msgids()
    assert len(msgids) > 50
    known = catalogue("zh", LOCALE_DIRS)
    assert sorted(m for m in msgids if m not in known) == []
