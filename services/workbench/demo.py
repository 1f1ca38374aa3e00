"""The demo's accounts (``jiangong up --demo``): an admin, a clerk of the demo's first
enterprise, a judge of the demo's skill contest and an assessor, each with a random password,
printed once, when they are made. Loading it again makes nothing and prints no password."""

from __future__ import annotations

import logging
from dataclasses import replace

from flask import Flask
from sqlalchemy import select

from services.workbench.adapters.orm import Account, db
from services.workbench.client import client_of
from services.workbench.commands import CreateAccount
from services.workbench.domain.passwords import one_time_password
from services.workbench.scopes import first_of
from shared.runtime import run

log = logging.getLogger(__name__)


def demo_accounts(app: Flask) -> list[CreateAccount]:
    client = client_of(app)
    enterprise = first_of(client, "registry", "/enterprises")
    assessor = first_of(client, "certification", "/assessors")
    wanted = [
        CreateAccount("admin", "联合会管理员", "admin"),
        CreateAccount("clerk", "单位经办人", "enterprise", enterprise),
        CreateAccount("judge", "竞赛评委", "judge", "judge-cnc-1"),
        CreateAccount("assessor", "技能考评员", "assessor", assessor),
    ]
    return [account for account in wanted if account.scope_id or account.role == "admin"]


def load_demo(app: Flask) -> None:
    with app.app_context():
        known = set(db.session.scalars(select(Account.login)))
        db.session.remove()
    made = []
    for account in demo_accounts(app):
        if account.login in known:
            continue
        password = one_time_password()
        run(app, replace(account, password=password))
        made.append((account, password))
    if not made:
        print("Demo accounts exist already (`jiangong accounts reset --login L`: a new password).")
        return
    print("Demo accounts for the workbench (/workbench/login); the passwords are shown only now:")
    for account, password in made:
        scope = f" for {account.scope_id}" if account.scope_id else ""
        print(f"  {account.login:<9} {password}   {account.role}{scope}")
