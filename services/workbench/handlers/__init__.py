"""Workbench's ``HANDLERS``: ``BY_COMMAND`` wired to its SQL repository (services/README.md)."""

from __future__ import annotations

from typing import Any

from services.workbench.adapters.repository import SqlRepository
from services.workbench.commands import (
    ChangePassword,
    CreateAccount,
    DisableAccount,
    EndOtherSession,
    ResetPassword,
    ResumeSession,
    SignIn,
    SignOut,
)
from services.workbench.handlers import accounts, signing_in
from shared.handling import with_repository

BY_COMMAND: dict[type, Any] = {
    CreateAccount: accounts.create_account,
    DisableAccount: accounts.disable_account,
    ResetPassword: accounts.reset_password,
    ChangePassword: accounts.change_password,
    SignIn: signing_in.sign_in,
    ResumeSession: signing_in.resume_session,
    SignOut: signing_in.sign_out,
    EndOtherSession: signing_in.end_other_session,
}


HANDLERS = with_repository(BY_COMMAND, SqlRepository)
