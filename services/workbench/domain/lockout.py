"""When sign-in failures lock an account or an address.

``limit`` failures within ``window`` lock for ``lock`` from the failure that reached the limit.
Attempts refused while locked are not failures: they do not make the lock longer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.workbench.domain.errors import AccountLocked, AddressLocked
from shared.clock import SHANGHAI, as_utc


@dataclass(frozen=True)
class Lockout:
    limit: int
    window: timedelta = timedelta(minutes=15)
    lock: timedelta = timedelta(minutes=15)

    def locked_until(self, failures: Sequence[datetime], now: datetime) -> datetime | None:
        """The end of the lock in force at ``now``, or ``None``; ``failures`` are the times of
        the failed attempts (any order), at least those since ``now - window - lock``."""
        ordered = sorted(failures)
        for index in range(self.limit - 1, len(ordered)):
            reached = ordered[index]
            if reached - ordered[index - self.limit + 1] < self.window:
                until = reached + self.lock
                if until > now:
                    return until
        return None

    def looks_back(self) -> timedelta:
        """How far back failures can still count towards a lock in force now."""
        return self.window + self.lock


PER_ACCOUNT = Lockout(limit=5)
PER_ADDRESS = Lockout(limit=20)


def failures_since(now: datetime) -> datetime:
    """The earliest failure that can still count towards a lock in force at ``now``."""
    return now - max(PER_ADDRESS.looks_back(), PER_ACCOUNT.looks_back())


def lock_in_force(
    now: datetime, address_failures: Sequence[datetime], account_failures: Sequence[datetime]
) -> AddressLocked | AccountLocked | None:
    """The refusal for a lock in force at ``now``, for the caller to record and answer, or
    None: the address's lock first, then the account's (no account: no failures of its own)."""
    until = PER_ADDRESS.locked_until(address_failures, now)
    if until is not None:
        return AddressLocked.until(shown(until))
    until = PER_ACCOUNT.locked_until(account_failures, now)
    if until is not None:
        return AccountLocked.until(shown(until))
    return None


def shown(moment: datetime) -> str:
    """A lock's end as a person in Jiaxing reads it."""
    return as_utc(moment).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
