"""Every service's OpenAPI document, fuzzed against the service itself (Schemathesis, in process,
through WSGI: no network), as an admin and as an enterprise: every check, a fixed seed, a bounded
number of examples per operation, the stateful phase on. The run ends with no failure of any
check and no error.

What the document says and what the server does must agree both ways: no request is a 500, every
answer matches the document (status, content type, headers, schema), a request the document
allows is not refused for its shape (a 422 about a field) and one it forbids is not accepted.

Some refusals of schema-valid data are the domain's by nature: a rule on stored facts (the worker
named does not exist, the competition is not open), on today (a date after today), or across
fields and items (two criteria with one code). JSON Schema cannot state them, so each operation
lists the rules (the problem's ``rule`` member) that may refuse data the document allows, in
:data:`DOMAIN_REFUSALS`; any other refusal of schema-valid data, and every validation 422 on it,
is a failure. Cross-field rules that a generated positive case can simply keep are kept by
:func:`keep_cross_field_rules` instead, so those cases still have to be accepted.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure
from schemathesis.engine import events, from_schema
from schemathesis.engine.run import PhaseName
from schemathesis.engine.statistic import Statistic
from schemathesis.generation.case import Case
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.transport.wsgi import WSGITransport

from services.certification.service import SERVICE as CERTIFICATION
from services.competitions.service import SERVICE as COMPETITIONS
from services.dashboard.service import SERVICE as DASHBOARD
from services.registry.service import SERVICE as REGISTRY
from shared.app import create_app
from shared.auth import issue_token
from shared.clock import today_in_shanghai
from shared.events import CATALOGUE, new_event, topic_of
from shared.identifiers import (
    FEMALE,
    MALE,
    USCC_ALPHABET,
    InvalidIdentifier,
    make_id_number,
    make_uscc,
    validate_id_number,
    validate_uscc,
)
from shared.inbox import Consumer, Delivery
from shared.regions import COUNTIES
from shared.runtime import ServiceDefinition, engine_of, migrate, runtime_of
from shared.settings import Settings
from tests.support.facts import enterprise_facts, worker_facts

SEED = 20_251_202
MAX_EXAMPLES = 12
"""Per operation and phase. With the stateful phase the whole file took about a minute at 20 on
a fast machine and two and a half on a slower one of the same kind, a sixth of the suite: 12
keeps every operation's boundaries (the coverage phase does not depend on it) and the suite
well under its 15 minutes."""
SERVICES: dict[str, ServiceDefinition] = {
    "registry": REGISTRY,
    "competitions": COMPETITIONS,
    "certification": CERTIFICATION,
    "dashboard": DASHBOARD,
}

# -- the registry's formats, so that positive data is valid ----------------------------------

_COUNTY = st.sampled_from(sorted(COUNTIES))
USCC = st.builds(
    lambda county, organisation: make_uscc("91" + county + organisation),
    _COUNTY,
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
)
ID_NUMBER = st.builds(
    make_id_number,
    _COUNTY,
    # born by 1933: aged 16 or more on any day the document lets a worker be hired (1950 on)
    st.dates(date(1900, 1, 1), date(1933, 12, 31)),
    st.integers(0, 99),
    st.sampled_from((MALE, FEMALE)),
)
schemathesis.openapi.format("uscc", USCC)
schemathesis.openapi.format("cn-resident-id", ID_NUMBER)


# -- the run --------------------------------------------------------------------------------


def config(auth: dict[str, Any]) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
            "checks": {"enabled": True},  # every check Schemathesis has
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": True, "max-steps": 8},
            },
            "auth": auth,
            # an event stream is read up to its first two events (the dashboard's never ends)
            "max-stream-events": 2,
            # Schemathesis puts string literals found in the app's Python source into string
            # fields, checked against the field's schema but not its ``format``: an occupation
            # code from a docstring lands in a ``format: date`` field as positive data. That is
            # the tool's false positive, not the document's, so the extraction is off.
            "analysis": {"constants": {"enabled": False}},
        }
    )


def as_admin(served: Served, _tmp_path: Path) -> dict[str, Any]:
    return {"openapi": {"bearerAuth": {"bearer": served.admin}}}


def as_enterprise(served: Served, tmp_path: Path) -> dict[str, Any]:
    """Every request as enterprise A; and, for the ``object_level_authorization`` check, what A
    reads of its own is asked for again as enterprise B, who must not get it."""
    users = [
        {
            "name": name,
            "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {token}"}],
        }
        for name, token in (("enterprise-a", served.enterprise), ("enterprise-b", served.other))
    ]
    path = tmp_path / "identities.json"
    path.write_text(json.dumps({"auth": users}), encoding="utf-8")
    return {
        "wfc": {
            "path": str(path),
            "user": "enterprise-a",
            "peers": ["enterprise-a", "enterprise-b"],
        }
    }


ROLES: dict[str, Callable[[Served, Path], dict[str, Any]]] = {
    "admin": as_admin,
    "enterprise": as_enterprise,
}


@dataclass
class Run:
    service: str
    role: str
    operations: set[str] = field(default_factory=set)
    statistic: Statistic = field(default_factory=Statistic)
    stateful_cases: int = 0
    checks: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def figures(self) -> str:
        return (
            f"{self.service:<13} {self.role:<10} {len(self.operations):>3} operations "
            f"{self.statistic.total_cases:>6} cases ({self.stateful_cases:>4} stateful) "
            f"{len(self.checks):>2} checks "
            f"{self.statistic.total_failures:>3} failures {len(self.errors):>2} errors "
            f"{self.statistic.filtered_failures:>4} refusals excused {self.elapsed:6.1f}s"
        )

    def report(self) -> str:
        lines = [self.figures]
        for label, groups in self.statistic.failures.items():
            for group in groups.values():
                for failure in group.failures:
                    lines.append(f"- {label}: {failure.title} ({failure.code})")
                    lines.append(f"  {(failure.message or '').strip()[:600]}")
                    if group.code_sample:
                        lines.append(f"  {group.code_sample[:1500]}")
                    if group.response is not None:
                        body = group.response.content[:1200].decode("utf-8", "replace")
                        lines.append(f"  -> {group.response.status_code} {body}")
        lines.extend(f"- error: {error}" for error in self.errors)
        return "\n".join(lines)


def fuzz(service: str, role: str, served: Served, tmp_path: Path) -> Run:
    auth = ROLES[role](served, tmp_path)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", served.app, config=config(auth))
    schema.hook("map_case")(keep_cross_field_rules)
    schema.hook("filter_failure")(domain_refusals_only(service))
    run = Run(service, role)
    started = time.monotonic()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            run.statistic.on_scenario_finished(event.recorder)
            run.checks |= {c.name for checks in event.recorder.checks.values() for c in checks}
            if event.phase is PhaseName.STATEFUL_TESTING:
                run.stateful_cases += len(event.recorder.cases)
            elif event.recorder.cases:
                run.operations.add(event.recorder.label)
        elif isinstance(event, events.NonFatalError):
            run.errors.append(f"{event.label} ({event.phase}): {event.value!r}")
        elif isinstance(event, events.FatalError):
            run.errors.append(f"fatal: {event.exception!r}")
    run.elapsed = time.monotonic() - started
    return run


# -- what the document cannot state ---------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """A domain rule that may refuse a request the document allows: the problem's ``rule``
    (``None``: a validation problem, the domain's check run as the request is read), the field
    its ``errors`` name, and, where the rule may refuse only some such requests for a reason the
    document cannot state, which (``when``)."""

    rule: str | None
    field: str | None = None
    when: Callable[[Case], bool] | None = None

    def covers(self, problem: dict[str, Any], field: str | None, case: Case) -> bool:
        return (
            problem.get("rule") == self.rule
            and self.field in (field, ANY_FIELD)
            and (self.when is None or self.when(case))
        )


ANY_FIELD = "*"


def excused(refusals: tuple[Refusal, ...], problem: dict[str, Any], case: Case) -> bool:
    """Whether every field the problem names (or the problem itself, naming none) is refused
    by one of ``refusals``: a validation problem about another field is not excused."""
    fields_ = list(problem.get("errors") or {}) or [None]
    return all(any(r.covers(problem, name, case) for r in refusals) for name in fields_)


def _value(case: Case, name: str) -> Any:
    for part in (case.body, case.query, case.path_parameters):
        if isinstance(part, dict) and name in part:
            return part[name]
    return None


def not_a_valid(name: str, check: Callable[[str], Any]) -> Callable[[Case], bool]:
    """A value the field's check character or birth date refuses: the ``format`` states them
    (``uscc``, ``cn-resident-id``) and Schemathesis draws from the format's strategy, but its
    coverage phase builds values from ``pattern`` and lengths alone, and no pattern holds a
    MOD 31 or MOD 11-2 check."""

    def invalid(case: Case) -> bool:
        value = _value(case, name)
        if not isinstance(value, str):
            return False
        try:
            check("".join(value.split()).upper())
        except InvalidIdentifier:
            return True
        return False

    return invalid


def the_other_kinds_table(case: Case) -> bool:
    """A rules table sent to the other kind's path: OpenAPI 3.0 cannot tie a body to the value
    of a path parameter, so the document offers either table on either path."""
    kind = (case.path_parameters or {}).get("kind")
    table = case.body.get("body") if isinstance(case.body, dict) else None
    contest_shaped = isinstance(table, dict) and "bands" in table
    return (kind == "promotion") == contest_shaped


def after_today(name: str) -> Callable[[Case], bool]:
    """Dated after today in Asia/Shanghai: "not after today" moves, no fixed bound says it."""

    def dated(case: Case) -> bool:
        value = _value(case, name)
        return isinstance(value, str) and value > today_in_shanghai().isoformat()

    return dated


SPREADSHEET = (
    # a file's content: a header row and data rows, CSV or XLSX; no schema states a workbook
    Refusal("unusable_spreadsheet", "file"),
    Refusal("missing_columns", "file"),
    Refusal("unsupported_file", "file"),
)

DOMAIN_REFUSALS: dict[tuple[str, str], tuple[Refusal, ...]] = {
    # -- the registry: which regions exist (and at which level) is stored, as are the worker's
    # hiring date and employer and the enterprise's union; "not in the future" moves with today
    ("registry", "POST /api/v1/enterprises"): (
        Refusal(None, "uscc", not_a_valid("uscc", validate_uscc)),
        Refusal("unknown_region", "region_code"),
        Refusal("registry_invalid_value", "region_code"),  # the city's level: no enterprise there
        Refusal("registry_invalid_value", "union_founded_on", after_today("union_founded_on")),
    ),
    ("registry", "PATCH /api/v1/enterprises/{enterprise_id}"): (
        Refusal("unknown_region", "region_code"),
        Refusal("registry_invalid_value", "region_code"),
        Refusal("registry_invalid_value", "union_founded_on"),  # against the stored has_union
    ),
    ("registry", "GET /api/v1/enterprises"): (Refusal("unknown_region", "region_code"),),
    ("registry", "POST /api/v1/enterprises/{enterprise_id}/deregister"): (
        Refusal("registry_invalid_value", "deregistered_on"),  # after today, or before its start
    ),
    ("registry", "POST /api/v1/regions"): (
        Refusal("registry_invalid_value", "parent_code"),  # a stored county or town
        Refusal("registry_invalid_value", "code"),  # below the city: its counties are fixed
    ),
    ("registry", "GET /api/v1/workers"): (
        Refusal(None, "q", not_a_valid("q", validate_id_number)),  # digits: an ID number
    ),
    ("registry", "GET /api/v1/enterprises/{enterprise_id}/workers"): (
        Refusal(None, "q", not_a_valid("q", validate_id_number)),
    ),
    ("registry", "POST /api/v1/enterprises/{enterprise_id}/workers"): (
        Refusal(None, "id_number", not_a_valid("id_number", validate_id_number)),
        Refusal(None, "hired_on", after_today("hired_on")),
        Refusal(None, "union_joined_on", after_today("union_joined_on")),
    ),
    ("registry", "PATCH /api/v1/workers/{worker_id}"): (
        Refusal("registry_invalid_value", "union_joined_on"),  # against the stored membership
    ),
    ("registry", "POST /api/v1/workers/{worker_id}/leave"): (
        Refusal("registry_invalid_value", "left_on"),  # after today, or before the hiring
    ),
    ("registry", "POST /api/v1/workers/{worker_id}/transfer"): (
        Refusal("registry_invalid_value", "transferred_on"),  # after today, or before the hiring
        Refusal("registry_invalid_value", "enterprise_id"),  # its own employer already
    ),
    ("registry", "POST /api/v1/enterprises/{enterprise_id}/workers/import"): SPREADSHEET,
    ("registry", "POST /api/v1/enterprises/import"): SPREADSHEET,
    # -- competitions: the regions the registry announced, the workers an enterprise has, whether
    # a competition is open, which criteria and team size it has
    ("competitions", "POST /api/v1/competitions"): (
        Refusal("unknown_region", "region_code"),
        # across items and fields: two criteria with one code, two awards with one name, a
        # county competition in the city
        Refusal("invalid_competition_spec", None),
        Refusal("invalid_competition_spec", "region_code"),
    ),
    ("competitions", "PATCH /api/v1/competitions/{competition_id}"): (
        Refusal("unknown_region", "region_code"),
        Refusal("invalid_competition_spec", None),  # as on creation, with the draft's fields
        Refusal("invalid_competition_spec", "region_code"),
    ),
    ("competitions", "POST /api/v1/competitions/{competition_id}/judges"): (
        Refusal("judge_enterprise_unknown", "enterprise_id"),
    ),
    ("competitions", "POST /api/v1/competitions/{competition_id}/entries"): (
        Refusal("worker_not_in_enterprise", "worker_ids"),
        Refusal("worker_not_active", "worker_ids"),
        Refusal("team_size_out_of_range", "worker_ids"),
        Refusal("enterprise_not_active", "enterprise_id"),
        Refusal("enterprise_outside_county", "enterprise_id"),
    ),
    ("competitions", "PUT /api/v1/competitions/{competition_id}/entries/{entry_id}/scores"): (
        Refusal("marks_out_of_range", "marks"),
        Refusal("unknown_criterion", "marks"),
        Refusal("missing_criterion", "marks"),
    ),
    # -- certification: the workers the registry announced, the assessor's authorisations, today
    ("certification", "POST /api/v1/assessments"): (
        Refusal("assessment_in_future", "assessed_on", after_today("assessed_on")),
        Refusal("worker_not_active", "worker_id"),
    ),
    ("certification", "POST /api/v1/trainings"): (
        Refusal("training_in_future", "completed_on", after_today("completed_on")),
        Refusal("worker_not_active", "worker_id"),
    ),
    ("certification", "POST /api/v1/studios"): (
        Refusal("leader_not_in_enterprise", "leader_worker_id"),
        Refusal("leader_not_qualified", "leader_worker_id"),
    ),
    ("certification", "POST /api/v1/skill-leaders"): (Refusal("worker_not_active", "worker_id"),),
    ("certification", "PUT /api/v1/rules/{kind}"): (
        Refusal("invalid_rules_table", ANY_FIELD, the_other_kinds_table),
    ),
    (
        "certification",
        "POST /api/v1/assessors/{assessor_id}/authorisations/{authorisation_id}/end",
    ): (
        Refusal("invalid_value", "ended_on"),  # not before the stored first day
    ),
}
"""``(service, operation) -> refusals``: the domain rules that may refuse a request the document
allows, each for a reason JSON Schema cannot express (stored facts, today, across items)."""


def domain_refusals_only(service: str) -> Callable[..., bool]:
    def filter_failure(_ctx: Any, failure: Failure, case: Case, response: Any) -> bool:
        """Keep every failure but a schema-valid request refused by a rule listed for it."""
        if not isinstance(failure, RejectedPositiveData):
            return True
        try:
            problem = json.loads(response.content)
        except ValueError:
            return True
        refusals = DOMAIN_REFUSALS.get((service, case.operation.label), ())
        return not (isinstance(problem, dict) and excused(refusals, problem, case))

    return filter_failure


def _ordered(body: dict[str, Any], low: str, high: str) -> None:
    if body.get(low) is not None and body.get(high) is not None and body[low] > body[high]:
        body[low], body[high] = body[high], body[low]


def keep_cross_field_rules(_ctx: Any, case: Case) -> Case:
    """A positive case keeps the rules across fields that JSON Schema cannot state, so that the
    server must accept it (a negative one is left as drawn: it is meant to break something)."""
    meta = case.meta
    body: Any = case.body
    if meta is None or not meta.generation.mode.is_positive or not isinstance(body, dict):
        return case
    label = case.operation.label
    creating = ("POST /api/v1/competitions", "PATCH /api/v1/competitions/{competition_id}")
    if label in creating and isinstance(body.get("team_size"), dict):
        _ordered(body["team_size"], "min", "max")
    elif label == "POST /api/v1/assessors":
        for authorisation in body.get("authorisations") or []:
            if isinstance(authorisation, dict):
                _ordered(authorisation, "valid_from", "valid_until")
    elif label == "POST /api/v1/assessors/{assessor_id}/authorisations":
        _ordered(body, "valid_from", "valid_until")
    elif label == "PUT /api/v1/rules/{kind}" and isinstance(body.get("body"), dict):
        for band in body["body"].get("bands") or []:  # either max_rank or top_percent
            if isinstance(band, dict) and band.get("max_rank") is not None:
                band["top_percent"] = None
            elif isinstance(band, dict) and band.get("top_percent") is None:
                band["max_rank"] = 1
    elif label in ("POST /api/v1/enterprises", "PATCH /api/v1/enterprises/{enterprise_id}"):
        if body.get("has_union") is False:  # only an enterprise with a union founded one
            body["union_founded_on"] = None
    elif label in (
        "POST /api/v1/enterprises/{enterprise_id}/workers",
        "PATCH /api/v1/workers/{worker_id}",
    ):
        if body.get("is_union_member") is False:  # only a member joined
            body["union_joined_on"] = None
    elif label == "POST /api/v1/regions" and isinstance(body.get("parent_code"), str):
        code = body.get("code")
        if isinstance(code, str):  # a town's or village's code is its parent's and 3 digits
            body["code"] = body["parent_code"] + code[-3:]
    return case


# -- the services, with something for an enterprise to see ----------------------------------


@dataclass
class Served:
    app: Flask
    admin: str
    enterprise: str
    other: str
    """Another enterprise's token: what one enterprise has, the other must not see."""


def _deliver(app: Flask, definition: ServiceDefinition, *events_: Any) -> None:
    runtime = runtime_of(app)
    consumer = Consumer(
        definition.name,
        engine_of(app),
        definition.kernel.inbox,
        definition.consumes(),
        context=runtime.context,
    )
    deliveries = [
        Delivery(topic_of(CATALOGUE[event.get_type()]), 0, offset, event=event)
        for offset, event in enumerate(events_, start=1)
    ]
    assert consumer.handle(deliveries) == []


def _registry_facts(enterprise_id: str, worker_ids: list[str]) -> list[Any]:
    enterprise = enterprise_facts(
        enterprise_id, uscc=make_uscc("91330402MA2B3C4D5"), name="嘉兴模糊测试机械有限公司"
    )
    found = [new_event("registry", "jiangong.enterprise.registered.v1", enterprise_id, enterprise)]
    for worker_id in worker_ids:
        worker = worker_facts(worker_id, enterprise_id)
        found.append(new_event("registry", "jiangong.worker.registered.v1", worker_id, worker))
    return found


def serve(name: str, tmp_path: Path) -> Served:
    definition = SERVICES[name]
    environ = {
        "JIANGONG_DATA_DIR": str(tmp_path),
        # the dashboard's stream ends soon and speaks often, so that reading it stays quick
        "JIANGONG_DASHBOARD_STREAM_SECONDS": "0.3",
        "JIANGONG_DASHBOARD_HEARTBEAT_SECONDS": "0.1",
        "JIANGONG_DASHBOARD_MIN_GAP_SECONDS": "0.01",
        "JIANGONG_DASHBOARD_POLL_SECONDS": "0.01",
    }
    settings = Settings.from_env(environ)
    app = create_app(definition, settings, {"DATABASE_URL": f"sqlite:///{tmp_path / 'fuzz.db'}"})
    migrate(app)
    admin = issue_token(settings.secret, "admin")
    enterprises = [_enterprise(name, app, admin) for _ in range(2)]
    a, b = (issue_token(settings.secret, "enterprise", e) for e in enterprises)
    return Served(app, admin, a, b)


def _enterprise(service: str, app: Flask, admin: str) -> str:
    """An enterprise as the service knows it: registered (the registry), or announced with
    three workers (competitions, certification); the dashboard keeps none."""
    enterprise_id = f"ent-{uuid.uuid4().hex[:10]}"
    if service == "registry":
        answer = app.test_client().post(
            "/api/v1/enterprises",
            json={
                "uscc": make_uscc(f"91330402{uuid.uuid4().int % 10**9:09d}"),
                "name": "嘉兴模糊测试机械有限公司",
                "region_code": "330402",
                "has_union": True,
                "union_founded_on": "2018-05-01",
                "above_designated_size": True,
                "ownership": "non_public",
                "employee_count": 120,
            },
            headers={"Authorization": f"Bearer {admin}"},
        )
        assert answer.status_code == 201, answer.json
        return str((answer.json or {})["id"])
    if service in ("competitions", "certification"):
        workers = [f"wkr-{uuid.uuid4().hex[:10]}" for _ in range(3)]
        _deliver(app, SERVICES[service], *_registry_facts(enterprise_id, workers))
    return enterprise_id


# -- the tests ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _wsgi_probes_without_socket_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Schemathesis 4.32.5 sends the probes of ``ignored_auth`` (the same request without its
    credentials) through the WSGI transport with the run's socket settings (``max_redirects``,
    ``verify``, ``cert``) but without the session that would absorb them, and Werkzeug's client
    refuses them (``EnvironBuilder() got an unexpected keyword argument 'max_redirects'``):
    every such check ends as an error. In process they mean nothing, so they are dropped."""
    send = WSGITransport.send

    def without_socket_settings(self: WSGITransport, case: Case, **kwargs: Any) -> Any:
        if kwargs.get("session") is None:
            for name in ("max_redirects", "verify", "cert", "proxies"):
                kwargs.pop(name, None)
        return send(self, case, **kwargs)

    monkeypatch.setattr(WSGITransport, "send", without_socket_settings)


RUNS: list[Run] = []


@pytest.fixture(scope="module", autouse=True)
def _figures(request: pytest.FixtureRequest) -> Iterator[None]:
    """The run's figures, written after the module's tests (``make test`` shows them)."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and RUNS:
        reporter.write_sep("-", f"schemathesis {schemathesis.__version__}, seed {SEED}")
        for run in RUNS:
            reporter.write_line(run.figures)


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("service", list(SERVICES))
def test_the_service_keeps_its_document_under_fuzzing(
    service: str, role: str, tmp_path: Path
) -> None:
    served = serve(service, tmp_path)
    try:
        run = fuzz(service, role, served, tmp_path)
    finally:
        with served.app.app_context():
            SERVICES[service].db.engine.dispose()
    RUNS.append(run)
    assert run.operations, "no operation was tested"
    assert run.stateful_cases, "the stateful phase did not run"
    assert run.statistic.total_failures == 0 and not run.errors, run.report()
