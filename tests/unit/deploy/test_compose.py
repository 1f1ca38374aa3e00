"""docker-compose.yml, checked without a Docker engine: against the Compose Specification's JSON
schema (the copy check-jsonschema ships), and against the platform's processes as
jiangong/deployment.py names them."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from jiangong.cli import main
from jiangong.deployment import WITHOUT_WORKER, database_variable, processes
from jiangong.services import SERVICE_MODULES
from shared.settings import SERVICE_PORTS

ROOT = Path(__file__).resolve().parents[3]
INFRASTRUCTURE = {"kafka", "postgres", "proxy"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


def compose_specification() -> dict[str, Any]:
    schema = files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    loaded: dict[str, Any] = json.loads(schema.read_text(encoding="utf-8"))
    return loaded


def test_the_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = compose_specification()
    assert schema["title"] == "Compose Specification"
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in validator.iter_errors(compose)
    ]
    assert errors == []


def test_the_schema_would_catch_a_mistake(compose: dict[str, Any]) -> None:
    schema = compose_specification()
    broken = {**compose, "services": {"registry": {"image": "x", "helthcheck": {}}}}
    assert not jsonschema.validators.validator_for(schema)(schema).is_valid(broken)


def test_the_compose_services_are_the_platforms_processes(
    services: dict[str, dict[str, Any]],
) -> None:
    assert set(services) == {process.name for process in processes()} | INFRASTRUCTURE


@pytest.mark.parametrize("process", processes(), ids=lambda process: process.name)
def test_each_process_runs_its_command_with_its_environment(
    services: dict[str, dict[str, Any]], process: Any
) -> None:
    service = services[process.name]
    assert service["command"] == list(process.command)
    environment = set(service["environment"])
    assert environment >= set(process.environment)
    databases = {database_variable(name) for name in SERVICE_MODULES}
    assert environment & databases == set(process.environment) & databases, (
        "a process is given the database of no service but its own"
    )


def test_each_service_database_is_its_own_and_postgres_creates_each(
    services: dict[str, dict[str, Any]],
) -> None:
    created = re.findall(
        r"^CREATE DATABASE (\w+);", (ROOT / "deploy/postgres-init.sql").read_text(), re.M
    )
    assert sorted(created) == sorted(SERVICE_MODULES)
    for process in processes():
        for variable, url in services[process.name]["environment"].items():
            if variable in {database_variable(name) for name in SERVICE_MODULES}:
                name = variable.removeprefix("JIANGONG_").removesuffix("_DATABASE_URL").lower()
                assert url.startswith("postgresql+psycopg://"), variable
                assert url.rsplit("/", 1)[1] == name, variable
                assert "@postgres:5432/" in url, variable


def test_one_image_runs_every_process_with_jiangong_as_its_entrypoint(
    services: dict[str, dict[str, Any]],
) -> None:
    ours = [services[process.name] for process in processes()]
    assert len({service["image"] for service in ours}) == 1
    assert len({json.dumps(service["build"], sort_keys=True) for service in ours}) == 1
    assert ours[0]["build"]["dockerfile"] == "deploy/Dockerfile"
    assert not any("build" in services[name] for name in INFRASTRUCTURE)


def test_every_long_lived_container_has_a_health_check(
    services: dict[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    long_lived = [process.name for process in processes() if not process.one_shot]
    for name in [*long_lived, *INFRASTRUCTURE]:
        check = services[name].get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), name
        assert services[name].get("restart") == "unless-stopped", name
    for name in SERVICE_MODULES:
        api = " ".join(services[name]["healthcheck"]["test"])
        assert f"http://127.0.0.1:{SERVICE_PORTS[name]}/readyz" in api
        if name in WITHOUT_WORKER:
            continue
        worker = " ".join(services[f"{name}-worker"]["healthcheck"]["test"])
        port = re.search(r"http://127\.0\.0\.1:(\d+)/metrics", worker)
        assert port, worker
        with pytest.raises(SystemExit):
            main(["worker", name, "--help"])
        advertised = " ".join(capsys.readouterr().out.split())
        assert f"{name} {port[1]}" in advertised, "the worker's default metrics port"


def test_the_one_shot_steps_come_first_and_the_topics_wait_for_kafka(
    services: dict[str, dict[str, Any]],
) -> None:
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["topics"]["depends_on"] == {"kafka": {"condition": "service_healthy"}}
    assert services["topics"]["command"] == ["topics"]
    for step in ("migrate", "topics"):
        assert services[step].get("restart", "no") == "no", step
    done = {"condition": "service_completed_successfully"}
    for process in processes():
        if not process.one_shot:
            depends = services[process.name]["depends_on"]
            assert depends == {"migrate": done, "topics": done}, process.name


def test_kafka_runs_one_kraft_broker_that_creates_no_topic_by_itself(
    services: dict[str, dict[str, Any]],
) -> None:
    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    environment = kafka["environment"]
    assert environment["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert set(environment["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert environment["KAFKA_CONTROLLER_QUORUM_VOTERS"].count("@") == 1
    assert environment["KAFKA_LOG_RETENTION_MS"] == -1  # replay rebuilds from every event
    assert any(v.endswith(":" + environment["KAFKA_LOG_DIRS"]) for v in kafka["volumes"])
    bootstrap = {
        services[process.name]["environment"]["KAFKA_BOOTSTRAP_SERVERS"] for process in processes()
    }
    assert bootstrap == {environment["KAFKA_ADVERTISED_LISTENERS"].removeprefix("PLAINTEXT://")}


def test_the_proxy_is_the_only_published_port(services: dict[str, dict[str, Any]]) -> None:
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    (port,) = services["proxy"]["ports"]
    assert port == "${PROXY_PUBLISH:-8000}:80"  # the dashboard's port, as embedded
    assert services["proxy"]["image"].startswith("nginx:")
    (config,) = services["proxy"]["volumes"]
    assert config == "./deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro"
    assert (ROOT / "deploy/nginx/nginx.conf").is_file()


def test_each_api_believes_one_proxy_and_no_worker_does(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in SERVICE_MODULES:
        assert services[name]["environment"]["JIANGONG_TRUSTED_PROXIES"] == "1", name
        worker = services.get(f"{name}-worker", {})
        assert "JIANGONG_TRUSTED_PROXIES" not in worker.get("environment", {})
        assert "ports" not in worker  # scraped on the compose network


def test_the_workbench_is_told_where_the_apis_it_calls_are(
    services: dict[str, dict[str, Any]],
) -> None:
    environment = services["workbench"]["environment"]
    for name in ("registry", "competitions", "certification", "dashboard"):
        url = environment[f"JIANGONG_{name.upper()}_BASE_URL"]
        assert url == f"http://{name}:{SERVICE_PORTS[name]}", name
    assert "workbench-worker" not in services  # it relays, consumes and schedules nothing


def test_the_image_runs_jiangong_and_holds_the_projects_packages() -> None:
    dockerfile = (ROOT / "deploy/Dockerfile").read_text()
    (entrypoint,) = re.findall(r"^ENTRYPOINT\s+(.+)$", dockerfile, re.M)
    assert json.loads(entrypoint) == ["jiangong"]
    copied = re.findall(r"^COPY\s+(\S+)\s", dockerfile, re.M)
    assert {"shared", "services", "jiangong"} <= set(copied)
    assert re.search(r"^USER\s+(?!root\b)\S+", dockerfile, re.M), "the processes run as no root"
