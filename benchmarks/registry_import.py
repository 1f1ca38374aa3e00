"""How fast the registry imports a spreadsheet of workers, beside a bare insert of the same rows.

    python benchmarks/registry_import.py [--rows 50000] [--no-postgres] [--no-xlsx]

For SQLite (a file) and PostgreSQL (a scratch database), it times, in the same run:

* baseline: a bare DBAPI ``executemany`` of the same rows (seven text columns) into a plain
  table: the floor of writing that many rows, with no checking, no encryption, no events;
* CSV: ``POST /enterprises/{id}/workers/import`` with a ``text/csv`` body, end to end:
  parse, validate every ID number, hash, encrypt, insert workers and employments, one
  ``worker.registered`` outbox event per worker, commit;
* XLSX: the same rows as a multipart XLSX upload (openpyxl, read-only).
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook  # noqa: E402

from services.registry.adapters.orm import db  # noqa: E402
from services.registry.domain.workers import COLUMNS  # noqa: E402
from services.registry.service import SERVICE  # noqa: E402
from shared.app import create_app  # noqa: E402
from shared.auth import issue_token  # noqa: E402
from shared.identifiers import FEMALE, MALE, USCC_ALPHABET, make_id_number, make_uscc  # noqa: E402
from shared.runtime import engine_of, migrate  # noqa: E402
from shared.settings import Settings  # noqa: E402
from tests.support.postgres import PostgresUnavailable, scratch_database  # noqa: E402

SYNCHRONOUS = {"JIANGONG_IMPORT_BACKGROUND_ROWS": "1000000"}
"""The import answers at once, past the background threshold: the figure is the import's own,
not a job's polling."""
REGIONS = ("330402", "330411", "330421", "330424", "330481", "330482", "330483", "330102")


def make_rows(count: int, rng: random.Random, seen: set[str]) -> list[tuple[str, ...]]:
    rows = []
    while len(rows) < count:
        born = date(rng.randint(1965, 1998), rng.randint(1, 12), rng.randint(1, 28))
        gender = rng.choice((MALE, FEMALE))
        number = make_id_number(rng.choice(REGIONS), born, rng.randint(0, 99), gender)
        if number in seen:
            continue
        seen.add(number)
        member = rng.random() < 0.9
        rows.append(
            (
                number,
                rng.choice("王李张刘陈杨黄赵吴周") + rng.choice("伟芳娜敏静丽强磊军洋"),
                f"6-{rng.randint(1, 30):02d}-{rng.randint(1, 9):02d}-{rng.randint(1, 12):02d}",
                rng.choice(("是", "否", "1", "0", "true", "false")),
                "是" if member else "否",
                "2021-06-01" if member else "",
                f"{rng.randint(2016, 2024)}-{rng.randint(1, 12):02d}-01",
            )
        )
    return rows


def as_csv(rows: list[tuple[str, ...]], columns: Sequence[str] = COLUMNS) -> bytes:
    return ("\n".join([",".join(columns), *(",".join(row) for row in rows)]) + "\n").encode()


def as_xlsx(rows: list[tuple[str, ...]], columns: Sequence[str] = COLUMNS) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(columns))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def baseline(
    app, rows: list[tuple[str, ...]], names: Sequence[str] = COLUMNS, table: str = "bench_baseline"
) -> float:
    """A bare executemany of the same rows into a plain table: the floor for writing them."""
    engine = engine_of(app)
    columns = ", ".join(f"{c} VARCHAR(200)" for c in names)
    marker = "?" if engine.dialect.name == "sqlite" else "%s"
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(f"CREATE TABLE {table} ({columns})")
        connection.commit()
        sql = f"INSERT INTO {table} VALUES ({', '.join([marker] * len(names))})"

        def insert() -> None:
            cursor.executemany(sql, rows)
            connection.commit()

        return timed(insert)
    finally:
        connection.close()


