"""Bearer-token auth: JWTs with a role and the scope for that role.

Embedded, tokens are HS256-signed with ``JIANGONG_SECRET``; in production they may come from
the organisation's identity provider, verified with keys from ``JIANGONG_JWKS_URL``. A missing
or bad token is a 401 (with ``WWW-Authenticate``), a role that may not act a 403, and another
enterprise's record a 404, so that the answer never confirms that it exists. A token is refused
unless it is signed with the one algorithm expected (never ``none``), unexpired, at most
``MAX_TOKEN_LENGTH`` characters, and carries ``sub``, a known ``role`` and, for a scoped role,
its scope claim as a string or an integer.

A token signed with the platform's secret must also name the platform as its issuer (``iss``
``jiangong``) and say when it was issued (``iat``, not in the future), and may live at most
``MAX_TOKEN_LIFETIME`` (``exp - iat``): a leaked token stops working within a working day.
A token from the identity provider (JWKS) is trusted for its issuer by the keys it is signed
with, and lives as long as the provider says: its ``exp`` is required and checked.
"""

from __future__ import annotations

import functools
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ParamSpec, TypeVar

import jwt
from flask import Flask, current_app, g, request

from shared.http import Problem

ROLES = ("admin", "enterprise", "judge", "assessor", "reader")
SCOPE_CLAIMS = {"enterprise": "enterprise_id", "judge": "judge_id", "assessor": "assessor_id"}
ISSUER = "jiangong"
MAX_TOKEN_LIFETIME = timedelta(hours=12)
"""The longest a token signed with the platform's secret may live (``exp - iat``): a working
day and its overtime. ``jiangong token issue --ttl`` issues none longer."""
KEPT_TOKENS = 1024
"""Tokens kept once verified (each until its ``exp``): more than the clients at once."""
MAX_TOKEN_LENGTH = 8192
"""Ours are about 250 characters, an identity provider's a few kB at most; past 8 kB (what most
proxies take for a whole header) a token is refused before anything in it is decoded."""

P = ParamSpec("P")
R = TypeVar("R")


class InvalidToken(ValueError):
    pass


@dataclass(frozen=True)
class Principal:
    subject: str
    role: str
    scope_id: str | None = None

    @property
    def enterprise_id(self) -> str | None:
        return self.scope_id if self.role == "enterprise" else None

    @property
    def judge_id(self) -> str | None:
        return self.scope_id if self.role == "judge" else None

    @property
    def assessor_id(self) -> str | None:
        return self.scope_id if self.role == "assessor" else None


def issue_token(
    secret: str,
    role: str,
    scope_id: str | None = None,
    ttl: timedelta = timedelta(hours=8),
    subject: str | None = None,
) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    if ttl > MAX_TOKEN_LIFETIME:
        raise ValueError(
            f"a token may live at most {_hours(MAX_TOKEN_LIFETIME)}, not {_hours(ttl)}"
        )
    if ttl <= timedelta(0):
        raise ValueError("a token must live for some time")
    claim = SCOPE_CLAIMS.get(role)
    if claim and not scope_id:
        raise ValueError(f"a {role} token needs its {claim}")
    now = datetime.now(UTC)
    payload: dict[str, Any] = {
        "sub": subject or f"{role}:{scope_id or uuid.uuid4().hex[:8]}",
        "role": role,
        "iss": ISSUER,
        "iat": now,
        "exp": now + ttl,
    }
    if claim:
        payload[claim] = str(scope_id)
    return jwt.encode(payload, secret, algorithm="HS256")


