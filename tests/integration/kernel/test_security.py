"""Bad and hostile tokens against a real service (the registry, built by the kernel as it is in
production): each is a 401 with ``WWW-Authenticate``, or a 403 where the token is good but the
role may not act; always ``application/problem+json``, never a 500, and nothing is written."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from flask.testing import FlaskClient

from services.registry.adapters.orm import db
from services.registry.service import SERVICE
from shared.app import create_app
from shared.auth import MAX_TOKEN_LENGTH, issue_token
from shared.runtime import migrate
from shared.settings import Settings

SECRET = "s3cret-for-the-security-tests-" + "0123456789abcdef" * 3  # 78 bytes: HS512 too
LIST = "/api/v1/enterprises"  # admin and enterprise tokens
STATS = "/api/v1/stats"  # any valid token


@pytest.fixture
def client(tmp_path: Path) -> Iterator[FlaskClient]:
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path), "JIANGONG_SECRET": SECRET})
    app = create_app(SERVICE, settings, {"DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"})
    migrate(app)
    yield app.test_client()
    with app.app_context():
        db.engine.dispose()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": "admin:test",
        "role": "admin",
        "iss": "jiangong",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(hours=1)).timestamp()),
    }
    for key, value in overrides.items():
        if value is _DROP:
            claims.pop(key, None)
        else:
            claims[key] = value
    return claims


_DROP = object()


def _at(**from_now: float) -> int:
    return int((datetime.now(UTC) + timedelta(**from_now)).timestamp())


def _signed(secret: str = SECRET, algorithm: str = "HS256", **overrides: Any) -> str:
    return jwt.encode(_claims(**overrides), secret, algorithm=algorithm)


def _unsigned(alg: str = "none", **overrides: Any) -> str:
    header = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    return f"{header}.{_b64(json.dumps(_claims(**overrides)).encode())}."


def _raw(payload: str) -> str:
    """A token whose payload is exactly this text, properly signed."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(payload.encode())
    signature = hmac.new(SECRET.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


def _tampered() -> str:
    """A reader's token with its payload swapped for an admin's, the signature kept."""
    header, _, signature = _signed(role="reader").split(".")
    return f"{header}.{_b64(json.dumps(_claims(role='admin')).encode())}.{signature}"


BAD_TOKENS = {
    "alg none": _unsigned,
    "alg NONE": lambda: _unsigned(alg="NONE"),
    "alg none with a signature": lambda: _unsigned() + _signed().split(".")[2],
    "wrong secret": lambda: _signed(secret="another-secret-" + "x" * 64),
    "payload swapped, signature kept": _tampered,
    "HS512 with the right secret": lambda: _signed(algorithm="HS512"),
    "expired": lambda: _signed(exp=int((datetime.now(UTC) - timedelta(minutes=5)).timestamp())),
    "not yet valid": lambda: _signed(nbf=int((datetime.now(UTC) + timedelta(hours=1)).timestamp())),
    "no exp": lambda: _signed(exp=_DROP),
    "no iss": lambda: _signed(iss=_DROP),
    "another issuer": lambda: _signed(iss="someone-else"),
    "no iat": lambda: _signed(iat=_DROP),
    "issued in the future": lambda: _signed(iat=_at(hours=1), exp=_at(hours=2)),
    "living 12 hours and a second": lambda: _signed(
        exp=_at(hours=11, seconds=1), iat=_at(hours=-1)
    ),
    "living 30 days": lambda: _signed(exp=_at(days=30)),
    "exp not a number": lambda: _raw('{"sub":"a","role":"admin","exp":"tomorrow"}'),
    "exp past any date": lambda: _raw('{"sub":"a","role":"admin","exp":1e400}'),
    "no sub": lambda: _signed(sub=_DROP),
    "sub not a string": lambda: _signed(sub=7),
    "no role": lambda: _signed(role=_DROP),
    "unknown role": lambda: _signed(role="superuser"),
    "role as a list": lambda: _signed(role=["admin"]),
    "enterprise without enterprise_id": lambda: _signed(role="enterprise"),
    "enterprise with a blank enterprise_id": lambda: _signed(role="enterprise", enterprise_id=" "),
    "enterprise_id an object": lambda: _signed(role="enterprise", enterprise_id={"$ne": ""}),
    "enterprise_id true": lambda: _signed(role="enterprise", enterprise_id=True),
    "judge without judge_id": lambda: _signed(role="judge"),
    "assessor with an enterprise_id": lambda: _signed(role="assessor", enterprise_id="e1"),
    "10 kB, properly signed": lambda: _signed(padding="x" * 10_000),
    "10 kB of nothing": lambda: "a" * 10_240,
    "not a JWT": lambda: "not.a.token",
    "two segments": lambda: "e30.e30",
    "payload a list": lambda: _raw("[1, 2]"),
    "payload nested 5000 deep": lambda: _raw("[" * 5000 + "]" * 5000),
    "payload a 5000-digit number": lambda: _raw(
        '{"sub":"a","role":"admin","exp":' + "9" * 5000 + "}"
    ),
}

BAD_HEADERS = {
    "none": None,
    "empty": "",
    "Bearer alone": "Bearer",
    "Bearer and spaces": "Bearer    ",
    "Basic": "Basic dXNlcjpwYXNzd29yZA==",
    "the token without a scheme": "TOKEN",  # replaced by a valid token below
    "another scheme with a valid token": "Token TOKEN",
    "Bearer twice": "Bearer Bearer TOKEN",
}


def _assert_unauthorised(answer: Any, invalid_token: bool) -> None:
    assert answer.status_code == 401, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json"
    assert answer.json["status"] == 401 and answer.json["title"] == "Unauthorized"
    challenge = answer.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="jiangong"')
    assert ('error="invalid_token"' in challenge) is invalid_token


@pytest.mark.parametrize("case", list(BAD_TOKENS))
def test_a_bad_token_is_a_401_problem_with_a_bearer_challenge(client, case: str) -> None:
    token = BAD_TOKENS[case]()
    for path in (LIST, STATS):
        answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
        _assert_unauthorised(answer, invalid_token=True)
        assert token not in answer.get_data(as_text=True)  # never echoed back


@pytest.mark.parametrize("case", list(BAD_HEADERS))
def test_a_missing_or_malformed_authorization_header_is_a_401(client, case: str) -> None:
    header = BAD_HEADERS[case]
    headers = {} if header is None else {"Authorization": header.replace("TOKEN", _signed())}
    answer = client.get(LIST, headers=headers)
    invalid = case == "Bearer twice"  # a bearer token came; it is just not one
    _assert_unauthorised(answer, invalid_token=invalid)


def test_the_length_limit_is_on_the_token_not_on_what_fits_under_it(client) -> None:
    fits = _signed(padding="x" * ((MAX_TOKEN_LENGTH - 400) * 3 // 4))  # base64: 4 per 3
    assert len(fits) <= MAX_TOKEN_LENGTH
    assert client.get(STATS, headers={"Authorization": f"Bearer {fits}"}).status_code == 200
    too_long = _signed(padding="x" * (MAX_TOKEN_LENGTH * 3 // 4))
    assert len(too_long) > MAX_TOKEN_LENGTH
    answer = client.get(STATS, headers={"Authorization": f"Bearer {too_long}"})
    _assert_unauthorised(answer, invalid_token=True)
    assert "longer than" in answer.json["detail"]


@pytest.mark.parametrize(
    ("method", "path", "role", "scope"),
    [
        ("GET", LIST, "reader", None),
        ("GET", LIST, "judge", "j1"),
        ("GET", LIST, "assessor", "a1"),
        ("POST", LIST, "enterprise", "e1"),
        ("POST", "/api/v1/regions", "reader", None),
    ],
)
def test_a_good_token_whose_role_may_not_act_is_a_403_problem(
    client, method: str, path: str, role: str, scope: str | None
) -> None:
    token = issue_token(SECRET, role, scope)
    answer = client.open(path, method=method, json={}, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403
    assert answer.mimetype == "application/problem+json"
    assert answer.json["detail"] == f"The {role} role may not do this."


def test_a_good_token_of_each_role_is_let_in_where_any_token_is(client) -> None:
    for role, scope in [("admin", None), ("enterprise", "e1"), ("judge", 7), ("reader", None)]:
        token = _signed(role=role, **({SCOPES[role]: scope} if scope is not None else {}))
        assert client.get(STATS, headers={"Authorization": f"Bearer {token}"}).status_code == 200


SCOPES = {"enterprise": "enterprise_id", "judge": "judge_id"}


def test_a_token_of_the_platform_living_twelve_hours_is_let_in(client) -> None:
    token = _signed(iat=_at(hours=-1), exp=_at(hours=11))
    assert client.get(STATS, headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_refused_token_writes_nothing(client) -> None:
    body = {
        "uscc": "91330402MA2B3C4D53",
        "name": "嘉兴安全测试有限公司",
        "region_code": "330402",
        "has_union": False,
        "above_designated_size": False,
        "ownership": "non_public",
        "employee_count": 10,
    }
    for token in (_unsigned(), _tampered(), _signed(role="enterprise", enterprise_id={})):
        answer = client.post(LIST, json=body, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401
    admin = {"Authorization": f"Bearer {issue_token(SECRET, 'admin')}"}
    assert client.get(LIST, headers=admin).json["total"] == 0
