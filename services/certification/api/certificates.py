"""Certificates: anyone verifies one by number (no token); an admin revokes one, with a reason.

``GET /certificates/{number}`` answers JSON, or, asked for ``text/html`` (a browser, a phone
that scanned the printed code), a small page in Chinese and English with a QR code that leads
back to the same page. The name is always masked (``张*强``); ``?name=`` says whether a full
name is the holder's without revealing it. A number that is not one is a 422 naming
``number``; an unknown one a 404 (both as a page too, for a browser).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from functools import cache
from importlib import resources
from typing import Any

import segno
from flask import Response, current_app, render_template_string, request, url_for
from flask.views import MethodView
from markupsafe import Markup

from services.certification import commands
from services.certification.adapters.orm import Certificate, db
from services.certification.api.assessment_schemas import (
    NUMBER_PARAMETER,
    CertificateOut,
    RevokeIn,
    VerificationQuery,
)
from services.certification.domain import errors
from services.certification.domain.certificates import mask_name, name_matches, parse_number
from services.certification.domain.levels import NAMES
from shared.auth import requires
from shared.errors import DomainError
from shared.handling import command_from
from shared.http import problem_of
from shared.http.parser import Blueprint
from shared.runtime import execute

blp = Blueprint(
    "certificates",
    __name__,
    description="Certificate verification, for anyone, by number (JSON or a page with a QR "
    "code); revocation by an admin.",
)

HTML = "text/html"
JSON = "application/json"
HEADERS = {"Vary": "Accept", "Cache-Control": "no-cache"}
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def verification(certificate: Certificate, name: str | None = None) -> dict[str, Any]:
    """What anyone may see of a certificate; with ``name``, whether it is the holder's."""
    view: dict[str, Any] = {
        "number": certificate.number,
        "name": mask_name(certificate.name),
        "occupation_code": certificate.occupation_code,
        "level": certificate.level,
        "level_name": NAMES[certificate.level].label_zh,
        "issued_on": certificate.issued_on,
        "status": certificate.status,
        "revoked_reason": certificate.revoked_reason,
        "revoked_on": certificate.revoked_on,
    }
    if name is not None:
        view["name_matches"] = name_matches(certificate.name, name)
    return view


class TooManyNameChecks(DomainError):
    """Not a rule of certification: the API's guard on what ``?name=`` may reveal."""

    rule = "too_many_name_checks"
    edge = True
    status = 429
    title = "Too many name checks"
    default_detail = (
        "This certificate's holder was checked against too many names from here; try again later."
    )
    field = "name"


NAME_CHECKS = 5
"""Names one client may check against one certificate in ``NAME_CHECK_WINDOW`` seconds."""
NAME_CHECK_WINDOW = 3600.0
KEPT_CLIENTS = 100_000
"""Clients and certificates remembered at once (the oldest are forgotten first)."""


