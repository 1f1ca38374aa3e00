"""No full ID number leaves the registry except through the audited ``/id-number`` endpoint:
not in a response body, not in a log record, not in an event."""

from __future__ import annotations

import io
import logging

from openpyxl import Workbook

HEADER = "id_number,name,occupation_code,is_migrant,is_union_member,union_joined_on,hired_on"


def test_a_realistic_day_leaks_no_full_id_number(registry, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    client, admin = registry.client, registry.admin
    bodies: list[str] = []

    def call(method: str, url: str, **kwargs):
        answer = getattr(client, method)(url, **kwargs)
        bodies.append(answer.get_data(as_text=True))
        return answer

    first = call("post", "/api/v1/enterprises", json=registry.enterprise_body(), headers=admin).json
    second = call(
        "post", "/api/v1/enterprises", json=registry.enterprise_body(), headers=admin
    ).json
    own = registry.headers("enterprise", first["id"])
    numbers = [registry.id_number() for _ in range(6)]
    worker = call(
        "post",
        f"/api/v1/enterprises/{first['id']}/workers",
        json=registry.worker_body(id_number=numbers[0]),
        headers=own,
    ).json
    call(
        "post",
        f"/api/v1/enterprises/{second['id']}/workers",  # active elsewhere: 409
        json=registry.worker_body(id_number=numbers[0]),
        headers=admin,
    )
    call(
        "post",
        f"/api/v1/enterprises/{first['id']}/workers",  # bad check character: 422
        json=registry.worker_body(
            id_number=numbers[1][:-1] + ("0" if numbers[1][-1] != "0" else "1")
        ),
        headers=own,
    )
    csv = "\n".join(
        [
            HEADER,
            registry.csv_row(id_number=numbers[2]),
            registry.csv_row(id_number=numbers[2]),
            registry.csv_row(id_number=numbers[0]),
        ]
    )
    call(
        "post",
        f"/api/v1/enterprises/{first['id']}/workers/import",
        data=csv,
        content_type="text/csv",
        headers=own,
    )
    workbook = Workbook()
    workbook.active.append(HEADER.split(","))
    workbook.active.append([numbers[3], "孙丽", "6-04-02-01", "否", "是", None, "2019-01-01"])
    workbook.active.append([numbers[4], "周强", "6-04-02-01", "maybe", "是", None, "2019-01-01"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    call(
        "post",
        f"/api/v1/enterprises/{first['id']}/workers/import",
        data={"file": (io.BytesIO(buffer.getvalue()), "w.xlsx")},
        content_type="multipart/form-data",
        headers=admin,
    )
    call("get", f"/api/v1/enterprises/{first['id']}/workers", headers=own)
    call("get", f"/api/v1/workers/{worker['id']}", headers=own)
    call("patch", f"/api/v1/workers/{worker['id']}", json={"name": "张伟明"}, headers=own)
    call(
        "post",
        f"/api/v1/workers/{worker['id']}/transfer",
        json={"enterprise_id": second["id"]},
        headers=own,
    )
    call("get", "/api/v1/stats", headers=registry.headers("reader"))
    call("get", "/api/v1/enterprises", headers=admin)

    audited = client.get(
        f"/api/v1/workers/{worker['id']}/id-number?reason=audit+check", headers=admin
    )
    assert audited.json["id_number"] == numbers[0]  # the one sanctioned way out

    logs = [record.getMessage() for record in caplog.records]
    events = [str(data) for _, _, data in registry.events()]
    assert len(events) >= 6 and len(bodies) == 13
    for number in numbers:
        for where, texts in (("body", bodies), ("log", logs), ("event", events)):
            leaks = [text for text in texts if number in text]
            assert not leaks, f"a full ID number leaked into a {where}: {leaks[0][:200]}"
