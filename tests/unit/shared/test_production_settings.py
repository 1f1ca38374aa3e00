"""Production mode refuses what only embedded mode may use, and says what to set: a default,
generated or short secret, SQLite (or no database), the in-process bus. It is checked where a
service starts (``create_app``: ``serve``, ``worker``, ``migrate``), not where a token is
issued."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiangong.cli import main
from jiangong.platform import definition
from shared.app import create_app
from shared.settings import ConfigurationError, Settings

SECRET = "s" * 16 + "0123456789abcdef0123"  # 36 characters
POSTGRES = "postgresql+psycopg://jiangong:pw@db/registry"


def production(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {
        "JIANGONG_ENV": "production",
        "JIANGONG_DATA_DIR": str(tmp_path),
        "JIANGONG_SECRET": SECRET,
        "JIANGONG_PII_KEY": "k" * 40,
        "DATABASE_URL": POSTGRES,
        "KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v}


def refusal(env: dict[str, str], service: str = "registry") -> str:
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_env(env).refuse_unfit_for_production(service)
    return str(caught.value)


def test_a_complete_production_configuration_is_accepted(tmp_path: Path) -> None:
    Settings.from_env(production(tmp_path)).refuse_unfit_for_production("registry")


def test_embedded_mode_checks_nothing(tmp_path: Path) -> None:
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path), "JIANGONG_SECRET": "x"})
    settings.refuse_unfit_for_production("registry")


@pytest.mark.parametrize("secret", ["change-me", "CHANGEME", "secret", "jiangong"])
def test_a_placeholder_secret_is_refused(tmp_path: Path, secret: str) -> None:
    message = refusal(production(tmp_path, JIANGONG_SECRET=secret))
    assert "JIANGONG_SECRET" in message
    assert "default" in message


def test_the_secret_generated_for_embedded_mode_is_refused(tmp_path: Path) -> None:
    generated = Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path)}).secret  # written there
    assert len(generated) >= 32
    message = refusal(production(tmp_path, JIANGONG_SECRET=generated))
    assert "JIANGONG_SECRET" in message
    assert "generated" in message


def test_a_short_secret_is_refused_with_the_length_it_needs(tmp_path: Path) -> None:
    message = refusal(production(tmp_path, JIANGONG_SECRET="x7Qp" * 7 + "abc"))  # 31
    assert "JIANGONG_SECRET has 31 characters" in message
    assert "at least 32" in message


def test_a_missing_secret_is_still_refused_when_read(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="JIANGONG_SECRET is not set"):
        Settings.from_env(production(tmp_path, JIANGONG_SECRET=""))


@pytest.mark.parametrize(
    "overrides",
    [{"DATABASE_URL": ""}, {"DATABASE_URL": "sqlite:///var/registry.db"}],
    ids=["missing", "sqlite"],
)
def test_sqlite_or_no_database_is_refused_naming_both_variables(
    tmp_path: Path, overrides: dict[str, str]
) -> None:
    message = refusal(production(tmp_path, **overrides))
    assert "JIANGONG_REGISTRY_DATABASE_URL" in message
    assert "DATABASE_URL" in message
    assert "PostgreSQL" in message


def test_a_services_own_database_url_is_judged_before_the_shared_one(tmp_path: Path) -> None:
    sqlite_own = production(tmp_path, JIANGONG_COMPETITIONS_DATABASE_URL="sqlite:///c.db")
    assert "competitions's database is SQLite" in refusal(sqlite_own, "competitions")
    Settings.from_env(sqlite_own).refuse_unfit_for_production("registry")  # the shared one
    own_only = production(tmp_path, DATABASE_URL="", JIANGONG_REGISTRY_DATABASE_URL=POSTGRES)
    Settings.from_env(own_only).refuse_unfit_for_production("registry")


def test_the_in_process_bus_is_refused(tmp_path: Path) -> None:
    message = refusal(production(tmp_path, KAFKA_BOOTSTRAP_SERVERS=""))
    assert "KAFKA_BOOTSTRAP_SERVERS is not set" in message


def test_a_service_does_not_start_in_production_on_sqlite(tmp_path: Path) -> None:
    settings = Settings.from_env(production(tmp_path, DATABASE_URL="sqlite:///x.db"))
    with pytest.raises(ConfigurationError, match="registry's database is SQLite"):
        create_app(definition("registry"), settings)


def test_issuing_a_token_is_not_refused_for_a_missing_bus_or_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = production(tmp_path, DATABASE_URL="", KAFKA_BOOTSTRAP_SERVERS="")
    for name in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["token", "issue", "--role", "admin"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].count(".") == 2