class TokenVerifier:
    """Verifies tokens, and keeps the last ``KEPT_TOKENS`` it accepted until they expire: a
    client sends the same token with every request, and decoding and checking its signature
    again cost a read from a kept answer as much as the rest of it."""

    def __init__(
        self, secret: str, jwks_url: str | None = None, clock: Callable[[], float] = time.time
    ):
        self.secret = secret
        self._jwks = jwt.PyJWKClient(jwks_url) if jwks_url else None
        self._accepted: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._clock = clock
        """Seconds since the epoch, that ``exp`` is compared with (a test moves it)."""

    def verify(self, token: str) -> Principal:
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken(f"the token is longer than {MAX_TOKEN_LENGTH} characters")
        with self._lock:
            accepted = self._accepted.get(token)
        if accepted is not None and self._clock() < accepted[1]:
            return accepted[0]
        principal, expires = self._check(token)
        with self._lock:
            self._accepted[token] = (principal, expires)
            while len(self._accepted) > KEPT_TOKENS:
                self._accepted.popitem(last=False)
        return principal

    def _check(self, token: str) -> tuple[Principal, float]:
        """The principal and the expiry (``exp``, seconds since the epoch) of a valid token."""
        try:
            if self._jwks is not None:
                key = self._jwks.get_signing_key_from_jwt(token).key
                claims = jwt.decode(
                    token,
                    key,
                    algorithms=["RS256", "ES256"],
                    options={"require": ["exp", "sub"], "verify_exp": False},
                )
            else:
                claims = jwt.decode(
                    token,
                    self.secret,
                    algorithms=["HS256"],
                    issuer=ISSUER,
                    options={"require": ["exp", "iat", "iss", "sub"], "verify_exp": False},
                )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from error
        expires = self._expiry(claims)
        if self._jwks is None:
            _refuse_long_lived(claims)
        role = claims.get("role")
        if role not in ROLES:
            raise InvalidToken("the token has no known role")
        claim = SCOPE_CLAIMS.get(role)
        scope = claims.get(claim) if claim else None
        if claim and not _is_id(scope):
            raise InvalidToken(f"a {role} token must carry {claim}")
        principal = Principal(subject=str(claims["sub"]), role=role, scope_id=scope and str(scope))
        return principal, expires

    def _expiry(self, claims: dict[str, Any]) -> float:
        """``exp``, in seconds since the epoch, if it is still ahead on the verifier's clock
        (PyJWT, told not to, would compare it with the system's)."""
        try:
            expires = int(claims["exp"])
        except (ValueError, TypeError, OverflowError):
            raise InvalidToken("Expiration Time claim (exp) must be an integer.") from None
        if expires <= self._clock():
            raise InvalidToken("Signature has expired")
        return float(expires)


def _refuse_long_lived(claims: dict[str, Any]) -> None:
    if int(claims["exp"]) - int(claims["iat"]) > MAX_TOKEN_LIFETIME.total_seconds():
        raise InvalidToken(f"the token lives longer than {_hours(MAX_TOKEN_LIFETIME)}")


def _hours(lifetime: timedelta) -> str:
    return f"{lifetime.total_seconds() / 3600:g} hours"


def _is_id(value: object) -> bool:
    """An id claim: a non-empty string or an integer (not a boolean, a list or an object)."""
    if isinstance(value, str):
        return bool(value.strip())
    return isinstance(value, int) and not isinstance(value, bool)


_VERIFIER = "jiangong.auth"


def verifier_of(app: Flask) -> TokenVerifier:
    verifier: TokenVerifier = app.extensions[_VERIFIER]
    return verifier


def init_auth(app: Flask, verifier: TokenVerifier) -> None:
    app.extensions[_VERIFIER] = verifier


def _unauthorised(detail: str, error: str | None = None) -> Problem:
    """A 401; RFC 6750 §3: no ``error`` when no token came, ``invalid_token`` for a bad one."""
    challenge = 'Bearer realm="jiangong"' + (f', error="{error}"' if error else "")
    return Problem(401, detail, headers={"WWW-Authenticate": challenge})


def authenticate() -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorised("A bearer token is required.")
    try:
        principal = verifier_of(current_app).verify(token.strip())
    except InvalidToken as error:
        raise _unauthorised(f"The token is not valid: {error}.", "invalid_token") from error
    g.principal = principal
    return principal


def requires(*roles: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Let only these roles in (no roles: any valid token); documents bearer auth in OpenAPI
    and the 401 (and, with roles, the 403) the operation may answer."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            principal = authenticate()
            if roles and principal.role not in roles:
                raise Problem(403, f"The {principal.role} role may not do this.")
            return view(*args, **kwargs)

        apidoc = dict(getattr(guarded, "_apidoc", {}))
        manual = dict(apidoc.get("manual_doc", {}))
        manual["security"] = [{"bearerAuth": []}]
        refusals = {"401": "UNAUTHORIZED", **({"403": "FORBIDDEN"} if roles else {})}
        manual["responses"] = {**refusals, **manual.get("responses", {})}
        apidoc["manual_doc"] = manual
        guarded._apidoc = apidoc  # type: ignore[attr-defined]
        return guarded

    return decorator


def current_principal() -> Principal:
    return g.principal


def may_see_enterprise(enterprise_id: str) -> bool:
    """Admins see every enterprise; an enterprise token sees only its own."""
    principal = current_principal()
    return principal.role == "admin" or principal.enterprise_id == enterprise_id


def ensure_enterprise(enterprise_id: str, what: str = "enterprise") -> None:
    """404 unless the caller may act for ``enterprise_id``: the answer never confirms it."""
    if not may_see_enterprise(enterprise_id):
        raise Problem(404, f"No {what} with that id.")
