"""The workbench's rules in pure Python: passwords, lockouts, a session's life."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.workbench.adapters.repository import common_passwords
from services.workbench.domain.errors import CommonPassword, PasswordIsLogin, WeakPassword
from services.workbench.domain.lockout import PER_ACCOUNT, PER_ADDRESS
from services.workbench.domain.passwords import check_password, one_time_password
from services.workbench.domain.sessions import IDLE, LIFETIME, SessionTimes, why_ended

NOW = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def test_a_password_needs_ten_characters() -> None:
    with pytest.raises(WeakPassword) as refused:
        check_password("short-pw1", "13800000001", common_passwords())
    assert refused.value.errors == {"password": [refused.value.detail]}
    check_password("ten chars!", "13800000001", common_passwords())


def test_a_password_may_not_be_the_login_in_any_case() -> None:
    with pytest.raises(PasswordIsLogin):
        check_password("Wang.Jianguo", "wang.jianguo", common_passwords())


@pytest.mark.parametrize("password", ["1234567890", "Password123", "woaini1314", "qwertyuiop"])
def test_a_common_password_is_refused(password: str) -> None:
    with pytest.raises(CommonPassword):
        check_password(password, "clerk", common_passwords())


def test_the_field_at_fault_is_the_one_the_form_names() -> None:
    with pytest.raises(WeakPassword) as refused:
        check_password("short", "clerk", common_passwords(), field="new_password")
    assert list(refused.value.errors or {}) == ["new_password"]


def test_a_one_time_password_keeps_the_rules_and_differs_each_time() -> None:
    made = {one_time_password() for _ in range(50)}
    assert len(made) == 50
    for password in made:
        check_password(password, "clerk", common_passwords())


def test_four_failures_do_not_lock_and_the_fifth_locks_for_fifteen_minutes() -> None:
    failures = [NOW - 10 * MINUTE + n * MINUTE for n in range(4)]
    assert PER_ACCOUNT.locked_until(failures, NOW) is None
    failures.append(NOW)
    assert PER_ACCOUNT.locked_until(failures, NOW) == NOW + 15 * MINUTE
    assert PER_ACCOUNT.locked_until(failures, NOW + 14 * MINUTE) == NOW + 15 * MINUTE
    assert PER_ACCOUNT.locked_until(failures, NOW + 15 * MINUTE) is None


def test_five_failures_spread_over_more_than_the_window_do_not_lock() -> None:
    failures = [NOW - n * 4 * MINUTE for n in range(5)]  # 16 minutes from first to last
    assert PER_ACCOUNT.locked_until(failures, NOW) is None


def test_an_address_is_locked_after_twenty_failures_not_five() -> None:
    failures = [NOW - n * 10 * timedelta(seconds=1) for n in range(19)]
    assert PER_ADDRESS.locked_until(failures, NOW) is None
    assert PER_ADDRESS.locked_until([*failures, NOW], NOW) == NOW + 15 * MINUTE


def test_a_session_ends_idle_after_thirty_minutes_and_in_all_after_twelve_hours() -> None:
    fresh = SessionTimes(NOW, NOW)
    assert why_ended(fresh, NOW + IDLE - MINUTE, True) is None
    assert why_ended(fresh, NOW + IDLE, True) == "idle"
    busy = SessionTimes(NOW, NOW + LIFETIME - MINUTE)
    assert why_ended(busy, NOW + LIFETIME, True) == "expired"
    assert why_ended(fresh, NOW, False) == "disabled"
