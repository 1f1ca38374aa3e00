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
    now = time.time()
    verifier = TokenVerifier(SECRET, clock=lambda: now)
    token = issue_token(SECRET, "reader", ttl=timedelta(minutes=5))
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    assert verifier.verify(token).role == "reader"
    now = expires - 0.5
    assert verifier.verify(token).role == "reader"  # from what it kept
    now = expires
    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(token)


def test_an_exp_of_digits_in_a_string_is_checked_as_the_number_it_reads() -> None:
    now = int(time.time())
    claims = {"sub": "a", "role": "admin", "iss": "jiangong", "iat": now}
    fresh = jwt.encode({**claims, "exp": str(now + 60)}, SECRET, algorithm="HS256")
    too_long = jwt.encode({**claims, "exp": str(now + 86_400)}, SECRET, algorithm="HS256")
    assert TokenVerifier(SECRET).verify(fresh).role == "admin"
    with pytest.raises(InvalidToken, match="lives longer"):
        TokenVerifier(SECRET).verify(too_long)


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
