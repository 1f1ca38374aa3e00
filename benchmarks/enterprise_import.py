"""How fast the registry imports a spreadsheet of enterprises, beside a bare insert of the rows.

    python benchmarks/enterprise_import.py [--sizes 10000 50000] [--postgres]

For each size it times, in the same run and on the same SQLite file (PostgreSQL too with
``--postgres``, on a scratch database):

* baseline: a bare DBAPI ``executemany`` of the same rows (eight text columns) into a plain
  table: the floor of writing that many rows, with no checking and no events;
* CSV: ``POST /enterprises/import`` with a ``text/csv`` body, end to end: read, check every
  row (credit code, region by name or code, union dates), look up the known credit codes,
  insert the enterprises a batch at a time, one ``enterprise.registered`` outbox event each,
  commit each batch;
* XLSX: the same as a multipart XLSX upload.

The import answers synchronously here (the background threshold is raised past the sizes), so
that the figure is the import itself and not the polling of a job.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.registry_import import (  # noqa: E402
    SYNCHRONOUS,
    as_csv,
    as_xlsx,
    baseline,
    on_each_database,
    registry_app,
    timed,
    upload,
)
from services.registry.domain.enterprise_rows import COLUMNS  # noqa: E402
from shared.auth import issue_token  # noqa: E402
from shared.identifiers import USCC_ALPHABET, make_uscc  # noqa: E402
from shared.regions import COUNTIES  # noqa: E402

SIZES = (10_000, 50_000)


def make_rows(count: int, rng: random.Random, seen: set[str]) -> list[tuple[str, ...]]:
    """Believable enterprises: a valid credit code in one of the counties, the region given
    by its name or its code, about two in three with a union."""
    counties = list(COUNTIES.items())
    rows = []
    while len(rows) < count:
        code, name = rng.choice(counties)
        organisation = "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
        uscc = make_uscc("91" + code + organisation)
        if uscc in seen:
            continue
        seen.add(uscc)
        union = rng.random() < 0.66
        trade = rng.choice(("纺织", "机械", "电子"))
        rows.append(
            (
                uscc,
                f"嘉兴{rng.choice('恒盛华联新誉达通')}{len(rows)}{trade}有限公司",
                rng.choice((code, name)),
                "是" if union else "否",
                f"{rng.randint(2000, 2024)}-0{rng.randint(1, 9)}-01" if union else "",
                rng.choice(("是", "否")),
                rng.choice(("非公有", "非公有", "公有", "non_public")),
                str(rng.randint(5, 3000)),
            )
        )
    return rows


def imported(app, secret: str, content: bytes, kind: str, count: int) -> float:
    client = app.test_client()
    admin = {"Authorization": f"Bearer {issue_token(secret, 'admin')}"}
    send = upload(content, kind, "enterprises.xlsx")
    answers = []
    seconds = timed(
        lambda: answers.append(client.post("/api/v1/enterprises/import", headers=admin, **send))
    )
    answer = answers[0]
    assert answer.status_code == 200, answer.json
    assert answer.json["created"] == count, answer.json["rejected"][:3]
    return seconds


def measure(database: str, url: str, folder: Path, sizes: list[int]) -> list[str]:
    rng = random.Random(11)
    seen: set[str] = set()
    lines = []
    with registry_app(url, folder, SYNCHRONOUS) as (app, secret):
        for count in sizes:
            floor = baseline(app, make_rows(count, rng, seen), COLUMNS, f"bench_baseline_{count}")
            lines.append(_line(database, count, "bare executemany (baseline)", floor, floor))
            for kind, encode in (("CSV", as_csv), ("XLSX", as_xlsx)):
                content = encode(make_rows(count, rng, seen), COLUMNS)
                seconds = imported(app, secret, content, kind, count)
                lines.append(_line(database, count, f"import {kind}, end to end", seconds, floor))
    return lines


def _line(database: str, count: int, what: str, seconds: float, floor: float) -> str:
    return (
        f"| {database:<10} | {count:>7,} | {what:<28} | {seconds:>7.2f} | {count / seconds:>9,.0f} "
        f"| {seconds / floor:>7.1f}x |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL as well")
    args = parser.parse_args()
    lines = [
        "| database   |    rows | what                         |       s |    rows/s | vs base  |",
        "|------------|---------|------------------------------|---------|-----------|----------|",
    ]
    lines += on_each_database(
        lambda name, url, path: measure(name, url, path, args.sizes), args.postgres
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
