"""``jiangong``: run the platform embedded, or one service's HTTP side or worker, migrate,
replay read models, and issue tokens. ``jiangong COMMAND --help`` explains each command."""

from __future__ import annotations

import argparse
import logging
import re
import signal
import socket
import sys
import threading
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from jiangong.services import SERVICE_MODULES, UnknownService, available
from jiangong.serving import THREADS
from shared.logs import configure_logging
from shared.settings import SERVICE_PORTS, ConfigurationError, Settings

if TYPE_CHECKING:
    from jiangong.platform import EmbeddedPlatform

log = logging.getLogger("jiangong")

SCOPES = {"enterprise": "enterprise", "judge": "judge", "assessor": "assessor"}
"""The scoped roles and the option naming each one's scope (``--enterprise ID``...)."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigurationError as error:
        print(f"jiangong: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    try:
        result: int = args.run(settings, args)
    except ConfigurationError as error:  # e.g. production refusing SQLite: say what to set
        print(f"jiangong: {error}", file=sys.stderr)
        return 2
    return result


def _service(name: str) -> str:
    """A service of this checkout (argparse's ``type``): anything else is refused by name."""
    if name in SERVICE_MODULES and name in available():
        return name
    raise argparse.ArgumentTypeError(str(UnknownService(name)))


def _services_here() -> str:
    return ", ".join(available())


def _service_argument(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "service", type=_service, metavar="SERVICE", help=f"{what}: {_services_here()}"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jiangong",
        description="Jiangong: labour competitions, skill promotion and the union's targets. "
        "Configuration comes from JIANGONG_* environment variables (see the README).",
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    up = commands.add_parser(
        "up",
        help="run every service embedded in one process (SQLite, in-process bus, one port)",
        description="Run the whole platform in one process: every service on its own SQLite "
        "file in JIANGONG_DATA_DIR (default ./var), mounted under /registry, /competitions, "
        "/certification, /workbench and / , with the relays, consumers and scheduled jobs in "
        "background threads. Migrates first. Ctrl-C stops cleanly: running batches finish, the "
        "outboxes are drained.",
    )
    up.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    up.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    up.add_argument(
        "--threads",
        type=_at_least_one,
        default=THREADS,
        help=f"requests answered at once by the HTTP server, waitress ({THREADS}); an open "
        "dashboard stream holds one for as long as it lasts, so streams may take three "
        "quarters of them (unless JIANGONG_DASHBOARD_MAX_STREAMS says otherwise)",
    )
    up.add_argument(
        "--demo", action="store_true", help="load demo data for Jiaxing (a believable year)"
    )
    up.set_defaults(run=_up)

    serve = commands.add_parser(
        "serve",
        help="run one service's HTTP API under gunicorn (distributed mode)",
        description="Serve one service's API under gunicorn. Its database is DATABASE_URL; "
        "its relay, consumers and jobs run in `jiangong worker SERVICE`.",
    )
    _service_argument(serve, "the service to serve")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (0.0.0.0)")
    ports = ", ".join(f"{name} {SERVICE_PORTS[name]}" for name in available())
    serve.add_argument("--port", type=int, help=f"port (by default: {ports})")
    serve.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (2)")
    serve.set_defaults(run=_serve)

    worker = commands.add_parser(
        "worker",
        help="run one service's relay, consumers and scheduled jobs over Kafka",
        description="Run the outbox relay, the event consumers and the scheduled jobs of one "
        "service, against KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL, and serve its metrics on "
        "a port of its own (it has no HTTP API). Stops cleanly on SIGTERM.",
    )
    _service_argument(worker, "the service whose worker to run")
    metrics_ports = ", ".join(f"{name} {SERVICE_PORTS[name] + 1000}" for name in available())
    worker.add_argument(
        "--metrics-port",
        type=int,
        metavar="PORT",
        help="port on which the worker serves /metrics (Prometheus text format: its consumer, "
        "relay, job and outbox figures), the only path it serves; by default the service's "
        f"port + 1000 ({metrics_ports}); 0 serves none",
    )
    worker.add_argument(
        "--metrics-host",
        default="0.0.0.0",
        metavar="HOST",
        help="address /metrics listens on (0.0.0.0, so that a scraper in another container "
        "reaches it; it then asks for a bearer token, as the API's /metrics does, and a "
        "request from loopback needs none)",
    )
    worker.set_defaults(run=_worker)

    migrate = commands.add_parser(
        "migrate",
        help="bring services' databases to the latest migration",
        description="Apply each service's Alembic migrations to its database.",
    )
    migrate.add_argument(
        "services",
        nargs="*",
        type=_service,
        metavar="SERVICE",
        help=f"services to migrate (default: all of {_services_here()})",
    )
    migrate.set_defaults(run=_migrate)

    topics = commands.add_parser(
        "topics",
        help="create the event topics on Kafka (distributed mode, once before the workers)",
        description="Create each service's event topic (jiangong.SERVICE) and each consumer's "
        "dead-letter topic (jiangong.dlq.SERVICE) on KAFKA_BOOTSTRAP_SERVERS, with their "
        "partition counts. Topics that exist are left as they are; run it again at will.",
    )
    topics.add_argument(
        "--partitions",
        type=int,
        default=4,
        help="partitions of each event topic (4): events of one aggregate keep their order "
        "within a partition, and a consumer group reads at most this many in parallel",
    )
    topics.set_defaults(run=_topics)

    replay = commands.add_parser(
        "replay",
        help="rebuild a service's read models from the event topics",
        description="Empty the service's read models and its inbox, then apply every retained "
        "event of the topics it consumes again. Stop the service's worker first (embedded: "
        "stop `jiangong up`; replay refuses while it runs on the data dir).",
    )
    _service_argument(replay, "the service whose read models to rebuild")
    replay.set_defaults(run=_replay)

    reconcile = commands.add_parser(
        "reconcile",
        help="recount a service's kept counts from its tables and correct any drift",
        description="Recount the counts the service keeps as the facts change (the registry's "
        "union counts) from its tables, print each one that drifted (kept, recounted), and "
        "correct it. Exit status 1 when some count had drifted. Safe while the service runs: "
        "writes wait for the correction.",
    )
    _service_argument(reconcile, "the service whose counts to reconcile")
    reconcile.set_defaults(run=_reconcile)

    letters = commands.add_parser(
        "dead-letters",
        help="list the events a service's consumer could not apply",
        description="List the dead letters of a service's consumer, oldest first: the event's "
        "type, id and subject, where it came from and the error (never its data). Embedded "
        "they are kept in the data dir; over Kafka they are read from jiangong.dlq.SERVICE.",
    )
    _service_argument(letters, "the service whose consumer's dead letters to list")
    letters.add_argument("--limit", type=int, default=50, help="show the newest N (50)")
    letters.set_defaults(run=_dead_letters)

    problems = commands.add_parser(
        "problems",
        help="print the catalogue of problem types the services answer with (Markdown)",
        description="Print every rule a service refuses a request by: its problem type "
        "(/problems/...), HTTP status, title and the service, as a Markdown table "
        "(docs/problems.md is this output).",
    )
    problems.set_defaults(run=_problems)

    translations = commands.add_parser(
        "translations",
        help="list the rules and kernel messages that have no Chinese translation yet",
        description="Print, as .po entries to fill in, every rule title and default detail, "
        "kernel message and identifier message that shared/locale/zh/LC_MESSAGES/messages.po "
        "does not translate yet. Exits 1 when any is missing.",
    )
    translations.set_defaults(run=_translations)

    token = commands.add_parser("token", help="issue bearer tokens")
    token_commands = token.add_subparsers(required=True, metavar="ACTION")
    issue = token_commands.add_parser(
        "issue",
        help="print a signed token (alone on the last line)",
        description="Print a JWT signed with JIANGONG_SECRET (embedded: the secret generated in "
        "the data dir), for the given role and its scope.",
    )
    issue.add_argument(
        "--role", required=True, choices=["admin", "enterprise", "judge", "assessor", "reader"]
    )
    scope = issue.add_mutually_exclusive_group()
    scope.add_argument("--enterprise", help="enterprise id (needed by role enterprise)")
    scope.add_argument("--judge", help="judge id (needed by role judge)")
    scope.add_argument("--assessor", help="assessor id (needed by role assessor)")
    issue.add_argument("--ttl", default="8h", help="lifetime: 30m, 8h, 12h at most (8h)")
    issue.add_argument("--subject", help="the token's sub (default: role and scope)")
    issue.set_defaults(run=_token_issue)
    if "workbench" in available():
        from jiangong.accounts import add_commands

        add_commands(commands, SCOPES)
    return parser


def _up(settings: Settings, args: argparse.Namespace) -> int:
    """The port first, then the data dir: a second ``up`` on either stops here, saying which,
    before any database, relay, consumer or job is touched. Connections made while the
    platform starts wait in the listening queue; waitress answers them once it is up."""
    from jiangong.platform import DataDirInUse, DataDirLock, EmbeddedPlatform
    from jiangong.server_limits import BACKLOG, Limits, within_open_file_limit
    from jiangong.serving import HttpServer, keep_start_up_heap, stop_on_signals, trusting_proxies
    from shared.logs import AccessLog

    limits = within_open_file_limit(Limits(max_body_bytes=settings.max_upload_bytes))
    try:
        family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
        listening = socket.create_server((args.host, args.port), family=family, backlog=BACKLOG)
    except OSError as error:
        print(
            f"jiangong up: cannot listen on {args.host}:{args.port}: {error.strerror or error}. "
            "Another `jiangong up` or another program uses it: stop it, or choose --port.",
            file=sys.stderr,
        )
        return 2
    lock = DataDirLock(settings.data_dir)
    try:
        lock.acquire()
    except DataDirInUse as error:
        listening.close()
        print(f"jiangong up: {error}", file=sys.stderr)
        return 2
    try:
        platform = EmbeddedPlatform(streams_within(settings, args.threads))
        platform.start()  # first: a service's demo may wait for what another's demo announces
        if args.demo:
            platform.load_demo()
        say_if_no_admin(platform)
        app = AccessLog(trusting_proxies(platform.wsgi, settings.trusted_proxies))
        server = HttpServer(app, listening, threads=args.threads, limits=limits)
        keep_start_up_heap()
        stop_on_signals(server)
        print(
            f"Jiangong is up on http://{args.host}:{server.port}/ "
            f"(services: {', '.join(platform.apps)}; data in {settings.data_dir}). "
            "Ctrl-C stops.",
            flush=True,
        )
        server.serve()
        print("Stopping: finishing running work and draining the outboxes...", flush=True)
        server.close()
        platform.stop()
    finally:
        listening.close()
        lock.release()
    print("Stopped.", flush=True)
    return 0


def say_if_no_admin(platform: EmbeddedPlatform) -> None:
    """With the workbench and no admin account, how to make one."""
    if "workbench" in platform.apps:
        from jiangong.accounts import ADMIN_HINT, admin_missing

        if admin_missing(platform.apps["workbench"]):
            print(ADMIN_HINT, flush=True)


MAX_STREAMS = "JIANGONG_DASHBOARD_MAX_STREAMS"


def streams_within(settings: Settings, threads: int) -> Settings:
    """The settings ``up`` runs with: unless ``JIANGONG_DASHBOARD_MAX_STREAMS`` says otherwise,
    the dashboard's open streams take at most three quarters of the server's threads (an open
    stream holds one), so that a room of open dashboards never leaves the API unanswered; a
    stream beyond them is answered 503 and its page tries again."""
    if MAX_STREAMS in settings.extra:
        return settings
    streams = max(1, threads - max(1, threads // 4))
    return replace(settings, extra={**settings.extra, MAX_STREAMS: str(streams)})


def _at_least_one(text: str) -> int:
    """A count of 1 or more (argparse's ``type``)."""
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of 1 or more")
    return count


def _stop_on_signals() -> threading.Event:
    """An event SIGINT or SIGTERM sets, from now on: taken before anything starts, so that a
    signal arriving while it starts stops it cleanly too."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def _wait_for(stop: threading.Event) -> None:
    while not stop.wait(0.5):
        pass


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from gunicorn.app.base import BaseApplication

    from jiangong.platform import definition, has_worker
    from jiangong.serving import keep_start_up_heap, trusting_proxies
    from shared.app import create_app
    from shared.buses import bus_for
    from shared.logs import AccessLog, logging_dict_config
    from shared.runtime import runtime_of

    service = definition(args.service)
    port = args.port or SERVICE_PORTS[args.service]

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{args.host}:{port}")
            self.cfg.set("workers", args.workers)
            # the request lines come from AccessLog (no query string, the request id), and
            # gunicorn's own lines are formatted as the platform's are
            self.cfg.set(
                "logconfig_dict", logging_dict_config(settings.log_level, settings.log_format)
            )
            if args.service == "dashboard":  # a live stream holds a thread, not a process
                self.cfg.set("worker_class", "gthread")
                self.cfg.set("threads", 64)

        def load(self):  # type: ignore[no-untyped-def]
            app = create_app(service, settings)
            if settings.bus_kind == "kafka" and has_worker(app):  # the workbench needs no bus
                runtime_of(app).bus_ping = bus_for(settings, f"{args.service}-http").ping
            proxied = trusting_proxies(app.wsgi_app, settings.trusted_proxies)
            app.wsgi_app = AccessLog(proxied)  # type: ignore[method-assign]
            keep_start_up_heap()  # in each gunicorn worker, as it loads its app
            return app

    settings.refuse_unfit_for_production(args.service)  # here, not in each gunicorn worker
    Server().run()
    return 0


def _worker(settings: Settings, args: argparse.Namespace) -> int:
    from jiangong.platform import definition, has_worker
    from jiangong.serving import keep_start_up_heap
    from shared.app import create_app
    from shared.buses import bus_for
    from shared.metrics import serve_metrics_over_http
    from shared.service import ServiceWorker

    if settings.bus_kind != "kafka":
        print(
            "jiangong worker needs KAFKA_BOOTSTRAP_SERVERS (embedded, use `jiangong up`).",
            file=sys.stderr,
        )
        return 2
    port = SERVICE_PORTS[args.service] + 1000 if args.metrics_port is None else args.metrics_port
    if not 0 <= port <= 65535:
        print(f"jiangong worker: --metrics-port {port} is no port (0 to 65535)", file=sys.stderr)
        return 2
    stop = _stop_on_signals()
    app = create_app(definition(args.service), settings)
    if not has_worker(app):
        print(f"jiangong worker: {args.service} relays, consumes and schedules nothing")
        return 0
    bus = bus_for(settings, args.service)
    worker = ServiceWorker(app, bus)  # its consumer and relay are in the metrics from here on
    metrics = None
    if port:  # before the start: a port in use stops the worker before it takes any work
        try:
            metrics = serve_metrics_over_http(app, args.metrics_host, port)
        except OSError as error:
            bus.close()
            print(
                f"jiangong worker: cannot serve metrics on {args.metrics_host}:{port}: "
                f"{error.strerror or error}. Stop what uses it, or choose another "
                "--metrics-port (0 serves none).",
                file=sys.stderr,
            )
            return 2
    worker.start()
    keep_start_up_heap()
    where = f"http://{args.metrics_host}:{port}/metrics" if metrics else "not served"
    log.info(
        "%s worker running (relay, consumers, jobs; metrics %s); SIGTERM stops it",
        args.service,
        where,
    )
    _wait_for(stop)
    worker.stop()
    bus.close()
    if metrics is not None:
        metrics.shutdown()
        metrics.server_close()
    return 0


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from jiangong.platform import available, definition
    from shared.app import create_app
    from shared.runtime import migrate

    for name in args.services or available():
        migrate(create_app(definition(name), settings))
        print(f"{name}: at the latest migration")
    return 0


def _replay(settings: Settings, args: argparse.Namespace) -> int:
    from jiangong.platform import DataDirInUse, DataDirLock, EmbeddedPlatform, definition
    from shared.app import create_app
    from shared.buses import bus_for
    from shared.service import ServiceWorker

    service = definition(args.service)
    if not service.consumes():
        print(f"{args.service}: consumes no events, so it has no read models to rebuild")
        return 0
    if settings.bus_kind == "kafka":
        app = create_app(service, settings)
        bus = bus_for(settings, f"{args.service}-replay")
        count = ServiceWorker(app, bus).replay()
        bus.close()
    else:
        try:
            with DataDirLock(settings.data_dir):
                platform = EmbeddedPlatform(settings)
                worker = next(w for w in platform.workers if w.definition.name == args.service)
                count = worker.replay()
                platform.bus.close()
        except DataDirInUse as error:
            print(f"jiangong replay: {error}", file=sys.stderr)
            return 2
    print(f"{args.service}: read models rebuilt from {count} events")
    return 0


RECONCILE_JOB = "reconcile-counts"


def _reconcile(settings: Settings, args: argparse.Namespace) -> int:
    from jiangong.platform import definition
    from shared.app import create_app

    service = definition(args.service)
    job = next((job for job in service.jobs if job.id == RECONCILE_JOB), None)
    if job is None:
        print(f"{args.service}: keeps no counts to reconcile")
        return 0
    drifts = job.run(create_app(service, settings))
    if not drifts:
        print(f"{args.service}: every kept count equals its recount")
        return 0
    print(f"{args.service}: {len(drifts)} kept counts had drifted, now corrected:")
    print(_table([drifts[0]._fields, *drifts]))
    return 1


def _table(rows: list[tuple[object, ...]]) -> str:
    """Rows as text columns, each as wide as its widest cell."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[column]) for row in cells) for column in range(len(cells[0]))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )


def _dead_letters(settings: Settings, args: argparse.Namespace) -> int:
    from shared.buses import bus_for

    bus = bus_for(settings, f"{args.service}-dlq")
    letters = bus.dead_letters(args.service)
    bus.close()
    if not letters:
        print(f"{args.service}: no dead letters")
        return 0
    shown = letters[-args.limit :]
    print(f"{args.service}: {len(letters)} dead letters, the newest {len(shown)}:")
    for letter in shown:
        print(
            f"{letter['at']}  {letter['type']}  subject {letter['subject']}  id {letter['id']}  "
            f"from {letter['topic']}@{letter['position']}\n    {letter['error']}"
        )
    return 0


def parse_ttl(text: str) -> timedelta:
    match = re.fullmatch(r"(\d+)([smhd])", text.strip())
    if not match:
        raise SystemExit(f"--ttl {text!r}: use a number and s, m, h or d (e.g. 8h)")
    amount, unit = int(match[1]), match[2]
    return timedelta(**{{"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[unit]: amount})


def _topics(settings: Settings, args: argparse.Namespace) -> int:
    from jiangong.platform import definition
    from shared.events import dead_letter_topic, topic_of
    from shared.kafka_admin import KafkaAdmin

    if not settings.kafka_bootstrap_servers:
        print("jiangong topics needs KAFKA_BOOTSTRAP_SERVERS (embedded, there are none).")
        return 2
    wanted: dict[str, int] = {}
    for name in available():
        service = definition(name)
        if service.produces:
            wanted[topic_of(name)] = args.partitions
        if service.consumes():
            wanted[dead_letter_topic(name)] = 1  # read whole, oldest first, by `dead-letters`
    admin = KafkaAdmin(settings.kafka_bootstrap_servers, "jiangong-topics")
    for topic, created in admin.create_topics(wanted).items():
        said = f"created with {wanted[topic]} partition(s)" if created else "exists"
        print(f"{topic}: {said}")
    return 0


def _problems(_settings: Settings, _args: argparse.Namespace) -> int:
    from jiangong.platform import problem_catalogue

    print(problem_catalogue())
    return 0


def _token_issue(settings: Settings, args: argparse.Namespace) -> int:
    from shared.auth import issue_token

    scope = args.enterprise or args.judge or args.assessor
    needed = SCOPES.get(args.role)
    given = next((option for option in SCOPES.values() if getattr(args, option)), None)
    if needed and not getattr(args, needed):
        print(f"jiangong token issue: {_a(args.role)} token needs --{needed} ID", file=sys.stderr)
        return 2
    if given and given != needed:
        print(
            f"jiangong token issue: --{given} is for {_a(given)} token, not {_a(args.role)} one",
            file=sys.stderr,
        )
        return 2
    try:
        token = issue_token(settings.secret, args.role, scope, parse_ttl(args.ttl), args.subject)
    except ValueError as error:
        print(f"jiangong token issue: {error}", file=sys.stderr)
        return 2
    print(f"# {args.role} token, valid for {args.ttl}", file=sys.stderr)
    print(token)
    return 0


def _a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def _translations(_settings: Settings, _args: argparse.Namespace) -> int:
    from jiangong.platform import definition
    from shared.i18n import as_po_entries, missing_translations

    for name in available():
        definition(name)  # loads the service's rules
    missing = missing_translations("zh")
    if not missing:
        print("every rule and kernel message has a Chinese translation")
        return 0
    print(as_po_entries(missing))
    return 1


if __name__ == "__main__":
    sys.exit(main())
