"""What a live leaderboard costs as it grows: incremental updates against a full recompute.

    python benchmarks/leaderboard.py [--sizes 1000 10000] [--judges 5] [--updates 200]

For each size, one competition on SQLite (a file) with that many entries, each already marked
by every judge; then marks keep arriving (a judge re-scores a random entry). Measured in the
same run:

* score command: ``PUT /competitions/{id}/entries/{entry}/scores`` through the Flask test
  client: auth, checks, scoresheet, history and the outbox row, committed;
* score consumer: the relay publishes that event to an in-process bus and the consumer applies
  it to the read model: the entry alone re-aggregated, the board re-ranked in memory, only the
  moved rows written, ``leaderboard.updated`` staged, committed;
* board read: ``GET /competitions/{id}/leaderboard`` (first page of 20) from the read model;
  and the same with ``If-None-Match`` (304);
* full recompute, the baseline: load every judge's marks and rank everything from them
  (what serving the board without a read model would cost per request).

Set-up (not measured) registers the entries through the command handlers and consumes their
events; the marks already given are written in bulk and ranked once, as the state a board
reaches after scoring has run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import bindparam, insert, select, update  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from services.competitions.adapters.board_store import LIVE, rerank  # noqa: E402
from services.competitions.adapters.orm import EntryRow, ScoresheetRow, db  # noqa: E402
from services.competitions.adapters.read_tables import MarksRow, StandingRow  # noqa: E402
from services.competitions.adapters.repository import get_competition, to_domain  # noqa: E402
from services.competitions.commands import RegisterEntry  # noqa: E402
from services.competitions.domain.standings import score_of, scored, standings  # noqa: E402
from services.competitions.service import SERVICE  # noqa: E402
from shared.app import create_app, settings_of  # noqa: E402
from shared.auth import issue_token  # noqa: E402
from shared.bus import InProcessBus  # noqa: E402
from shared.clock import as_utc  # noqa: E402
from shared.events import new_event, topic_of  # noqa: E402
from shared.handling import handle  # noqa: E402
from shared.inbox import Consumer, Delivery  # noqa: E402
from shared.relay import Relay  # noqa: E402
from shared.runtime import engine_of, migrate, runtime_of  # noqa: E402
from shared.settings import Settings  # noqa: E402

CRITERIA = [
    {"code": "quality", "name": "质量", "weight": 0.5, "max_marks": 100},
    {"code": "speed", "name": "速度", "weight": 0.3, "max_marks": 100},
    {"code": "safety", "name": "安全", "weight": 0.2, "max_marks": 100},
]
OWN = topic_of("competitions")


class Bench:
    def __init__(self, data_dir: Path, size: int, judges: int, seed: int = 1):
        self.rng = random.Random(seed)
        self.app = create_app(SERVICE, Settings.from_env({"JIANGONG_DATA_DIR": str(data_dir)}))
        migrate(self.app)
        self.engine = engine_of(self.app)
        self.bus = InProcessBus()
        self.runtime = runtime_of(self.app)
        self.relay = Relay(self.engine, self.runtime.outbox, self.bus)
        self.consumer = Consumer(
            "competitions",
            self.engine,
            SERVICE.kernel.inbox,
            SERVICE.consumes(),
            context=self.runtime.context,
        )
        self.cursor = 0
        self.client = self.app.test_client()
        secret = settings_of(self.app).secret
        self.admin = {"Authorization": f"Bearer {issue_token(secret, 'admin')}"}
        self.competition = self._competition()
        self.entries = self._entries(size)
        self.judges = [f"judge-{n}" for n in range(judges)]
        self.tokens = {
            j: {"Authorization": f"Bearer {issue_token(secret, 'judge', j)}"} for j in self.judges
        }
        for judge in self.judges:
            self._post("/judges", {"judge_id": judge})
        self._post("/close")
        self.pump()
        self._marks_given()

    def _post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"/api/v1/competitions/{self.competition}{path}"
        answer = self.client.post(url, json=body, headers=self.admin)
        assert answer.status_code in (200, 201), answer.json
        return answer.json

    def _competition(self) -> str:
        body = {
            "title": "基准",
            "kind": "skill_contest",
            "level": "city",
            "region_code": "330400",
            "year": 2025,
            "criteria": CRITERIA,
            "aggregation": "trimmed_mean",
            "awards": [{"name": "一等奖", "places": 3}, {"name": "二等奖", "places": 10}],
        }
        answer = self.client.post("/api/v1/competitions", json=body, headers=self.admin)
        competition = answer.json["id"]
        self.client.post(f"/api/v1/competitions/{competition}/open", headers=self.admin)
        return str(competition)

    def _entries(self, size: int) -> list[str]:
        enterprises = [f"ent-{n}" for n in range(max(1, size // 100))]
        workers = [(f"wkr-{n}", enterprises[n % len(enterprises)]) for n in range(size)]
        registry = [
            *(("enterprise", {"id": e, "region_code": "330402"}) for e in enterprises),
            *(
                ("worker", {"id": w, "enterprise_id": e, "region_code": "330402"})
                for w, e in workers
            ),
        ]
        for start in range(0, len(registry), 1000):
            self.consumer.handle(
                [
                    Delivery(
                        "jiangong.registry",
                        0,
                        start + n,
                        event=new_event("registry", f"jiangong.{noun}.registered.v1", d["id"], d),
                    )
                    for n, (noun, d) in enumerate(registry[start : start + 1000])
                ]
            )
        entries = []
        now = datetime.now(UTC)
        with self.app.app_context():
            for start in range(0, size, 1000):
                for n, (worker, enterprise) in enumerate(workers[start : start + 1000]):
                    ctx = self.runtime.context(db.session, now + timedelta(microseconds=start + n))
                    entry = handle(
                        SERVICE.handlers,
                        ctx,
                        RegisterEntry(self.competition, enterprise, (worker,), None),
                    )
                    entries.append(entry.id)
                db.session.commit()
        return entries

    def _marks_given(self) -> None:
        """Every judge has marked every entry once: written in bulk, ranked once."""
        now = datetime.now(UTC) - timedelta(hours=1)
        sheets, marks_rows, by_entry = [], [], defaultdict(dict)
        for entry in self.entries:
            for judge in self.judges:
                marks = self.marks()
                sheets.append(
                    {
                        "entry_id": entry,
                        "judge_id": judge,
                        "competition_id": self.competition,
                        "marks": marks,
                        "recorded_at": now,
                    }
                )
                marks_rows.append(
                    {
                        "competition_id": self.competition,
                        "entry_id": entry,
                        "judge_id": judge,
                        "marks": marks,
                        "recorded_at": now,
                        "event_id": "seed",
                    }
                )
                by_entry[entry][judge] = marks
        with Session(self.engine) as session, session.begin():
            competition = to_domain(get_competition(session, self.competition))
            session.execute(insert(ScoresheetRow), sheets)
            session.execute(insert(MarksRow), marks_rows)
            scores = []
            for entry, marks in by_entry.items():
                score = score_of(competition, marks)
                assert score is not None
                scores.append({"c": entry, "s": score.score, "f": score.first_criterion})
            table = StandingRow.__table__
            session.execute(
                update(table)
                .where(
                    table.c.competition_id == self.competition, table.c.entry_id == bindparam("c")
                )
                .values(score=bindparam("s"), first_criterion=bindparam("f")),
                scores,
            )
            rerank(session, competition, LIVE, final=False)

    def marks(self) -> dict[str, float]:
        return {c["code"]: float(self.rng.randint(40, 100)) for c in CRITERIA}

    def pump(self) -> None:
        while True:
            self.relay.drain()
            log = self.bus.log(OWN)[self.cursor :]
            if not log:
                return
            self.cursor += len(log)
            for start in range(0, len(log), 500):
                chunk = log[start : start + 500]
                self.consumer.handle([Delivery(OWN, 0, p, event=e) for p, e in chunk])

    def score_once(self) -> tuple[float, float]:
        entry, judge = self.rng.choice(self.entries), self.rng.choice(self.judges)
        path = f"/api/v1/competitions/{self.competition}/entries/{entry}/scores"
        started = time.perf_counter()
        answer = self.client.put(path, json={"marks": self.marks()}, headers=self.tokens[judge])
        commanded = time.perf_counter()
        assert answer.status_code == 200, answer.json
        self.pump()
        return commanded - started, time.perf_counter() - commanded

    def read_once(self, etag: str | None = None) -> tuple[float, str]:
        headers = {"If-None-Match": etag} if etag else {}
        started = time.perf_counter()
        answer = self.client.get(
            f"/api/v1/competitions/{self.competition}/leaderboard?per_page=20", headers=headers
        )
        elapsed = time.perf_counter() - started
        assert answer.status_code == (304 if etag else 200)
        return elapsed, answer.headers["ETag"]

    def full_recompute(self) -> float:
        started = time.perf_counter()
        with Session(self.engine) as session:
            competition = to_domain(get_competition(session, self.competition))
            marks: dict[str, dict[str, Any]] = defaultdict(dict)
            for entry_id, judge_id, given in session.execute(
                select(ScoresheetRow.entry_id, ScoresheetRow.judge_id, ScoresheetRow.marks).where(
                    ScoresheetRow.competition_id == self.competition
                )
            ):
                marks[entry_id][judge_id] = given
            entries = session.execute(
                select(EntryRow.id, EntryRow.enterprise_id, EntryRow.registered_at).where(
                    EntryRow.competition_id == self.competition
                )
            ).all()
            ranked = []
            for entry_id, enterprise_id, registered_at in entries:
                score = score_of(competition, marks[entry_id])
                if score is not None:
                    ranked.append(scored(entry_id, enterprise_id, as_utc(registered_at), score))
            rows = standings(competition, ranked, final=False)
        assert len(rows) == len(self.entries)
        return time.perf_counter() - started


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"{statistics.median(ordered) * 1000:8.2f} / {p95 * 1000:7.2f}"


def _measure(size: int, judges: int, updates: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as data_dir:
        started = time.perf_counter()
        bench = Bench(Path(data_dir), size, judges)
        setup = time.perf_counter() - started
        commands_, consumers, reads, not_modified = [], [], [], []
        for _ in range(updates):
            command, consumer = bench.score_once()
            commands_.append(command)
            consumers.append(consumer)
            elapsed, tag = bench.read_once()
            reads.append(elapsed)
            not_modified.append(bench.read_once(tag)[0])
        recompute = [bench.full_recompute() for _ in range(5)]
        with bench.app.app_context():
            db.engine.dispose()
    totals = [a + b for a, b in zip(commands_, consumers, strict=True)]
    return {
        "size": size,
        "setup": setup,
        "command": commands_,
        "consumer": consumers,
        "total": totals,
        "read": reads,
        "304": not_modified,
        "recompute": recompute,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--judges", type=int, default=5)
    parser.add_argument("--updates", type=int, default=200)
    args = parser.parse_args()
    results = [_measure(size, args.judges, args.updates) for size in args.sizes]
    print(
        f"\nLeaderboard on SQLite, {args.judges} judges, {args.updates} score updates per size;"
        " times in ms, median / p95\n"
    )
    columns = (
        "score command",
        "score consumer",
        "update total",
        "board read",
        "read 304",
        "full recompute",
    )
    keys = ("command", "consumer", "total", "read", "304", "recompute")
    print(f"{'entries':>8} | " + " | ".join(f"{c:>18}" for c in columns))
    print("-" * 9 + "+" + "+".join(["-" * 20] * len(columns)))
    for result in results:
        print(f"{result['size']:>8,} | " + " | ".join(f"{_ms(result[k]):>18}" for k in keys))
    if len(results) > 1:
        first, last = results[0], results[-1]
        factor = last["size"] / first["size"]
        print(
            f"\ngrowth from {first['size']:,} to {last['size']:,} entries (x{factor:g}), by median:"
        )
        for column, key in zip(columns, keys, strict=True):
            grown = statistics.median(last[key]) / statistics.median(first[key])
            print(f"  {column:<16} x{grown:6.1f}")
        incremental = statistics.median(last["total"])
        recompute = statistics.median(last["recompute"])
        read = statistics.median(last["read"])
        print(
            f"\nat {last['size']:,} entries a full recompute costs {recompute / read:.0f}x a board"
            f" read and {recompute / incremental:.1f}x an incremental update (command + consumer)."
        )
    print(
        "set-up (not measured above): "
        + ", ".join(f"{r['size']:,}: {r['setup']:.1f} s" for r in results)
    )


if __name__ == "__main__":
    main()
