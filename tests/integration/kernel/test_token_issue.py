"""``jiangong token issue --ttl``: no token of the platform lives longer than it accepts."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest

from jiangong.cli import main
from shared.auth import TokenVerifier
from shared.settings import Settings


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIANGONG_DATA_DIR", str(tmp_path))


@pytest.mark.parametrize("ttl", ["13h", "1d", "30d", "43201s"])
def test_a_ttl_past_twelve_hours_is_refused_saying_the_longest(
    ttl: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "issue", "--role", "reader", "--ttl", ttl]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "a token may live at most 12 hours" in err


def test_a_ttl_of_twelve_hours_issues_a_token_the_platform_accepts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["token", "issue", "--role", "reader", "--ttl", "12h"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["iss"], claims["exp"] - claims["iat"]) == ("jiangong", 12 * 3600)
    assert TokenVerifier(Settings.from_env().secret).verify(token).role == "reader"
