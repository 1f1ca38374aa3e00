"""``jiangong accounts``: the workbench's accounts, made and kept by an operator. Each works
while the platform runs, as ``token issue`` does: it opens the workbench's database itself, and
asks the registry (an enterprise) or certification (an assessor) whether the scope exists
through the workbench's client, in-process on the embedded data dir, or at the services' base
URLs (``JIANGONG_<SERVICE>_BASE_URL``)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from jiangong.services import available, definition
from shared.app import create_app
from shared.auth import ROLES
from shared.errors import DomainError
from shared.runtime import PLATFORM_WSGI, migrate, run
from shared.settings import Settings

SCOPE_OWNERS = ("registry", "certification")


def add_commands(commands: argparse._SubParsersAction, scopes: dict[str, str]) -> None:
    accounts = commands.add_parser("accounts", help="the workbench's accounts (people who sign in)")
    actions = accounts.add_subparsers(required=True, metavar="ACTION")
    create = actions.add_parser(
        "create",
        help="make an account; without --password-stdin it prints a one-time password",
        description="Make an account for the workbench. Without --password-stdin a one-time "
        "password is printed (alone on the last line), to be changed at the first sign-in. "
        "An enterprise clerk's enterprise must exist in the registry, an assessor's assessor "
        "in certification.",
    )
    create.add_argument("--login", required=True, help="what the person signs in with")
    create.add_argument("--name", required=True, help="the name shown on every page")
    create.add_argument("--role", required=True, choices=ROLES)
    scope = create.add_mutually_exclusive_group()
    for option in scopes.values():
        scope.add_argument(f"--{option}", metavar="ID", help=f"{option} id (role {option})")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    create.set_defaults(run=_create)
    listing = actions.add_parser("list", help="every account, with its role, scope and state")
    listing.set_defaults(run=_list)
    for name, text, run_it in (
        ("disable", "disable an account: its sessions end at their next request", _disable),
        ("reset", "a new one-time password (printed); the account's sessions end", _reset),
    ):
        action = actions.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        action.add_argument("--login", required=True)
        action.set_defaults(run=run_it)


def workbench_app(settings: Settings) -> Flask:
    """The workbench's app on its database, migrated, its client wired to the scopes' owners."""
    app = create_app(definition("workbench"), settings)
    migrate(app)
    owners: dict[str, Any] = {
        f"/{name}": create_app(definition(name), settings) for name in _in_process(settings)
    }
    if owners:
        app.config[PLATFORM_WSGI] = DispatcherMiddleware(NotFound(), owners)
    return app


def _in_process(settings: Settings) -> list[str]:
    given = {n for n in SCOPE_OWNERS if settings.extra.get(f"JIANGONG_{n.upper()}_BASE_URL")}
    return [name for name in SCOPE_OWNERS if name in available() and name not in given]


def _create(settings: Settings, args: argparse.Namespace) -> int:
    from services.workbench.client import ServiceUnavailable, client_of
    from services.workbench.commands import CreateAccount
    from services.workbench.scopes import scope_exists

    scope = args.enterprise or args.judge or args.assessor
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
    app = workbench_app(settings)
    try:
        if not scope_exists(client_of(app), args.role, scope):
            return _refused(f"there is no {args.role} {scope!r} (checked with its service)")
    except ServiceUnavailable as error:
        return _refused(f"cannot check the {args.role} {scope!r}: {error}")
    try:
        _, one_time = run(app, CreateAccount(args.login, args.name, args.role, scope, password))
    except DomainError as error:
        return _refused(error.detail)
    print(f"account {args.login.strip()} created ({args.role}{_for(scope)})")
    if one_time:
        print("# its one-time password, to be changed at the first sign-in:", file=sys.stderr)
        print(one_time)
    return 0


def _list(settings: Settings, _args: argparse.Namespace) -> int:
    from services.workbench.adapters.queries import all_accounts

    app = workbench_app(settings)
    with app.app_context():
        accounts = all_accounts()
        if not accounts:
            print("no accounts yet: `jiangong accounts create --login L --name N --role admin`")
        for a in accounts:
            state = "active" if a.active else "disabled"
            change = ", must change password" if a.must_change_password else ""
            print(f"{a.login:<20} {a.display_name:<16} {a.role}{_for(a.scope_id)}  {state}{change}")
    return 0


def _disable(settings: Settings, args: argparse.Namespace) -> int:
    from services.workbench.commands import DisableAccount

    try:
        run(workbench_app(settings), DisableAccount(args.login))
    except DomainError as error:
        return _refused(error.detail)
    print(f"account {args.login} disabled; its sessions end at their next request")
    return 0


def _reset(settings: Settings, args: argparse.Namespace) -> int:
    from services.workbench.commands import ResetPassword

    try:
        _account, password = run(workbench_app(settings), ResetPassword(args.login))
    except DomainError as error:
        return _refused(error.detail)
    print(f"# account {args.login}: its sessions ended; a one-time password:", file=sys.stderr)
    print(password)
    return 0


def admin_missing(app: Flask) -> bool:
    from services.workbench.adapters.queries import has_admin

    with app.app_context():
        return not has_admin()


ADMIN_HINT = (
    "No workbench admin yet: `jiangong accounts create --login admin --name 管理员 --role admin` "
    "makes one and prints its one-time password."
)


def _for(scope_id: str | None) -> str:
    return f" for {scope_id}" if scope_id else ""


def _refused(message: str) -> int:
    print(f"jiangong accounts: {message}", file=sys.stderr)
    return 2
