"""Bulk registration from CSV and XLSX: every row checked and numbered as in the spreadsheet."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from services.registry.adapters.orm import Worker, db
from services.registry.adapters.repository import SqlRepository
from services.registry.config import RegistryConfig
from shared.runtime import runtime_of

HEADER = [
    "id_number",
    "name",
    "occupation_code",
    "is_migrant",
    "is_union_member",
    "union_joined_on",
    "hired_on",
]


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def post_csv(registry, enterprise_id: str, text: str, query: str = "", headers=None):
    return registry.client.post(
        f"/api/v1/enterprises/{enterprise_id}/workers/import{query}",
        data=text.encode(),
        content_type="text/csv",
        headers=headers or registry.admin,
    )


def post_file(registry, enterprise_id: str, content: bytes, name: str = "workers.xlsx", query=""):
    return registry.client.post(
        f"/api/v1/enterprises/{enterprise_id}/workers/import{query}",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        headers=registry.admin,
    )


def active_workers(registry, enterprise_id: str) -> int:
    with registry.app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(Worker)
            .where(Worker.enterprise_id == enterprise_id, Worker.active.is_(True))
        )


def test_a_csv_with_good_and_bad_rows_creates_the_good_and_numbers_the_bad(any_db) -> None:
    enterprise = any_db.enterprise()
    taken = any_db.worker(any_db.enterprise()["id"])
    taken_number = any_db.worker_body()["id_number"]
    any_db.worker(enterprise["id"], id_number=taken_number)
    repeated = any_db.id_number()
    lines = [
        ",".join(HEADER),
        any_db.csv_row(),  # row 2: good
        any_db.csv_row(id_number="33040219900101123"),  # row 3: 17 characters
        any_db.csv_row(is_migrant="maybe", hired_on="2099-01-01"),  # row 4: two bad fields
        any_db.csv_row(id_number=repeated, is_migrant="1", is_union_member="0"),  # row 5: good
        any_db.csv_row(id_number=repeated),  # row 6: same person as row 5
        any_db.csv_row(id_number=taken_number),  # row 7: already active here
        any_db.csv_row(is_union_member="true", union_joined_on="2020/5/1"),  # row 8: good
    ]
    answer = post_csv(any_db, enterprise["id"], "\n".join(lines) + "\n")
    assert answer.status_code == 200, answer.json
    result = answer.json
    assert (result["rows"], result["created"], result["atomic"]) == (7, 3, False)
    rejected = {item["row"]: item["errors"] for item in result["rejected"]}
    assert list(rejected) == [3, 4, 6, 7]
    assert rejected[3] == {"id_number": ["must be 18 characters, got 17"]}
    assert set(rejected[4]) == {"is_migrant", "hired_on"}
    assert rejected[6] == {"id_number": ["the same ID number is already in row 5"]}
    assert "already registered" in rejected[7]["id_number"][0]
    assert active_workers(any_db, enterprise["id"]) == 1 + 3
    assert taken["enterprise_id"] != enterprise["id"]


def test_an_xlsx_upload_reads_typed_cells_and_keeps_spreadsheet_row_numbers(any_db) -> None:
    enterprise = any_db.enterprise()
    content = xlsx(
        [
            HEADER + ["备注"],
            [any_db.id_number(), "王芳", "6-04-02-01", True, False, None, datetime(2018, 3, 1)],
            [None] * 7,  # a blank row 3: skipped, but row 4 is still row 4
            [330402199001011234, "赵磊", "6-18-01-01", "否", "是", None, "2019-01-01"],
            [any_db.id_number(), "", "6-18-01-01", 1, 0, None, date(2019, 1, 1)],
            [
                any_db.id_number(),
                "钱军",
                "6-18-01-01",
                "是",
                "是",
                date(2021, 1, 1),
                date(2020, 1, 1),
                "实习转正",
            ],
        ]
    )
    answer = post_file(any_db, enterprise["id"], content)
    assert answer.status_code == 200, answer.json
    result = answer.json
    assert (result["rows"], result["created"]) == (4, 2)
    assert result["ignored_columns"] == ["备注"]
    rejected = {item["row"]: item["errors"] for item in result["rejected"]}
    assert list(rejected) == [4, 5]
    assert "format the column as text" in rejected[4]["id_number"][0]
    assert rejected[5] == {"name": ["is required"]}


def test_a_csv_file_can_also_come_as_a_multipart_upload_in_gb18030(registry) -> None:
    enterprise = registry.enterprise()
    text = ",".join(HEADER) + "\r\n" + registry.csv_row(name="陈静") + "\r\n"
    answer = post_file(registry, enterprise["id"], text.encode("gb18030"), name="职工.csv")
    assert answer.status_code == 200 and answer.json["created"] == 1
    worker = registry.client.get(
        f"/api/v1/enterprises/{enterprise['id']}/workers", headers=registry.admin
    ).json["items"][0]
    assert worker["name"] == "陈静"


def test_an_atomic_import_with_a_bad_row_creates_nobody_and_lists_every_bad_row(registry) -> None:
    enterprise = registry.enterprise()
    lines = [
        ",".join(HEADER),
        registry.csv_row(),
        registry.csv_row(hired_on="soon"),
        registry.csv_row(),
        registry.csv_row(is_union_member=""),
    ]
    answer = post_csv(registry, enterprise["id"], "\n".join(lines), query="?atomic=true")
    assert answer.status_code == 200
    result = answer.json
    assert (result["created"], result["atomic"]) == (0, True)
    assert [item["row"] for item in result["rejected"]] == [3, 5]
    assert "No worker was created" in result["detail"]
    assert active_workers(registry, enterprise["id"]) == 0
    good = [lines[0], lines[1], lines[3]]
    answer = post_csv(registry, enterprise["id"], "\n".join(good), query="?atomic=true")
    assert (answer.json["created"], answer.json["rejected"]) == (2, [])


@pytest.mark.parametrize(
    ("content", "status", "words"),
    [
        (b"", 422, "empty"),
        (("\n".join([",".join(HEADER), ",,,,,,", ""])).encode(), 422, "no data rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", 415, "neither CSV"),
        (bytes(range(256)) * 4, 415, "neither CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, 415, ".xls"),
        (b"PK\x03\x04not really a zip", 415, "not an XLSX"),
    ],
)
def test_files_that_are_not_usable_spreadsheets_are_refused_clearly(
    registry, content: bytes, status: int, words: str
) -> None:
    enterprise = registry.enterprise()
    answer = post_file(registry, enterprise["id"], content, name="upload.bin")
    assert answer.status_code == status
    assert answer.mimetype == "application/problem+json" and words in answer.json["detail"]


def test_a_missing_required_column_is_named(registry) -> None:
    enterprise = registry.enterprise()
    header = [column for column in HEADER if column != "hired_on"]
    answer = post_csv(registry, enterprise["id"], ",".join(header) + "\n1,2,3,4,5,6\n")
    assert answer.status_code == 422 and "hired_on" in answer.json["detail"]
    workbook = xlsx([["name", "hired_on"], ["x", "2020-01-01"]])
    answer = post_file(registry, enterprise["id"], workbook)
    assert answer.status_code == 422
    assert "id_number" in answer.json["detail"] and "is_migrant" in answer.json["detail"]


def test_the_upload_must_be_a_csv_body_or_a_multipart_file(registry) -> None:
    enterprise = registry.enterprise()
    url = f"/api/v1/enterprises/{enterprise['id']}/workers/import"
    as_json = registry.client.post(url, json={"rows": []}, headers=registry.admin)
    assert as_json.status_code == 415 and "text/csv" in as_json.json["detail"]
    no_file = registry.client.post(
        url, data={"other": "x"}, content_type="multipart/form-data", headers=registry.admin
    )
    assert no_file.status_code == 422 and "file" in no_file.json["errors"]


def test_importing_follows_the_same_access_rules_as_registering(registry) -> None:
    own, other = registry.enterprise(), registry.enterprise()
    text = ",".join(HEADER) + "\n" + registry.csv_row() + "\n"
    as_other = post_csv(
        registry, other["id"], text, headers=registry.headers("enterprise", own["id"])
    )
    assert as_other.status_code == 404
    as_reader = post_csv(registry, own["id"], text, headers=registry.headers("reader"))
    assert as_reader.status_code == 403
    as_owner = post_csv(
        registry, own["id"], text, headers=registry.headers("enterprise", own["id"])
    )
    assert as_owner.status_code == 200 and as_owner.json["created"] == 1


def test_an_import_that_loses_a_race_to_another_request_is_a_409_and_writes_nothing(
    registry, monkeypatch, caplog
) -> None:
    enterprise = registry.enterprise()
    body = registry.worker_body(name="吴敏")
    registry.worker(enterprise["id"], **body)
    events = len(registry.events())
    # the other request's worker arrives between this import's lookup and its insert
    monkeypatch.setattr(SqlRepository, "known_workers", lambda self, lookups: {})
    text = ",".join(HEADER) + "\n" + registry.csv_row() + "\n"
    text += registry.csv_row(id_number=body["id_number"], name="吴敏") + "\n"
    answer = post_csv(registry, enterprise["id"], text)
    assert answer.status_code == 409 and "at the same time" in answer.json["detail"]
    assert "吴敏" not in answer.get_data(as_text=True)
    assert not any("吴敏" in record.getMessage() for record in caplog.records)
    assert active_workers(registry, enterprise["id"]) == 1
    assert len(registry.events()) == events


def test_a_batch_that_keeps_losing_a_race_after_others_were_saved_reports_its_rows(
    registry, monkeypatch
) -> None:
    enterprise = registry.enterprise()
    body = registry.worker_body()
    registry.worker(enterprise["id"], **body)
    monkeypatch.setattr(runtime_of(registry.app), "config", RegistryConfig(import_chunk_rows=2))
    # another request's worker arrives between each lookup and its insert, every time
    monkeypatch.setattr(SqlRepository, "known_workers", lambda self, lookups: {})
    rows = [registry.csv_row() for _ in range(3)] + [registry.csv_row(id_number=body["id_number"])]
    answer = post_csv(registry, enterprise["id"], "\n".join([",".join(HEADER), *rows]) + "\n")
    assert answer.status_code == 200, answer.json
    assert (answer.json["rows"], answer.json["created"]) == (4, 2)
    assert [item["row"] for item in answer.json["rejected"]] == [4, 5]
    assert "was not saved; import it again" in answer.json["rejected"][0]["errors"]["id_number"][0]
    assert active_workers(registry, enterprise["id"]) == 1 + 2