def upload(content: bytes, kind: str, name: str) -> dict[str, object]:
    """The test client's arguments for a CSV body, or for an XLSX as a multipart ``file``."""
    if kind.lower() == "csv":
        return {"data": content, "content_type": "text/csv"}
    return {"data": {"file": (io.BytesIO(content), name)}, "content_type": "multipart/form-data"}


def imported(app, secret: str, content: bytes, kind: str, rows: int) -> float:
    client = app.test_client()
    admin = {"Authorization": f"Bearer {issue_token(secret, 'admin')}"}
    organisation = "".join(random.choice(USCC_ALPHABET) for _ in range(9))
    enterprise = client.post(
        "/api/v1/enterprises",
        json={
            "uscc": make_uscc("91330402" + organisation),
            "name": f"基准测试{kind}有限公司",
            "region_code": "330402",
            "has_union": True,
            "above_designated_size": True,
            "ownership": "non_public",
            "employee_count": rows,
        },
        headers=admin,
    ).json
    url = f"/api/v1/enterprises/{enterprise['id']}/workers/import"
    send = upload(content, kind, "workers.xlsx")
    answer = None

    def post() -> None:
        nonlocal answer
        answer = client.post(url, headers=admin, **send)

    seconds = timed(post)
    assert answer is not None and answer.status_code == 200, answer and answer.json
    assert answer.json["created"] == rows, answer.json["rejected"][:3]
    return seconds


@contextmanager
def registry_app(
    url: str, data_dir: Path, environment: dict[str, str] | None = None
) -> Iterator[tuple[object, str]]:
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(data_dir), **(environment or {})})
    config = {"DATABASE_URL": url, "MAX_CONTENT_LENGTH": 256 * 1024 * 1024}
    app = create_app(SERVICE, settings, config)
    migrate(app)
    try:
        yield app, settings.secret
    finally:
        with app.app_context():
            db.engine.dispose()


def measure(name: str, url: str, data_dir: Path, count: int, xlsx: bool) -> list[str]:
    rng = random.Random(7)
    seen: set[str] = set()
    rows = {kind: make_rows(count, rng, seen) for kind in ("baseline", "csv", "xlsx")}
    results = []
    with registry_app(url, data_dir, SYNCHRONOUS) as (app, secret):
        results.append(("bare executemany (baseline)", baseline(app, rows["baseline"])))
        results.append(
            ("import CSV, end to end", imported(app, secret, as_csv(rows["csv"]), "csv", count))
        )
        if xlsx:
            content = as_xlsx(rows["xlsx"])
            results.append(
                ("import XLSX, end to end", imported(app, secret, content, "xlsx", count))
            )
    floor = results[0][1]
    return [
        f"| {name:<10} | {label:<28} | {count:>7,} | {seconds:>7.2f} | {count / seconds:>9,.0f} "
        f"| {seconds / floor:>6.1f}x |"
        for label, seconds in results
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-xlsx", action="store_true")
    args = parser.parse_args()
    lines = [
        "| database   | what                         |    rows |       s |    rows/s | vs base |",
        "|------------|------------------------------|---------|---------|-----------|---------|",
    ]
    lines += on_each_database(
        lambda name, url, path: measure(name, url, path, args.rows, not args.no_xlsx),
        postgres=not args.no_postgres,
    )
    print("\n".join(lines))


def on_each_database(
    measure_on: Callable[[str, str, Path], list[str]], postgres: bool
) -> list[str]:
    """The lines ``measure_on(name, url, data dir)`` gives on a SQLite file, then (``postgres``)
    on a scratch PostgreSQL database, or the reason PostgreSQL was skipped."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder)
        lines = measure_on("SQLite", f"sqlite:///{path / 'registry.db'}", path)
        if postgres:
            try:
                with scratch_database(prefix="jiangong_bench") as url:
                    lines += measure_on("PostgreSQL", url, path)
            except PostgresUnavailable as error:
                lines.append(f"| PostgreSQL | skipped: {error} |")
    return lines


if __name__ == "__main__":
    main()
