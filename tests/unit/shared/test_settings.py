from pathlib import Path

import pytest

from shared.settings import ConfigurationError, Settings, whole_number_setting


def test_embedded_mode_generates_one_secret_and_every_later_read_agrees(tmp_path: Path) -> None:
    env = {"JIANGONG_DATA_DIR": str(tmp_path)}
    first = Settings.from_env(env)
    second = Settings.from_env(env)
    assert len(first.secret) >= 32
    assert first.secret == second.secret
    assert (tmp_path / "secret").stat().st_mode & 0o777 == 0o600


def test_production_without_a_secret_refuses_to_start_and_names_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="JIANGONG_SECRET"):
        Settings.from_env({"JIANGONG_ENV": "production", "JIANGONG_DATA_DIR": str(tmp_path)})
    assert not (tmp_path / "secret").exists()


def test_production_without_a_pii_key_refuses_to_start_and_names_it() -> None:
    with pytest.raises(ConfigurationError, match="JIANGONG_PII_KEY"):
        Settings.from_env({"JIANGONG_ENV": "production", "JIANGONG_SECRET": "s" * 40})


def test_each_service_gets_its_own_sqlite_file_unless_a_url_is_given(tmp_path: Path) -> None:
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path)})
    assert settings.database_url_for("registry") == f"sqlite:///{tmp_path / 'registry.db'}"
    assert settings.bus_kind == "inprocess"
    distributed = Settings.from_env(
        {
            "JIANGONG_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgresql+psycopg://db/all",
            "JIANGONG_REGISTRY_DATABASE_URL": "postgresql+psycopg://db/registry",
            "KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
        }
    )
    assert distributed.database_url_for("registry") == "postgresql+psycopg://db/registry"
    assert distributed.database_url_for("competitions") == "postgresql+psycopg://db/all"
    assert distributed.bus_kind == "kafka"


@pytest.mark.parametrize("value", ["yes", "-1", "1.5", "11"])
def test_a_proxy_count_that_is_not_a_small_whole_number_is_refused_and_named(value: str) -> None:
    with pytest.raises(ConfigurationError, match="JIANGONG_TRUSTED_PROXIES"):
        Settings.from_env({"JIANGONG_SECRET": "s" * 40, "JIANGONG_TRUSTED_PROXIES": value})


def test_no_proxy_is_trusted_unless_one_is_configured() -> None:
    assert Settings.from_env({"JIANGONG_SECRET": "s" * 40}).trusted_proxies == 0
    configured = {"JIANGONG_SECRET": "s" * 40, "JIANGONG_TRUSTED_PROXIES": "1"}
    assert Settings.from_env(configured).trusted_proxies == 1


@pytest.mark.parametrize("value", ["", "  "])
def test_a_whole_number_setting_left_empty_takes_its_default(value: str) -> None:
    assert whole_number_setting({"JIANGONG_X": value}, "JIANGONG_X", 7) == 7
    assert whole_number_setting({}, "JIANGONG_X", 7) == 7


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "ten"])
def test_a_whole_number_setting_below_one_or_not_whole_is_refused_naming_it(value: str) -> None:
    with pytest.raises(ConfigurationError, match=f"JIANGONG_X is '{value}'"):
        whole_number_setting({"JIANGONG_X": value}, "JIANGONG_X", 7)