class NameChecks:
    """The name checks each client made against each certificate in the last window. A masked
    name (``张*强``) leaves a few thousand candidates, so unlimited checks would reveal it; a
    clerk verifying many applicants checks each certificate once. Per process: each API
    process counts its own (a client spread over ``n`` processes gets up to ``n`` times as
    many), which still keeps a guess to a handful an hour. The client is the request's address:
    behind a proxy, set ``JIANGONG_TRUSTED_PROXIES`` or every client is the proxy."""

    def __init__(self, limit: int = NAME_CHECKS, window: float = NAME_CHECK_WINDOW):
        self.limit = limit
        self.window = window
        self._made: OrderedDict[tuple[str, str], list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait_before(self, client: str, number: str, now: float | None = None) -> float:
        """0 (and the check counted) if it may check now, else seconds until it may."""
        now = time.monotonic() if now is None else now
        key = (client, number)
        with self._lock:
            made = [at for at in self._made.pop(key, []) if now - at < self.window]
            wait = made[0] + self.window - now if len(made) >= self.limit else 0.0
            if not wait:
                made.append(now)
            self._made[key] = made
            while len(self._made) > KEPT_CLIENTS:
                self._made.popitem(last=False)
        return wait


def name_check_refused(number: str) -> Response | None:
    """Count a ``?name=`` check; past the limit, the 429 naming ``name``, with ``Retry-After``
    saying when it may check again."""
    checks = current_app.extensions.setdefault("certification.name_checks", NameChecks())
    wait = checks.wait_before(request.remote_addr or "", number)
    if not wait:
        return None
    refusal = problem_of(TooManyNameChecks())
    refusal.headers["Retry-After"] = str(math.ceil(wait))
    return refusal


def find(number: str) -> Certificate:
    """The certificate a typed number names (spaces, full width and case forgiven)."""
    certificate = db.session.get(Certificate, str(parse_number(number)))
    if certificate is None:
        raise errors.CertificateNotFound()
    return certificate


def wants_html() -> bool:
    return request.accept_mimetypes.best_match([JSON, HTML]) == HTML


@blp.route("/certificates/<number>", parameters=[NUMBER_PARAMETER])
class CertificateByNumber(MethodView):
    @blp.arguments(VerificationQuery, location="query")
    @blp.response(200, CertificateOut)
    @blp.alt_response(
        429,
        response="TOO_MANY_REQUESTS",
        description=f"More than {NAME_CHECKS} names checked against this certificate by this "
        "client in an hour; ``Retry-After`` says when it may check again",
    )
    def get(self, query: dict[str, Any], number: str) -> Any:
        """Verify a certificate (no token needed). ``Accept: text/html`` gives a page with a
        QR code leading back to it. ``?name=`` checks are limited per client and
        certificate."""
        try:
            certificate = find(number)
        except (errors.InvalidCertificateNumber, errors.CertificateNotFound) as error:
            if wants_html():
                return page(None, error)
            raise
        refusal = name_check_refused(certificate.number) if "name" in query else None
        if refusal is not None:
            return refusal
        view = verification(certificate, query.get("name"))
        if wants_html():
            return page(view)
        return view, HEADERS


@blp.route("/certificates/<number>/revoke", methods=["POST"], parameters=[NUMBER_PARAMETER])
@requires("admin")
@blp.arguments(RevokeIn)
@blp.response(200, CertificateOut)
def revoke(body: dict[str, Any], number: str) -> Any:
    """Revoke a certificate, saying why; verification then says so. Twice is a 409."""
    certificate = execute(command_from(body, commands.RevokeCertificate, number=number))
    return verification(certificate)


# -- the page ------------------------------------------------------------------------------------

_MISSING = {
    errors.InvalidCertificateNumber.rule: (
        "证书编号格式不正确",
        "This is not a certificate number.",
    ),
    errors.CertificateNotFound.rule: ("未找到该证书", "No certificate with that number."),
}


@cache
def _template() -> str:
    return (resources.files(__package__) / "certificate.html").read_text(encoding="utf-8")


def page(view: dict[str, Any] | None, error: errors.DomainError | None = None) -> Response:
    """The verification page of ``view``, or the page saying why there is none."""
    context: dict[str, Any] = {"certificate": view}
    if view is not None:
        url = url_for("certificates.CertificateByNumber", number=view["number"], _external=True)
        context |= {"level": NAMES[view["level"]], "url": url, "qr": qr_svg(url)}
    elif error is not None:
        context["problem_zh"], context["problem_en"] = _MISSING[error.rule]
    status = 200 if error is None else error.status
    response = Response(render_template_string(_template(), **context), status, mimetype=HTML)
    response.headers.update({**HEADERS, "Content-Security-Policy": PAGE_POLICY})
    return response


def qr_svg(url: str) -> Markup:
    """The QR code of ``url`` as inline SVG, black on white whatever the page's colours."""
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(scale=5, border=4, dark="#000", light="#fff", title="QR")
    return Markup(svg)
