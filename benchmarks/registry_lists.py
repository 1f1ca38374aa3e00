"""The registry's statistics and list pages at a city's size, beside what the old code ran.

    python benchmarks/registry_lists.py [--size 100000] [--repeat 30]

Builds a registry on SQLite (a file in a temporary folder, at the latest migration) with
``--size`` workers in ``--size / 10`` enterprises, written with bulk SQL (no API: the rows
are what matters here, not how they came), then times, in the same run:

* baseline: the queries the code ran before the union counts and the list indexes, on the
  same rows without those indexes: the statistics as a scan of every enterprise and worker,
  a page as ``shared.http.paginate`` (a count over the whole sorted list, then the page) and a
  name fragment as ``LIKE '%…%'`` on every name;
* now: the statistics from the union counts (``union_statistics``), a page as
  ``services.registry.listing.page_of_rows`` with the list indexes (its total from the
  counts, or counted up to 10,000; a name fragment found through its first character), and
  the same page through the Flask test client (``GET /api/v1/workers...`` with an admin
  token: the token, the query, the skills, the JSON).

Each case runs once untimed, then ``--repeat`` times (the baseline at most 5 times past
200,000 workers);
p50 and p99 are in milliseconds (with few runs, p99 is the slowest).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Select, select, text  # noqa: E402

from services.registry.adapters.name_characters import characters_of  # noqa: E402
from services.registry.adapters.orm import Worker, db  # noqa: E402
from services.registry.adapters.union_counts import reconcile  # noqa: E402
from services.registry.listing import page_of_rows  # noqa: E402
from services.registry.queries import (  # noqa: E402
    enterprises_query,
    kept_worker_total,
    union_statistics,
    workers_query,
)
from services.registry.service import SERVICE  # noqa: E402
from shared.app import create_app  # noqa: E402
from shared.auth import issue_token  # noqa: E402
from shared.http import paginate  # noqa: E402
from shared.runtime import migrate, runtime_of  # noqa: E402
from shared.settings import Settings  # noqa: E402

COUNTIES = ("330402", "330411", "330421", "330424", "330481", "330482", "330483")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董沈姚钱"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文斌海燕玲婷晨浩宇欣怡"
RARE = "齉"  # in no name: a search that finds nothing reads the whole list
NEW_INDEXES = {
    "ix_workers_registered_at_id_active": "workers (registered_at, id, active)",
    "ix_workers_enterprise_id_registered_at_id": "workers (enterprise_id, registered_at, id)",
    "ix_enterprises_registered_at_id": "enterprises (registered_at, id)",
}
OLD_STATISTICS = (
    """SELECT substr(region_code, 1, 6), count(*), sum(CASE WHEN has_union THEN 1 ELSE 0 END)
       FROM enterprises WHERE active GROUP BY substr(region_code, 1, 6)""",
    """SELECT substr(e.region_code, 1, 6), count(*),
              sum(CASE WHEN w.is_union_member THEN 1 ELSE 0 END),
              sum(CASE WHEN w.is_migrant THEN 1 ELSE 0 END)
       FROM workers w JOIN enterprises e ON w.enterprise_id = e.id
       WHERE w.active AND e.active GROUP BY substr(e.region_code, 1, 6)""",
)
START = datetime(2024, 1, 1)


def fill(size: int, rng: random.Random) -> str:
    """``size`` workers in ``size // 10`` enterprises, in one transaction of bulk inserts;
    returns the id of an enterprise with workers."""
    enterprises = max(1, size // 10)
    cursor = db.session.connection().connection.cursor()  # the DBAPI's: it takes a generator
    cursor.executemany(
        "INSERT INTO enterprises (id, uscc, name, region_code, has_union, above_designated_size,"
        " ownership, employee_count, active, registered_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            (f"e{n:09d}", f"U{n:017d}", f"嘉兴{n}有限公司", rng.choice(COUNTIES),
             rng.random() < 0.8, rng.random() < 0.4, "non_public", 50, rng.random() < 0.98,
             _at(n * 10))
            for n in range(enterprises)
        ],
    )  # fmt: skip
    for start in range(0, size, 50_000):
        names = [_name(rng) for _ in range(start, min(size, start + 50_000))]
        cursor.executemany(
            "INSERT INTO workers (id, enterprise_id, name, id_number_encrypted, id_number_hash,"
            " id_number_masked, gender, birth_date, occupation_code, is_migrant, is_union_member,"
            " hired_on, active, registered_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (f"w{n:011d}", f"e{rng.randrange(enterprises):09d}", name, "x", f"{n:064x}",
                 "330402********0011", "male", "1990-01-01", "6-18-01-01", rng.random() < 0.2,
                 rng.random() < 0.7, "2020-01-01", rng.random() < 0.92, _at(n))
                for n, name in enumerate(names, start)
            ],
        )  # fmt: skip
        cursor.executemany(
            "INSERT INTO worker_name_characters (character, registered_at, worker_id)"
            " VALUES (?,?,?)",
            [
                (character, _at(n), f"w{n:011d}")
                for n, name in enumerate(names, start)
                for character in characters_of(name)
            ],
        )
    reconcile(db.session)  # the union counts, from the rows written past the sessions
    db.session.commit()
    return "e000000000"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def _at(n: int) -> str:
    return (START + timedelta(seconds=n)).strftime("%Y-%m-%d %H:%M:%S.%f")


def timed(run: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """p50 and p99 of ``repeat`` runs, after one run not timed (the file's pages read once)."""
    run()
    db.session.rollback()
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        samples.append((time.perf_counter() - began) * 1000)
        db.session.rollback()
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.99 * len(samples)))]


