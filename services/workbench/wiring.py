"""What the workbench adds to the app the kernel builds (the definition's ``pages_setup``): its
API client, Flask-WTF's CSRF protection, the signed cookie that holds the
CSRF token (its flags like the session cookie's), and the error pages."""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from services.workbench.client import attach_client
from services.workbench.pages.shell import answer_errors_as_pages, shell_globals
from shared.runtime import runtime_of

csrf = CSRFProtect()


class CsrfCookie(SecureCookieSessionInterface):
    """Flask's signed cookie, holding only the CSRF token: ``Secure`` behind TLS as well."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(request.is_secure)


def attach(app: Flask) -> None:
    settings = runtime_of(app).settings
    attach_client(app, settings)
    app.secret_key = hmac.new(
        settings.secret.encode(), b"jiangong workbench csrf", hashlib.sha256
    ).hexdigest()
    app.config.update(
        SESSION_COOKIE_NAME="jiangong_workbench_csrf",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # valid as long as its cookie: a sign-in page left open
    )
    app.session_interface = CsrfCookie()
    csrf.init_app(app)
    answer_errors_as_pages(app)
    shell_globals(app)
