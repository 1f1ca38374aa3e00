"""The workbench's database: people's accounts, their signed-in sessions and the append-only
sign-in log, beside the kernel's outbox and inbox (which it leaves empty: see README.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import make_db
from shared.tables import Position, kernel_tables

db = make_db()
kernel = kernel_tables(db.metadata)
Model: Any = db.Model


class Account(Model):
    """A person who signs in: a login, a display name, a role and its scope."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    scope_id: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SignedInSession(Model):
    """A browser's session: the cookie holds a random secret, the row only its SHA-256."""

    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_account_live", "account_id", "ended_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    """A handle to name the session by (我的账号 lists them), not the cookie's secret."""
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_because: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(200))


class SignInLogEntry(Model):
    """What happened: a sign-in, a failure, a lock, a sign-out, an account change. Never a
    password, never what was typed as a login that matches no account. The database refuses
    to change or delete a row (migration 0002's triggers)."""

    __tablename__ = "sign_in_log"
    __table_args__ = (
        Index("ix_sign_in_log_account", "account_id", "kind", "at"),
        Index("ix_sign_in_log_address", "address", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(Position, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(64))
    by: Mapped[str] = mapped_column(String(64))
    """Who did it: ``self`` (the person), ``operator`` (the ``jiangong`` command), ``system``."""
    detail: Mapped[str | None] = mapped_column(String(200))