def list_cases(size: int, enterprise_id: str) -> dict[str, tuple[str | None, dict[str, Any]]]:
    """Each case: the enterprise or ``None`` (every enterprise's), and the query."""
    deep = max(1, size // 20 // 2)  # the middle of the list, at 20 a page
    return {
        "/workers, first page": (None, {}),
        "/workers?active=true, first page": (None, {"active": True}),
        f"/workers, deep page ({deep})": (None, {"page": deep}),
        "/workers?q=王 (common), first page": (None, {"q": "王"}),
        "/workers?q=王伟 (two characters), first page": (None, {"q": "王伟"}),
        f"/workers?q={RARE} (in no name)": (None, {"q": RARE}),
        "/enterprises/{id}/workers, first page": (enterprise_id, {}),
    }


def measure(size: int, repeat: int, enterprise_id: str, token: str, client: Any) -> list[tuple]:
    old_repeat = repeat if size <= 200_000 else min(repeat, 5)
    rows = []
    _drop_new_indexes()
    baselines = {"statistics": timed(_old_statistics, old_repeat)}
    for name, (owner, query) in list_cases(size, enterprise_id).items():
        baselines[name] = timed(lambda o=owner, q=query: _old_page(o, q), old_repeat)
    baselines["/enterprises, deep page"] = timed(
        lambda: paginate(db.session, enterprises_query(db.session, {}), size // 400, 20),
        old_repeat,
    )
    _create_new_indexes()
    rows.append(("statistics", *baselines["statistics"], *timed(_statistics, repeat), None))
    for name, (owner, query) in list_cases(size, enterprise_id).items():
        now = timed(lambda o=owner, q=query: _page(o, q), repeat)
        over_http = timed(lambda o=owner, q=query: _get(client, token, o, q), repeat)
        rows.append((name, *baselines[name], *now, over_http))
    deep_enterprises = timed(
        lambda: page_of_rows(db.session, enterprises_query(db.session, {}), size // 400, 20),
        repeat,
    )
    rows.append(("/enterprises, deep page", *baselines["/enterprises, deep page"],
                 *deep_enterprises, None))  # fmt: skip
    return rows


def _old_statistics() -> None:
    for query in OLD_STATISTICS:
        db.session.execute(text(query)).all()


def _statistics() -> None:
    union_statistics(db.session)


def _old_page(enterprise_id: str | None, query: dict[str, Any]) -> None:
    paginate(db.session, _old_workers_query(enterprise_id, query), query.get("page", 1), 20)


def _old_workers_query(enterprise_id: str | None, query: dict[str, Any]) -> Select[Any]:
    """The list as the code before the name characters asked for it."""
    listed = select(Worker)
    if enterprise_id is not None:
        listed = listed.where(Worker.enterprise_id == enterprise_id)
    if query.get("active") is not None:
        listed = listed.where(Worker.active.is_(query["active"]))
    if query.get("q"):
        listed = listed.where(Worker.name.icontains(query["q"], autoescape=True))
    return listed.order_by(Worker.registered_at, Worker.id)


def _page(enterprise_id: str | None, query: dict[str, Any]) -> None:
    select = workers_query(enterprise_id, query.get("active"), query.get("q"))
    total = kept_worker_total(db.session, enterprise_id, query.get("active"), query.get("q"))
    page_of_rows(db.session, select, query.get("page", 1), 20, total)


def _get(client: Any, token: str, enterprise_id: str | None, query: dict[str, Any]) -> None:
    path = f"/api/v1/enterprises/{enterprise_id}/workers" if enterprise_id else "/api/v1/workers"
    parameters = {key: str(value).lower() for key, value in query.items()}
    answer = client.get(path, query_string=parameters, headers={"Authorization": token})
    assert answer.status_code == 200, answer.json


def _drop_new_indexes() -> None:
    for name in NEW_INDEXES:
        db.session.execute(text(f"DROP INDEX {name}"))
    db.session.commit()


def _create_new_indexes() -> None:
    for name, columns in NEW_INDEXES.items():
        db.session.execute(text(f"CREATE INDEX {name} ON {columns}"))
    db.session.commit()


def print_table(size: int, built: float, rows: list[tuple]) -> None:
    print(f"\n{size:,} workers in {max(1, size // 10):,} enterprises (built in {built:.0f} s)")
    print("| case | baseline p50 | baseline p99 | now p50 | now p99 | now over HTTP p50 / p99 |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, old50, old99, new50, new99, http in rows:
        over_http = f"{http[0]:.1f} / {http[1]:.1f}" if http else "n/a"
        print(f"| {name} | {old50:.1f} | {old99:.1f} | {new50:.2f} | {new99:.2f} | {over_http} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="workers (default 100,000)")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.from_env({"JIANGONG_DATA_DIR": folder})
        app = create_app(SERVICE, settings)
        migrate(app)
        runtime_of(app).answers.max_age = 0  # every answer computed, none kept
        token = f"Bearer {issue_token(settings.secret, 'admin')}"
        with app.app_context():
            began = time.perf_counter()
            enterprise_id = fill(args.size, random.Random(20261208))
            built = time.perf_counter() - began
            rows = measure(args.size, args.repeat, enterprise_id, token, app.test_client())
            db.engine.dispose()
    print_table(args.size, built, rows)


if __name__ == "__main__":
    main()
