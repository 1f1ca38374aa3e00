import time
from datetime import timedelta

import jwt
import pytest

from shared.auth import MAX_TOKEN_LIFETIME, InvalidToken, TokenVerifier, issue_token

SECRET = "a-test-secret-that-is-long-enough-for-hs256"


def test_an_issued_token_verifies_with_its_role_and_scope() -> None:
    principal = TokenVerifier(SECRET).verify(issue_token(SECRET, "enterprise", "e42"))
    assert (principal.role, principal.enterprise_id, principal.judge_id) == (
        "enterprise",
        "e42",
        None,
    )


def test_an_expired_token_is_refused() -> None:
    now = int(time.time())
    claims = {"sub": "a", "role": "admin", "iss": "jiangong", "iat": now - 60, "exp": now - 1}
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken, match="expired"):
        TokenVerifier(SECRET).verify(token)


def test_a_token_accepted_and_kept_is_refused_once_it_expires() -> None:
    verifier = TokenVerifier(SECRET)
    token = issue_token(SECRET, "reader", ttl=timedelta(seconds=2))
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    assert verifier.verify(token).role == "reader"
    assert verifier.verify(token).role == "reader"  # from what it kept
    deadline = time.monotonic() + 5
    while time.time() <= expires and time.monotonic() < deadline:
        time.sleep(0.05)
    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(token)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    with pytest.raises(InvalidToken):
        TokenVerifier(SECRET).verify(issue_token("another-secret-of-enough-length-000", "admin"))


@pytest.mark.parametrize("role", ["enterprise", "judge", "assessor"])
def test_a_scoped_role_cannot_be_issued_without_its_scope(role: str) -> None:
    with pytest.raises(ValueError, match="needs its"):
        issue_token(SECRET, role)


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown role"):
        issue_token(SECRET, "superuser")


@pytest.mark.parametrize("hours", [12.5, 24 * 30])
def test_no_token_is_issued_to_live_longer_than_twelve_hours(hours: float) -> None:
    with pytest.raises(ValueError, match="at most 12 hours"):
        issue_token(SECRET, "reader", ttl=timedelta(hours=hours))


def test_a_token_of_twelve_hours_is_issued_and_accepted() -> None:
    token = issue_token(SECRET, "reader", ttl=MAX_TOKEN_LIFETIME)
    assert TokenVerifier(SECRET).verify(token).role == "reader"
