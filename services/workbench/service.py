"""The workbench (工作台) as the runner sees it.

The pages people work in: sign-in, 我的账号 and the desks, over the other services' public
APIs with the signed-in person's token. It owns people's accounts, their sessions and the
sign-in log, produces and consumes no events and runs no jobs. See ``README.md`` beside this
file.
"""

from pathlib import Path

from services.workbench.adapters.orm import db, kernel
from services.workbench.config import WorkbenchConfig
from services.workbench.demo import load_demo
from services.workbench.handlers import HANDLERS
from services.workbench.pages import account, clerk, home, shell, signing_in
from services.workbench.wiring import attach
from shared.runtime import ServiceDefinition

SERVICE = ServiceDefinition(
    name="workbench",
    db=db,
    kernel=kernel,
    migrations=Path(__file__).parent / "migrations",
    title="Jiangong workbench",
    description="The pages union staff, enterprise clerks, judges and assessors work in; "
    "people's accounts and sessions.",
    handlers=HANDLERS,
    pages=(shell.bp, home.bp, signing_in.bp, account.bp, clerk.bp),
    config=WorkbenchConfig.from_settings,
    pages_setup=attach,
    load_demo=load_demo,
)
