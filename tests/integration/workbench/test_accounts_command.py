"""``jiangong accounts``: create, list, disable and reset, on an embedded data dir, checking an
enterprise clerk's enterprise with the registry."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from jiangong.cli import main
from tests.support.workbench import PASSWORD, workbench_platform


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JIANGONG_DATA_DIR", str(tmp_path))
    for variable in ("JIANGONG_REGISTRY_BASE_URL", "JIANGONG_ENV", "DATABASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    return tmp_path


def accounts(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["accounts", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_an_account_without_a_password_prints_a_one_time_one_that_signs_in(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = accounts(
        capsys, "create", "--login", "admin", "--name", "管理员", "--role", "admin"
    )
    assert code == 0
    one_time = out.strip().splitlines()[-1]
    with workbench_platform(data_dir) as bench:
        person = bench.person()
        person.sign_in("admin", one_time)
        assert person.get("/workbench/").headers["Location"] == "/workbench/account"


def test_a_clerk_for_an_enterprise_the_registry_does_not_hold_is_refused(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with workbench_platform(data_dir) as bench:
        enterprise = bench.enterprise()
    args = ["create", "--login", "clerk", "--name", "经办", "--role", "enterprise"]
    code, _, err = accounts(capsys, *args, "--enterprise", "no-such-enterprise")
    assert code == 2 and "no-such-enterprise" in err
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, out, _ = accounts(capsys, *args, "--enterprise", enterprise["id"], "--password-stdin")
    assert code == 0 and PASSWORD not in out
    code, out, _ = accounts(capsys, "list")
    assert "clerk" in out and f"enterprise for {enterprise['id']}" in out and "active" in out


def test_disable_and_reset_work_on_a_running_platforms_data_dir(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with workbench_platform(data_dir) as bench:
        login = bench.account("admin")
        person = bench.person()
        person.sign_in(login)
        assert accounts(capsys, "disable", "--login", login)[0] == 0
        assert person.get("/workbench/").status_code == 302
        code, out, _ = accounts(capsys, "reset", "--login", login)
        assert code == 0
        person.sign_in(login, out.strip().splitlines()[-1])
        assert person.get("/workbench/").headers["Location"] == "/workbench/account"
    code, _, err = accounts(capsys, "disable", "--login", "nobody")
    assert code == 2 and "No account with that login." in err
