"""A background import whose process stopped is failed as soon as the platform starts again,
with a reason the clerk reads (Chinese and English), not left ``running`` for ten minutes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from werkzeug.test import Client

from jiangong.platform import EmbeddedPlatform
from services.registry.adapters.orm import ImportJob, db
from services.registry.commands import FinishImportJob, ImportChunk, StartImportJob
from services.registry.domain.workers import CheckedRow
from shared.auth import issue_token
from shared.identifiers import make_uscc
from shared.runtime import run
from shared.settings import Settings


def admin(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(settings.secret, 'admin', None)}"}


def enterprise_body() -> dict[str, object]:
    return {
        "uscc": make_uscc("91330402MA2B3C4D5"),
        "name": "嘉兴重启测试有限公司",
        "region_code": "330402",
        "has_union": False,
        "above_designated_size": False,
        "ownership": "non_public",
        "employee_count": 12,
    }


def test_the_imports_a_stopped_platform_was_running_are_failed_when_it_starts(
    tmp_path: Path,
) -> None:
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path)})
    before = EmbeddedPlatform(settings, names=["registry"])
    app = before.apps["registry"]
    answer = Client(before.wsgi).post(
        "/registry/api/v1/enterprises", json=enterprise_body(), headers=admin(settings)
    )
    enterprise_id = answer.get_json()["id"]
    bad = {"id_number": ["is required"]}
    for job_id in ("running-job", "queued-job", "done-job"):
        run(app, StartImportJob(job_id, enterprise_id, 9, False, "admin"))
    run(app, ImportChunk("running-job", [CheckedRow(2, errors=bad), CheckedRow(3, errors=bad)]))
    run(app, FinishImportJob("done-job"))
    with app.app_context():
        db.engine.dispose()  # the process stops here, its import threads with it

    after = EmbeddedPlatform(settings, names=["registry"])
    after.start()
    try:
        client, headers = Client(after.wsgi), admin(settings)
        running = client.get("/registry/api/v1/import-jobs/running-job", headers=headers)
        queued = client.get("/registry/api/v1/import-jobs/queued-job", headers=headers)
        done = client.get("/registry/api/v1/import-jobs/done-job", headers=headers)
        with after.apps["registry"].app_context():
            states = dict(db.session.execute(select(ImportJob.id, ImportJob.state)).all())
    finally:
        after.stop()
    assert states == {"running-job": "failed", "queued-job": "failed", "done-job": "done"}
    error = running.get_json()["error"]
    assert "平台在导入期间重新启动" in error and "第 3 行之后" in error
    assert "The platform restarted during the import" in error
    assert "after spreadsheet row 3 (2 of 9 rows checked)" in error
    assert "before its first row" in queued.get_json()["error"]
    assert done.get_json()["error"] is None
