"""A year of Jiaxing on the distributed platform, with faults.

The platform runs as deployed: the processes of ``jiangong.deployment.processes()`` (``migrate``
and ``topics``, then each service's gunicorn API and its worker), each service on its own
PostgreSQL database, over a Tansu broker of this test's own (so that pausing it disturbs no
other test). Every command goes through the four HTTP APIs; the checks also read the services'
databases and the topics:

1. the year: twenty enterprises over the seven counties; their workers, most by spreadsheet
   (CSV, one as XLSX), a few one by one; a worker leaves, another moves; the city's lathe
   contest (class 1) opened, entered by eleven enterprises with their own tokens (one entry
   withdrawn), three judges assigned, marks given, results published; its awards becoming
   contest promotions (破格) in certification; an assessor promoting other workers (and
   failing some); innovation studios led by the contest's winners or a model worker, approved;
   skill leaders named; trainings recorded. Then the dashboard's targets equal what each
   source reports (its stats endpoint) and a recount of its database.
2. the faults, each while commands keep arriving over HTTP (a thread registers workers and
   records trainings throughout):
   - a consumer killed mid-stream: right after a burst (a 40-row import), the dashboard's and
     the competitions' workers get SIGKILL, and are started again;
   - a relay killed between publish and mark: the registry's worker is stopped (SIGSTOP) while
     a burst lands, the burst's outbox rows are locked (``FOR UPDATE``) so that marking them
     must wait, the worker is let go on; once its mark (sent only after the broker
     acknowledged the rows) is seen blocked by that lock, the worker gets SIGKILL and the
     session it left waiting is ended, so the mark is lost with it. The rows are then
     published and unmarked, which the test counts before the restart; the restarted relay
     publishes them again, and at the end each of them is found on the topic twice;
   - the broker paused (SIGSTOP) for five seconds and resumed.
3. afterwards, polling with a deadline: every outbox row published; each consumer's inbox
   holds exactly the ids of the events it subscribes to from the three producers' outboxes
   (nothing lost; the inbox's key is the event id, so nothing was applied twice); no dead
   letter; and every read model equals a recount of its sources (a count off by a double
   application, or a missing one, would differ). The tables are printed past pytest's capture,
   with what happened at each fault (the report so far, if the test fails).
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import text

from jiangong.services import definition
from shared.auth import issue_token
from shared.clock import today_in_shanghai
from shared.events import topic_of
from shared.identifiers import FEMALE, MALE, USCC_ALPHABET, make_id_number, make_uscc
from shared.kafka_bus import KafkaBus
from shared.regions import COUNTIES
from tests.support.bodies import competition_body
from tests.support.broker import DevBroker
from tests.support.distributed import DistributedPlatform
from tests.support.polling import wait_until
from tests.support.postgres import scratch_database

SECRET = "a-city-year-secret-that-is-long-enough-for-hs256-signing"
PII_KEY = "a-city-year-pii-key"
LATHE, WELDER = "6-18-01-01", "6-18-02-04"
CSV_HEADER = "id_number,name,occupation_code,is_migrant,is_union_member,union_joined_on,hired_on"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "涛", "明", "超")
PRODUCERS = ("registry", "competitions", "certification")
CONSUMERS = ("registry", "competitions", "certification", "dashboard")


# -- the platform -------------------------------------------------------------------------------


@pytest.fixture
def platform(postgres_url: str, tmp_path: Path) -> Iterator[tuple[DistributedPlatform, DevBroker]]:
    with (
        DevBroker(log_path=tmp_path / "tansu.log") as broker,
        scratch_database(postgres_url, prefix="jiangong_year_registry") as registry,
        scratch_database(postgres_url, prefix="jiangong_year_competitions") as competitions,
        scratch_database(postgres_url, prefix="jiangong_year_certification") as certification,
        scratch_database(postgres_url, prefix="jiangong_year_dashboard") as dashboard,
        scratch_database(postgres_url, prefix="jiangong_year_workbench") as workbench,
    ):
        running = DistributedPlatform(
            tmp_path,
            bootstrap_servers=broker.bootstrap_servers,
            databases={
                "registry": registry,
                "competitions": competitions,
                "certification": certification,
                "dashboard": dashboard,
                "workbench": workbench,
            },
            secret=SECRET,
            pii_key=PII_KEY,
        )
        try:
            running.start()
            yield running, broker
        finally:
            broker.resume()  # a failure during the pause must not leave it stopped
            running.stop()


@dataclass
class City:
    """The test's side of the city: the platform, what it created, and the calls it makes."""

    p: DistributedPlatform
    broker: DevBroker
    year: int
    today: date
    admin: str = field(default_factory=lambda: issue_token(SECRET, "admin"))
    reader: str = field(default_factory=lambda: issue_token(SECRET, "reader"))
    enterprises: list[tuple[str, str]] = field(default_factory=list)  # (id, county)
    workers: dict[str, list[str]] = field(default_factory=dict)  # enterprise -> worker ids
    people: int = 0
    counting: threading.Lock = field(default_factory=threading.Lock)
    report: list[str] = field(default_factory=list)
    board_path: str = ""

    def call(
        self, service: str, method: str, path: str, body: Any = None, expect: int = 200, **kw: Any
    ) -> Any:
        kw.setdefault("token", self.admin)
        status, answer = self.p.call(service, method, "/api/v1" + path, body, **kw)
        assert status == expect, f"{method} {service}{path}: {status} {answer}"
        return answer

    # -- the registry ----------------------------------------------------------------------
    def enterprise(self, i: int) -> str:
        county = list(COUNTIES)[i % len(COUNTIES)]
        organisation = "MA" + "".join(USCC_ALPHABET[(i * 7 + k * 3) % 31] for k in range(7))
        union = i % 5 != 4
        body = {
            "uscc": make_uscc("91" + county + organisation),
            "name": f"嘉兴{SURNAMES[i % 20]}{'精密机械电子纺织化工新材'[i % 11]}有限公司{i}",
            "region_code": county,
            "has_union": union,
            "above_designated_size": i % 3 != 0,
            "ownership": "non_public" if i % 4 else "public",
            "employee_count": 50 + i * 10,
            **({"union_founded_on": f"{2010 + i % 12}-05-01"} if union else {}),
        }
        enterprise_id = str(self.call("registry", "POST", "/enterprises", body, 201)["id"])
        self.enterprises.append((enterprise_id, county))
        self.workers[enterprise_id] = []
        return enterprise_id

    def person(self, county: str) -> dict[str, Any]:
        with self.counting:  # the main thread and the traffic both make people
            self.people += 1
            n = self.people
        born = date(1972, 1, 1) + timedelta(days=n * 13)
        member = n % 3 != 0
        return {
            "id_number": make_id_number(county, born, n % 100, MALE if n % 2 else FEMALE),
            "name": SURNAMES[n % 20] + GIVEN[n % 15] + ("" if n % 4 else GIVEN[(n // 15) % 15]),
            "occupation_code": WELDER if n % 5 == 0 else LATHE,
            "is_migrant": n % 4 == 1,
            "is_union_member": member,
            "union_joined_on": "2021-03-01" if member else "",
            "hired_on": "2018-09-01",
        }

    def worker(self, enterprise_id: str, county: str) -> str:
        body = {k: v for k, v in self.person(county).items() if v != ""}
        path = f"/enterprises/{enterprise_id}/workers"
        worker_id = str(self.call("registry", "POST", path, body, 201)["id"])
        self.workers[enterprise_id].append(worker_id)
        return worker_id

    def sheet_rows(self, county: str, rows: int) -> list[list[str]]:
        """Rows of new people as a spreadsheet has them: the columns in order, 是/否."""
        cells = {True: "是", False: "否"}
        people = [self.person(county) for _ in range(rows)]
        return [[cells.get(p[c], p[c]) for c in CSV_HEADER.split(",")] for p in people]

    def csv(self, county: str, rows: int) -> bytes:
        lines = [CSV_HEADER, *(",".join(row) for row in self.sheet_rows(county, rows))]
        return ("\n".join(lines) + "\n").encode()

    def xlsx(self, county: str, rows: int) -> bytes:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(CSV_HEADER.split(","))
        for row in self.sheet_rows(county, rows):
            sheet.append([cell or None for cell in row])  # an empty date is an empty cell
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def import_workers(self, enterprise_id: str, rows: int, as_xlsx: bool = False) -> int:
        county = dict(self.enterprises)[enterprise_id]
        path = f"/enterprises/{enterprise_id}/workers/import"
        if as_xlsx:
            boundary = uuid.uuid4().hex
            data = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                'filename="workers.xlsx"\r\nContent-Type: application/vnd.openxmlformats-'
                "officedocument.spreadsheetml.sheet\r\n\r\n"
            ).encode()
            data += self.xlsx(county, rows) + f"\r\n--{boundary}--\r\n".encode()
            kind = f"multipart/form-data; boundary={boundary}"
        else:
            data, kind = self.csv(county, rows), "text/csv"
        answer = self.call("registry", "POST", path, data=data, content_type=kind)
        assert answer["created"] == rows and not answer["rejected"], answer
        return rows

    def list_workers(self, enterprise_id: str) -> list[str]:
        found: list[str] = []
        page = 1
        while True:
            path = f"/enterprises/{enterprise_id}/workers?per_page=100&page={page}"
            answer = self.call("registry", "GET", path)
            found += [str(item["id"]) for item in answer["items"]]
            if len(found) >= answer["total"] or not answer["items"]:
                return found
            page += 1

    # -- what the sources report and what the dashboard shows ------------------------------
    def final_board(self) -> dict[str, Any] | None:
        """The contest's public board once it is final (a read model: it follows the events)."""
        status, board = self.p.call("competitions", "GET", "/api/v1" + self.board_path)
        return board if status == 200 and board.get("final") else None

    def targets(self) -> dict[str, Any]:
        answer = self.call("dashboard", "GET", f"/targets?year={self.year}", token=None)
        return {target["key"]: target for target in answer["targets"]}

    def sources(self) -> dict[str, Any]:
        return {
            "registry": self.call("registry", "GET", "/stats", token=self.reader),
            "coverage": self.call(
                "competitions", "GET", f"/coverage?year={self.year}", token=self.reader
            ),
            "certification": self.call(
                "certification", "GET", f"/stats?year={self.year}", token=self.reader
            ),
        }


def id_list(rows: list[Any]) -> set[tuple[str, str]]:
    return {(str(source), str(event_id)) for source, event_id in rows}


# -- recounts from the source databases ---------------------------------------------------------


def recount(p: DistributedPlatform, year: int) -> dict[str, int]:
    """The plan's counts from the services' own tables (not their read models), by the
    dashboard's definitions (services/dashboard/README.md)."""
    end = date(year, 12, 31)
    active_enterprises = {
        r[0] for r in p.rows("registry", "SELECT id FROM enterprises WHERE active")
    }
    active_workers = {r[0] for r in p.rows("registry", "SELECT id FROM workers WHERE active")}
    entries = p.rows(
        "competitions",
        "SELECT e.enterprise_id, e.worker_ids FROM entries e "
        "JOIN competitions c ON c.id = e.competition_id "
        "WHERE c.year = :year AND e.status = 'registered'",
        year=year,
    )
    named = [w for _, ids in entries for w in (ids if isinstance(ids, list) else json.loads(ids))]
    certification = {
        "promotions": "SELECT count(*) FROM skill_ledger WHERE extract(year FROM since) = :year",
        "municipal_studios": "SELECT count(*) FROM studios WHERE status = 'approved' "
        "AND level = 'municipal' AND approved_on <= :end",
        "skill_leaders": "SELECT count(DISTINCT worker_id) FROM skill_leaders "
        "WHERE designated_on <= :end",
        "workers_trained": "SELECT count(DISTINCT worker_id) FROM trainings "
        "WHERE completed_on <= :end",
        "migrant_workers_trained": "SELECT count(DISTINCT worker_id) FROM trainings "
        "WHERE completed_on <= :end AND is_migrant",
    }
    registry = {
        "enterprises_with_union": "SELECT count(*) FROM enterprises WHERE active AND has_union",
        "workers": "SELECT count(*) FROM workers w JOIN enterprises e ON e.id = w.enterprise_id "
        "WHERE w.active AND e.active",
        "union_members": "SELECT count(*) FROM workers w "
        "JOIN enterprises e ON e.id = w.enterprise_id "
        "WHERE w.active AND e.active AND w.is_union_member",
    }
    return {
        "enterprises_total": len(active_enterprises),
        "enterprises_participating": len({e for e, _ in entries} & active_enterprises),
        "workers_total": len(active_workers),
        "workers_participating": len(set(named) & active_workers),
        "person_times": len(named),
        "enterprises": len(active_enterprises),
        **{k: int(p.scalar("registry", sql)) for k, sql in registry.items()},
        **{
            k: int(p.scalar("certification", sql, year=year, end=end))
            for k, sql in certification.items()
        },
    }


def rate(part: int, whole: int) -> float:
    return round(100 * part / whole, 2) if whole else 0


def expected_targets(counts: dict[str, int]) -> dict[str, tuple[float, dict[str, int]]]:
    """Each target's ``current`` and the ``counts`` it must show, from a recount."""
    c = counts
    return {
        "enterprise_coverage": (
            rate(c["enterprises_participating"], c["enterprises_total"]),
            {k: c[k] for k in ("enterprises_participating", "enterprises_total")},
        ),
        "worker_participation": (
            rate(c["workers_participating"], c["workers_total"]),
            {k: c[k] for k in ("workers_participating", "workers_total", "person_times")},
        ),
        "yearly_promotions": (c["promotions"], {"promotions": c["promotions"]}),
        "municipal_studios": (c["municipal_studios"], {}),
        "skill_leaders": (c["skill_leaders"], {}),
        "trained_workers": (c["workers_trained"], {}),
        "trained_migrant_workers": (c["migrant_workers_trained"], {}),
        "union_formation": (
            rate(c["enterprises_with_union"], c["enterprises"]),
            {k: c[k] for k in ("enterprises_with_union", "enterprises")},
        ),
        "union_membership": (
            rate(c["union_members"], c["workers"]),
            {k: c[k] for k in ("union_members", "workers")},
        ),
    }


def target_differences(city: City) -> list[str]:
    """Where the dashboard differs from the recount (empty: every target equal)."""
    counts = recount(city.p, city.year)
    shown = city.targets()
    wrong = []
    for key, (current, parts) in expected_targets(counts).items():
        target = shown[key]
        seen = {k: target["counts"].get(k) for k in parts}
        if target["current"] != current or seen != parts:
            wrong.append(f"{key}: shows {target['current']} {seen}, recount {current} {parts}")
    return wrong


COUNT = "SELECT count(*) FROM "
READ_MODELS = [
    # (read model, (its service, its count), (the source, the recount from its own tables))
    (
        "competitions enterprise_replicas",
        ("competitions", COUNT + "enterprise_replicas"),
        ("registry", COUNT + "enterprises"),
    ),
    (
        "competitions worker_replicas",
        ("competitions", COUNT + "worker_replicas"),
        ("registry", COUNT + "workers"),
    ),
    (
        "competitions worker_replicas active",
        ("competitions", COUNT + "worker_replicas WHERE active"),
        ("registry", COUNT + "workers WHERE active"),
    ),
    (
        "certification worker_replica",
        ("certification", COUNT + "worker_replica"),
        ("registry", COUNT + "workers"),
    ),
    (
        "certification promotion_facts (the ledger)",
        ("certification", COUNT + "promotion_facts"),
        ("certification", COUNT + "skill_ledger"),
    ),
    (
        "certification training_facts",
        ("certification", COUNT + "training_facts"),
        ("certification", COUNT + "trainings"),
    ),
    (
        "certification trained to date, distinct",
        ("certification", "SELECT count(DISTINCT worker_id) FROM training_facts"),
        ("certification", "SELECT count(DISTINCT worker_id) FROM trainings"),
    ),
    (
        "certification studio_facts (approved)",
        ("certification", COUNT + "studio_facts"),
        ("certification", COUNT + "studios WHERE status = 'approved'"),
    ),
    (
        "certification skill_leader_facts",
        ("certification", COUNT + "skill_leader_facts"),
        ("certification", COUNT + "skill_leaders"),
    ),
    (
        "registry worker_skill (highest level per occupation)",
        ("registry", COUNT + "worker_skill"),
        ("certification", "SELECT count(DISTINCT (worker_id, occupation_code)) FROM skill_ledger"),
    ),
    (
        "dashboard enterprise_facts",
        ("dashboard", COUNT + "enterprise_facts"),
        ("registry", COUNT + "enterprises"),
    ),
    (
        "dashboard worker_facts",
        ("dashboard", COUNT + "worker_facts"),
        ("registry", COUNT + "workers"),
    ),
    (
        "dashboard worker_facts active",
        ("dashboard", COUNT + "worker_facts WHERE active"),
        ("registry", COUNT + "workers WHERE active"),
    ),
    (
        "dashboard entry_facts",
        ("dashboard", COUNT + "entry_facts"),
        ("competitions", COUNT + "entries"),
    ),
    (
        "dashboard entry_facts registered",
        ("dashboard", COUNT + "entry_facts WHERE registered"),
        ("competitions", COUNT + "entries WHERE status = 'registered'"),
    ),
    (
        "dashboard promotion_facts (the ledger)",
        ("dashboard", COUNT + "promotion_facts"),
        ("certification", COUNT + "skill_ledger"),
    ),
    (
        "dashboard training_facts",
        ("dashboard", COUNT + "training_facts"),
        ("certification", COUNT + "trainings"),
    ),
    (
        "dashboard studio_facts (approved)",
        ("dashboard", COUNT + "studio_facts"),
        ("certification", COUNT + "studios WHERE status = 'approved'"),
    ),
    (
        "dashboard skill_leader_facts",
        ("dashboard", COUNT + "skill_leader_facts"),
        ("certification", COUNT + "skill_leaders"),
    ),
]
MARKED_ENTRIES = (
    "SELECT count(DISTINCT s.entry_id) FROM scoresheets s "
    "JOIN entries e ON e.id = s.entry_id WHERE e.status = 'registered'"
)
PROFILE = "SELECT worker_id, occupation_code, level FROM worker_skill"
HIGHEST = "SELECT worker_id, occupation_code, min(level) FROM skill_ledger GROUP BY 1, 2"


def read_model_recounts(p: DistributedPlatform, board_total: int) -> list[tuple[str, int, int]]:
    """``(read model, its count, the recount from the source's tables)`` for each read model
    the consumers keep: a count is off if an event was applied twice or not at all."""
    counted = [
        (name, int(p.scalar(*model)), int(p.scalar(*source))) for name, model, source in READ_MODELS
    ]
    profile = {tuple(row) for row in p.rows("registry", PROFILE)}
    highest = {tuple(row) for row in p.rows("certification", HIGHEST)}
    return [
        *counted,
        (
            "registry worker_skill rows equal to the ledger's",
            len(profile & highest),
            len(profile | highest),
        ),
        (
            "competitions final board: ranked (entries marked)",
            board_total,
            int(p.scalar("competitions", MARKED_ENTRIES)),
        ),
    ]


# -- delivery: outboxes, inboxes, topics, dead letters ------------------------------------------


def subscribed() -> dict[str, set[str]]:
    return {name: set(definition(name).consumes()) for name in CONSUMERS}


def produced(p: DistributedPlatform) -> dict[str, list[Any]]:
    """Each producer's outbox rows: ``(source, event_id, type, published)``."""
    return {
        name: p.rows(
            name,
            "SELECT source, event_id, type, published_at IS NOT NULL FROM outbox ORDER BY position",
        )
        for name in PRODUCERS
    }


def inbox(p: DistributedPlatform, consumer: str) -> set[tuple[str, str]]:
    return id_list(
        p.rows(consumer, "SELECT source, event_id FROM inbox WHERE consumer = :c", c=consumer)
    )


def expected_inbox(rows: dict[str, list[Any]], types: set[str]) -> set[tuple[str, str]]:
    return {
        (source, event_id)
        for name in PRODUCERS
        for source, event_id, kind, _ in rows[name]
        if kind in types
    }


def delivered_everywhere(city: City) -> bool:
    rows = produced(city.p)
    if not all(published for name in PRODUCERS for *_, published in rows[name]):
        return False
    return all(
        inbox(city.p, consumer) == expected_inbox(rows, types)
        for consumer, types in subscribed().items()
    )


class TopicReader:
    """Every record of the event topics from the beginning, by event id (no group, no commit)."""

    def __init__(self, bootstrap: str):
        self.kafka = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        topics = [topic_of(name) for name in PRODUCERS]
        wait_until(lambda: all(self.kafka.partitions_for_topic(t) for t in topics), timeout=30)
        partitions = [
            TopicPartition(topic, partition)
            for topic in topics
            for partition in sorted(self.kafka.partitions_for_topic(topic) or ())
        ]
        self.kafka.assign(partitions)
        self.kafka.seek_to_beginning(*partitions)
        self.records: Counter[str] = Counter()

    def read(self, timeout_ms: int = 200) -> None:
        for batch in self.kafka.poll(timeout_ms=timeout_ms, max_records=5000).values():
            for record in batch:
                headers = {k: v.decode() for k, v in record.headers or []}
                self.records[headers["ce_id"]] += 1

    def read_until(self, wanted: Callable[[Counter[str]], bool], timeout: float) -> None:
        """Read until ``wanted(records)`` holds, then on until a second brings nothing new."""

        def done() -> bool:
            self.read()
            return wanted(self.records)

        wait_until(done, timeout=timeout, every=0.01)
        quiet_since, count = time.monotonic(), self.records.total()
        while time.monotonic() - quiet_since < 1.0:
            self.read()
            if self.records.total() != count:
                quiet_since, count = time.monotonic(), self.records.total()

    def close(self) -> None:
        self.kafka.close(autocommit=False)


def read_topics(bootstrap: str, wanted: Callable[[Counter[str]], bool]) -> Counter[str]:
    """The records of the event topics by event id, read from the beginning until ``wanted``
    holds (then on until a second brings nothing new), or for at most 30 seconds."""
    reader = TopicReader(bootstrap)
    try:
        with contextlib.suppress(AssertionError):  # the caller says what is missing
            reader.read_until(wanted, timeout=30)
        return reader.records
    finally:
        reader.close()


# -- commands that keep arriving ----------------------------------------------------------------


class Traffic(threading.Thread):
    """Registers workers and records trainings, one request after another, until stopped."""

    def __init__(self, city: City, enterprise_id: str, trainees: list[str]):
        super().__init__(name="traffic", daemon=True)
        self.city, self.enterprise_id, self.trainees = city, enterprise_id, trainees
        self.halt = threading.Event()
        self.answers: Counter[str] = Counter()
        self.failures: list[str] = []

    def run(self) -> None:
        county = dict(self.city.enterprises)[self.enterprise_id]
        i = 0
        while not self.halt.is_set():
            try:
                if i % 3 == 2:
                    body = {
                        "worker_id": self.trainees[i % len(self.trainees)],
                        "course": f"安全生产第{i}期",
                        "hours": 8,
                        "completed_on": self.city.today.isoformat(),
                    }
                    status, answer = self.city.p.call(
                        "certification", "POST", "/api/v1/trainings", body, token=self.city.admin
                    )
                    what = "training"
                else:
                    person = {k: v for k, v in self.city.person(county).items() if v != ""}
                    path = f"/api/v1/enterprises/{self.enterprise_id}/workers"
                    status, answer = self.city.p.call(
                        "registry", "POST", path, person, token=self.city.admin
                    )
                    what = "worker"
            except OSError as error:
                self.failures.append(f"{type(error).__name__}: {error}")
            else:
                if status == 201:
                    self.answers[what] += 1
                else:
                    self.failures.append(f"{what} {status} {answer}")
            i += 1
            self.halt.wait(0.03)

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=30)


# -- the year -----------------------------------------------------------------------------------


def register_the_city(city: City) -> list[str]:
    """Twenty enterprises; fourteen workers each for eighteen of them by spreadsheet (the last
    of those as XLSX), ten one by one for another; a worker leaves, another moves; returns the
    enterprise ids once the competitions and certification replicas know every worker."""
    for i in range(20):
        city.enterprise(i)
    ids = [e for e, _ in city.enterprises]
    for n, enterprise_id in enumerate(ids[:18]):
        city.import_workers(enterprise_id, 14, as_xlsx=(n == 17))
        city.workers[enterprise_id] = city.list_workers(enterprise_id)
    for _ in range(10):
        city.worker(ids[19], dict(city.enterprises)[ids[19]])
    leaver, mover = city.workers[ids[16]][-1], city.workers[ids[16]][-2]
    city.call("registry", "POST", f"/workers/{leaver}/leave", {})
    city.call("registry", "POST", f"/workers/{mover}/transfer", {"enterprise_id": ids[17]})
    city.workers[ids[16]] = city.workers[ids[16]][:-2]
    active = city.call("registry", "GET", "/stats", token=city.reader)["workers"]

    def replicas_know_everyone() -> bool:
        coverage = city.call(
            "competitions", "GET", f"/coverage?year={city.year}", token=city.reader
        )
        known = city.p.scalar("certification", "SELECT count(*) FROM worker_replica WHERE active")
        return coverage["workers_total"] == active and known == active

    wait_until(replicas_know_everyone, timeout=45, every=0.3)
    city.report.append(f"registered {len(ids)} enterprises and {active} active workers")
    return ids


def contest_spec(year: int) -> dict[str, Any]:
    return competition_body(
        title=f"{year}年嘉兴市数控车工职业技能竞赛",
        occupation_code=LATHE,
        year=year,
        team_size={"min": 1, "max": 1},
        criteria=[
            {"code": "quality", "name": "质量", "weight": 0.6, "max_marks": 100},
            {"code": "safety", "name": "安全文明", "weight": 0.4, "max_marks": 100},
        ],
        aggregation="trimmed_mean",
        awards=[
            {"name": "一等奖", "places": 2},
            {"name": "二等奖", "places": 4},
            {"name": "三等奖", "places": 6},
        ],
    )


def run_the_contest(city: City, entrants: list[str]) -> list[str]:
    """The city's class-1 lathe contest: opened, entered by each enterprise with its own token
    (three workers each, the last enterprise one, withdrawn), three outside judges, closed,
    marked, published; returns the workers ranked in the top ten once the board is final."""
    contest = city.call("competitions", "POST", "/competitions", contest_spec(city.year), 201)
    path = f"/competitions/{contest['id']}"
    city.call("competitions", "POST", f"{path}/open")
    entrant_of: dict[str, str] = {}
    for enterprise_id in entrants:
        token = issue_token(SECRET, "enterprise", enterprise_id)
        for k in range(3 if enterprise_id != entrants[-1] else 1):
            worker = city.workers[enterprise_id][k]
            body: dict[str, Any] = {
                "enterprise_id": enterprise_id,
                "worker_ids": [worker],
                "team_name": f"车工{k}队",
            }
            entry = city.call("competitions", "POST", f"{path}/entries", body, 201, token=token)
            entrant_of[entry["id"]] = worker
    withdrawn = list(entrant_of)[-1]
    token = issue_token(SECRET, "enterprise", entrants[-1])
    city.call("competitions", "DELETE", f"{path}/entries/{withdrawn}", expect=204, token=token)
    del entrant_of[withdrawn]
    judges = [f"judge-{uuid.uuid4().hex[:8]}" for _ in range(3)]
    for judge in judges:
        body = {"judge_id": judge, "enterprise_id": None}  # outside experts
        city.call("competitions", "POST", f"{path}/judges", body, 201)
    city.call("competitions", "POST", f"{path}/close")
    for j, judge in enumerate(judges):
        token = issue_token(SECRET, "judge", judge)
        for n, entry_id in enumerate(entrant_of):
            marks = {"quality": 55 + (n * 13 + j * 3) % 45, "safety": 60 + (n * 7 + j) % 40}
            scores = f"{path}/entries/{entry_id}/scores"
            city.call("competitions", "PUT", scores, {"marks": marks}, token=token)
    assert city.call("competitions", "POST", f"{path}/publish")["status"] == "published"
    city.board_path = f"{path}/leaderboard?per_page=100"
    wait_until(lambda: city.final_board() is not None, timeout=30, every=0.2)
    board = city.final_board()
    assert board is not None and board["total"] == len(entrant_of) == 30, board
    awards = sum(1 for row in board["rows"] if row["award"])
    city.report.append(
        f"contest: {len(entrant_of)} entries from {len(entrants) - 1} enterprises "
        f"(and one withdrawn), {len(judges)} judges, {awards} awards"
    )
    return [entrant_of[row["entry_id"]] for row in board["rows"] if row["rank"] <= 10]


def certify(city: City, ids: list[str], winners: list[str]) -> list[str]:
    """The contest's promotions (破格) awaited; an assessor's passes and fails; studios led by
    two winners and by model workers, three approved; skill leaders; trainings (some of last
    year). Returns the trainees."""

    def promoted_by_contest() -> int:
        sql = "SELECT count(*) FROM skill_ledger WHERE route = 'contest_award'"
        return int(city.p.scalar("certification", sql))

    wait_until(lambda: promoted_by_contest() == len(winners), timeout=30, every=0.2)
    authorisations = [
        {"occupation_code": code, "levels": [5, 4, 3], "valid_from": "2020-01-01"}
        for code in (LATHE, WELDER)
    ]
    body: dict[str, Any] = {"name": "沈评价", "authorisations": authorisations}
    assessor = city.call("certification", "POST", "/assessors", body, 201)["id"]
    token = issue_token(SECRET, "assessor", assessor)
    others = [w for e in ids[11:19] for w in city.workers[e][:5]]  # not in the contest
    certificates = []
    for n, worker in enumerate(others):
        passing = n % 7 != 3
        body = {
            "worker_id": worker,
            "occupation_code": LATHE,
            "level": 5,
            "theory_score": 78 if passing else 41,
            "practical_score": 84,
            "review_passed": None,
            "assessed_on": (city.today - timedelta(days=n * 5)).isoformat(),
        }
        answer = city.call("certification", "POST", "/assessments", body, 201, token=token)
        assert (answer["promotion"] is not None) == passing, answer
        certificates += [answer["certificate_number"]] if passing else []
    verified = city.call("certification", "GET", f"/certificates/{certificates[0]}", token=None)
    assert verified["status"] == "valid", verified
    studios = []
    for n, leader in enumerate([winners[0], winners[1], others[0], others[1]]):
        enterprise_id = next(e for e, ws in city.workers.items() if leader in ws)
        body = {
            "name": f"{['金牌车工', '精密加工', '焊接工艺', '数控创新'][n]}创新工作室",
            "enterprise_id": enterprise_id,
            "leader_worker_id": leader,
            "level": "county" if n == 2 else "municipal",
            "leader_is_model_worker": n >= 2,  # the winners qualify by their new level 2
        }
        token = issue_token(SECRET, "enterprise", enterprise_id)
        studios.append(city.call("certification", "POST", "/studios", body, 201, token=token))
    for studio in studios[:3]:  # the fourth stays an application
        city.call("certification", "POST", f"/studios/{studio['id']}/approve")
    for worker, occupation in [(w, LATHE) for w in winners + others[:2]] + [(winners[0], WELDER)]:
        body = {"worker_id": worker, "occupation_code": occupation}
        city.call("certification", "POST", "/skill-leaders", body, 201)
    trainees = [w for e in ids for w in city.workers[e][3:7]]
    for n, worker in enumerate(trainees):
        completed = city.today - timedelta(days=400 if n % 9 == 0 else n % 200)
        body = {
            "worker_id": worker,
            "course": "数控车床编程与操作",
            "hours": 24,
            "completed_on": completed.isoformat(),
        }
        city.call("certification", "POST", "/trainings", body, 201)
    city.report.append(
        f"certification: {len(winners)} promoted by the contest, {len(certificates)} of "
        f"{len(others)} assessed passed, 3 of 4 studios approved, {len(winners) + 3} skill "
        f"leader designations, {len(trainees)} trainings"
    )
    return trainees


def settle(city: City, timeout: float) -> None:
    """Until every event is delivered where it is due and every target equals the recount."""
    wait_until(
        lambda: delivered_everywhere(city) and not target_differences(city),
        timeout=timeout,
        every=0.5,
    )


# -- the faults ---------------------------------------------------------------------------------


def kill_consumers_mid_stream(city: City, burst_into: str) -> None:
    """Right after a burst of 40 registrations, SIGKILL the dashboard's and the competitions'
    workers; start them again a second later (commands keep arriving meanwhile)."""
    p = city.p
    city.import_workers(burst_into, 40)
    p.kill("dashboard-worker")
    p.kill("competitions-worker")
    registry_events = p.scalar("registry", "SELECT count(*) FROM outbox")
    behind = {
        name: registry_events
        - p.scalar(name, "SELECT count(*) FROM inbox WHERE source = '/jiangong/registry'")
        for name in ("dashboard", "competitions")
    }
    time.sleep(1.0)  # down for a second of traffic
    p.restart("dashboard-worker")
    p.restart("competitions-worker")
    city.report.append(
        "consumers killed mid-stream (SIGKILL): registry events not yet applied at the kill: "
        + ", ".join(f"{name} {count}" for name, count in behind.items())
    )


LOCK_UNPUBLISHED = (
    "SELECT event_id FROM outbox WHERE published_at IS NULL AND position > :after "
    "ORDER BY position FOR UPDATE SKIP LOCKED"
)
MARK_BLOCKED_BY = (
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
    "AND query ILIKE 'UPDATE outbox%' AND :holder = ANY(pg_blocking_pids(pid))"
)


def kill_a_relay_between_publish_and_mark(city: City, burst_into: str) -> list[str]:
    """The registry's worker is stopped (SIGSTOP) while a burst of 30 registrations lands; the
    test locks the burst's outbox rows (``FOR UPDATE``) and lets the worker go on: its relay
    publishes them and, once the broker acknowledged them, marks them, which waits for the
    lock. Once that mark is seen blocked by the test's lock, the worker gets SIGKILL, and the
    test ends the session the dead process left waiting, so that the mark is lost with the
    process, as when the kill lands just before the statement reaches the database. Returns
    the ids of the rows left published and unmarked (counted before the restart); the table
    at the end finds each of them on the topic twice, the killed relay's copy and the
    restarted relay's."""
    p = city.p
    holder = p.engine("registry").connect()
    try:
        holder_pid = holder.execute(text("SELECT pg_backend_pid()")).scalar()
        p.suspend("registry-worker")
        try:
            # rows up to here may be in the batch the relay was publishing when it stopped;
            # those after it, it will read only once let go on, all in one batch
            after = p.scalar("registry", "SELECT coalesce(max(position), 0) FROM outbox")
            city.import_workers(burst_into, 30)
            locked = list(holder.execute(text(LOCK_UNPUBLISHED), {"after": after}).scalars())
        finally:
            p.resume("registry-worker")
        assert len(locked) >= 30, len(locked)

        def marking() -> bool:
            return bool(p.rows("registry", MARK_BLOCKED_BY, holder=holder_pid))

        try:
            wait_until(marking, timeout=30, every=0.05)
        except AssertionError:
            tail = p.tail("registry-worker")
            raise AssertionError(f"the relay's mark never came:\n{tail}") from None
        marks = p.rows("registry", MARK_BLOCKED_BY, holder=holder_pid)
        p.kill("registry-worker")
        for (pid,) in marks:
            p.scalar("registry", "SELECT pg_terminate_backend(:pid)", pid=pid)
        unmarked = int(
            p.scalar(
                "registry",
                "SELECT count(*) FROM outbox WHERE published_at IS NULL AND event_id = ANY(:ids)",
                ids=locked,
            )
        )
    finally:
        holder.rollback()  # the lock goes
        holder.close()
    assert unmarked == len(locked), (unmarked, len(locked))
    p.restart("registry-worker")
    city.report.append(
        f"relay killed between publish and mark: its mark of {len(locked)} published rows was "
        f"waiting; {unmarked} of them still unmarked after the kill (counted before the restart)"
    )
    return locked


def pause_the_broker(city: City, burst_into: str, seconds: float = 5.0) -> None:
    """SIGSTOP the broker for ``seconds`` while a burst of 20 registrations and the traffic
    arrive, then SIGCONT."""
    city.broker.pause()
    paused = time.monotonic()
    try:
        city.import_workers(burst_into, 20)
        while time.monotonic() - paused < seconds:
            time.sleep(0.1)
    finally:
        city.broker.resume()
    city.report.append(f"broker paused for {time.monotonic() - paused:.1f} s and resumed")


# -- the table ----------------------------------------------------------------------------------


def delivery_table(city: City, left_unmarked: list[str]) -> list[str]:
    """Events produced per service, applied per consumer, duplicates skipped, dead letters;
    asserts that nothing was lost, nothing applied twice, nothing dead-lettered, and that the
    rows the killed relay left unmarked were published by it and again after its restart."""
    p = city.p
    rows = produced(p)
    outbox_ids = {event_id for name in PRODUCERS for _, event_id, *_ in rows[name]}
    records = read_topics(
        city.broker.bootstrap_servers,
        lambda seen: outbox_ids <= set(seen) and all(seen[e] >= 2 for e in left_unmarked),
    )
    missing = outbox_ids - set(records)
    assert not missing, f"{len(missing)} published events are not on the topics"
    bus = KafkaBus(city.broker.bootstrap_servers, client_id="city-year-dead-letters")
    try:
        letters = {name: len(bus.dead_letters(name)) for name in CONSUMERS}
    finally:
        bus.close()
    outbox_ids = {event_id for name in PRODUCERS for _, event_id, *_ in rows[name]}
    assert set(records) == outbox_ids, "the topics hold the outboxes' events, no other"
    lines = [
        f"{'producer':<15}{'events (outbox)':>16}{'published':>11}{'on the topic':>14}"
        f"{'republished':>13}"
    ]
    for name in PRODUCERS:
        ids = [event_id for _, event_id, *_ in rows[name]]
        copies = sum(records[e] for e in ids)
        published = sum(1 for *_, done in rows[name] if done)
        lines.append(f"{name:<15}{len(ids):>16}{published:>11}{copies:>14}{copies - len(ids):>13}")
        assert published == len(ids), name
    twice = [records[e] for e in left_unmarked]
    assert twice and min(twice) >= 2, f"the unmarked rows' copies on the topic: {twice}"
    lines.append(
        f"the {len(twice)} rows the killed relay published and left unmarked: on the topic "
        f"{min(twice)} to {max(twice)} times each (its copy and the restarted relay's)"
    )
    lines += [
        "",
        f"{'consumer':<14}{'due':>6}{'applied (inbox)':>16}{'delivered':>10}"
        f"{'duplicates skipped':>19}{'dead letters':>13}{'metrics: skipped':>17}{'dead':>6}",
    ]
    for consumer, types in subscribed().items():
        due = expected_inbox(rows, types)
        applied = inbox(p, consumer)
        delivered = sum(records[e] for _, e in due)
        metrics = p.worker_metrics(consumer)
        counted = [
            str(int(metrics.get(f"jiangong_consumer_{name}_total", 0)))
            for name in ("duplicates_skipped", "dead_letters")
        ]
        lines.append(
            f"{consumer:<14}{len(due):>6}{len(applied):>16}{delivered:>10}"
            f"{delivered - len(applied):>19}{letters[consumer]:>13}{counted[0]:>17}{counted[1]:>6}"
        )
        assert applied == due, f"{consumer}: lost {len(due - applied)}, extra {len(applied - due)}"
        assert letters[consumer] == 0, consumer
    lines += [
        "due: the events of the types it subscribes to in the producers' outboxes; applied: its",
        "inbox rows (the same ids, each once); delivered: their records on the topics;",
        "duplicates skipped: the republished records its inbox refused (delivered - applied);",
        "dead letters: its jiangong.dlq topic; metrics: the worker's own counters since its last",
        "start, which also count redeliveries after a kill ('-': the worker serves none)",
    ]
    return lines


def targets_table(city: City) -> list[str]:
    """Each target: the dashboard, its source's own answer, the recount of the source tables."""
    shown, sources = city.targets(), city.sources()
    coverage, registry, certified = (
        sources["coverage"],
        sources["registry"],
        sources["certification"],
    )
    source_value = {
        "enterprise_coverage": rate(
            coverage["enterprises_participating"], coverage["enterprises_total"]
        ),
        "worker_participation": rate(coverage["workers_participating"], coverage["workers_total"]),
        "yearly_promotions": certified["promotions"]["total"],
        "municipal_studios": certified["municipal_studios"],
        "skill_leaders": certified["skill_leaders"],
        "trained_workers": certified["trained_workers_to_date"],
        "trained_migrant_workers": certified["trained_migrant_workers_to_date"],
        "union_formation": rate(registry["enterprises_with_union"], registry["enterprises"]),
        "union_membership": rate(registry["union_members"], registry["workers"]),
    }
    lines = [f"{'target':<26}{'dashboard':>11}{'source API':>12}{'DB recount':>12}  equal"]
    for key, (current, _) in expected_targets(recount(city.p, city.year)).items():
        value = shown[key]["current"]
        equal = value == source_value[key] == current
        lines.append(f"{key:<26}{value:>11}{source_value[key]:>12}{current:>12}  {equal}")
        assert equal, (key, value, source_value[key], current)
    assert not target_differences(city)  # the counts beside each target too
    return lines


def read_model_table(city: City) -> list[str]:
    board = city.final_board()
    assert board is not None
    lines = [f"{'read model':<52}{'rows':>7}{'recount':>9}  equal"]
    for name, seen, counted in read_model_recounts(city.p, board["total"]):
        lines.append(f"{name:<52}{seen:>7}{counted:>9}  {seen == counted}")
        assert seen == counted, name
    return lines


# -- the test -----------------------------------------------------------------------------------


def test_a_year_of_jiaxing_survives_kills_a_relay_crash_and_a_broker_pause(
    platform: tuple[DistributedPlatform, DevBroker], capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    p, broker = platform
    today = today_in_shanghai()
    city = City(p, broker, today.year, today)
    city.report.append(
        f"platform started in {sum(p.timings.values()):.1f} s ("
        + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in p.timings.items())
        + f"): {', '.join(p.running)}"
    )
    try:
        ids = register_the_city(city)
        winners = run_the_contest(city, ids[:11])
        trainees = certify(city, ids, winners)
        settle(city, timeout=60)
        shown = city.targets()
        city.report.append(
            f"the year settled at {time.monotonic() - started:.1f} s: "
            + ", ".join(f"{key} {target['current']}" for key, target in shown.items())
        )

        traffic = Traffic(city, ids[19], trainees)
        traffic.start()
        try:
            kill_consumers_mid_stream(city, ids[18])
            left_unmarked = kill_a_relay_between_publish_and_mark(city, ids[18])
            pause_the_broker(city, ids[17])
            time.sleep(1.0)  # a second more of traffic after the resume
        finally:
            traffic.stop()
        assert not traffic.failures, traffic.failures[:5]
        city.report.append(
            f"commands answered during the faults: {dict(traffic.answers)}, all 201 "
            "(besides the bursts of 40, 30 and 20 imported rows)"
        )

        settle(city, timeout=120)
        city.report.append(f"delivered and equal again at {time.monotonic() - started:.1f} s")
        tables = [
            *delivery_table(city, left_unmarked),
            "",
            *targets_table(city),
            "",
            *read_model_table(city),
        ]
        codes = p.stop()
        assert all(code == 0 for code in codes.values()), codes
        city.report += ["", *tables, "", f"test body {time.monotonic() - started:.1f} s"]
    finally:
        with capsys.disabled():
            print(
                "\n".join(["", "== a year of Jiaxing, distributed, with faults ==", *city.report])
            )
