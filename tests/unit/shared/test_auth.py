import time
from datetime import timedelta

import jwt
import pytest

from shared.auth import InvalidToken, TokenVerifier, issue_token

SECRET = "a-test-secret-that-is-long-enough-for-hs256"


def test_an_issued_token_verifies_with_its_role_and_scope() -> None:
    principal = TokenVerifier(SECRET).verify(issue_token(SECRET, "enterprise", "e42"))
    assert (principal.role, principal.enterprise_id, principal.judge_id) == (
        "enterprise",
        "e42",
        None,
    )


def test_an_expired_token_is_refused() -> None:
    token = issue_token(SECRET, "admin", ttl=timedelta(seconds=-1))
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
