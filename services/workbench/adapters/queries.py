"""What pages and the ``jiangong accounts`` command read: accounts and live sessions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from services.workbench.adapters.orm import Account, SignedInSession, db
from services.workbench.adapters.repository import SqlRepository


def live_sessions_of(account_id: str) -> Sequence[SignedInSession]:
    return SqlRepository(db.session()).live_sessions(account_id)


def all_accounts() -> Sequence[Account]:
    return db.session.scalars(select(Account).order_by(Account.role, Account.login)).all()


def has_admin() -> bool:
    query = select(Account.id).where(Account.role == "admin", Account.active.is_(True))
    return db.session.scalars(query).first() is not None
