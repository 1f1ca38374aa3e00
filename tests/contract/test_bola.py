"""BOLA matrix from the OpenAPI documents: every operation whose path takes an id of an
enterprise-owned object, called with another enterprise's token, answers 404 (problem+json)
and changes nothing in the database. Operations the enterprise role may not call at all answer
403 and change nothing either; public ones are listed by design."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from services.certification.service import SERVICE as CERTIFICATION
from services.competitions.service import SERVICE as COMPETITIONS
from services.registry.service import SERVICE as REGISTRY
from shared.app import create_app
from shared.runtime import migrate
from shared.settings import Settings
from tests.integration.certification.conftest import build_world as certification_world
from tests.integration.competitions.conftest import build_world as competitions_world
from tests.integration.registry.conftest import CSV_HEADER, Registry
from tests.support.polling import wait_until

PUBLIC = {
    ("competitions", "GET", "/api/v1/competitions/{competition_id}/leaderboard"),
    ("certification", "GET", "/api/v1/certificates/{number}"),  # certificate verification
    # competitions are published by the federation, not owned by an enterprise
    ("competitions", "GET", "/api/v1/competitions/{competition_id}"),
    ("competitions", "GET", "/api/v1/competitions/{competition_id}/entries"),
}
ROLE_REFUSED = {  # the enterprise role is refused whatever the object (403)
    ("registry", "PATCH", "/api/v1/enterprises/{enterprise_id}"),
    ("registry", "POST", "/api/v1/enterprises/{enterprise_id}/deregister"),
    ("registry", "GET", "/api/v1/workers/{worker_id}/id-number"),
    ("competitions", "POST", "/api/v1/competitions/{competition_id}/open"),
    ("competitions", "POST", "/api/v1/competitions/{competition_id}/close"),
    ("competitions", "POST", "/api/v1/competitions/{competition_id}/publish"),
    ("competitions", "GET", "/api/v1/competitions/{competition_id}/judges"),
    ("competitions", "POST", "/api/v1/competitions/{competition_id}/judges"),
    ("competitions", "DELETE", "/api/v1/competitions/{competition_id}/judges/{judge_id}"),
    ("competitions", "PATCH", "/api/v1/competitions/{competition_id}"),
    ("competitions", "PUT", "/api/v1/competitions/{competition_id}/entries/{entry_id}/scores"),
    ("certification", "GET", "/api/v1/assessors/{assessor_id}"),
    ("certification", "POST", "/api/v1/assessors/{assessor_id}/authorisations"),
    (
        "certification",
        "POST",
        "/api/v1/assessors/{assessor_id}/authorisations/{authorisation_id}/end",
    ),
    ("certification", "GET", "/api/v1/assessments/{assessment_id}"),
    ("certification", "POST", "/api/v1/certificates/{number}/revoke"),
    ("certification", "GET", "/api/v1/rules/{kind}"),
    ("certification", "PUT", "/api/v1/rules/{kind}"),
    ("certification", "POST", "/api/v1/studios/{studio_id}/approve"),
}
# the body (if any) sent with B's token against A's object: a valid-looking request
BODIES: dict[tuple[str, str, str], Any] = {
    ("registry", "PATCH", "/api/v1/enterprises/{enterprise_id}"): {"employee_count": 5},
    ("registry", "POST", "/api/v1/enterprises/{enterprise_id}/deregister"): {},
    ("registry", "PATCH", "/api/v1/workers/{worker_id}"): {"name": "改名"},
    ("registry", "POST", "/api/v1/workers/{worker_id}/transfer"): "transfer",
    ("registry", "POST", "/api/v1/workers/{worker_id}/leave"): {"left_on": "2025-01-01"},
    ("registry", "POST", "/api/v1/enterprises/{enterprise_id}/workers"): "worker",
    ("registry", "POST", "/api/v1/enterprises/{enterprise_id}/workers/import"): "csv",
    ("competitions", "POST", "/api/v1/competitions/{competition_id}/entries"): "entry",
    ("competitions", "POST", "/api/v1/competitions/{competition_id}/judges"): "judge",
    ("competitions", "PUT", "/api/v1/competitions/{competition_id}/entries/{entry_id}/scores"): {
        "marks": {"quality": 50, "safety": 50}
    },
    ("certification", "POST", "/api/v1/assessors/{assessor_id}/authorisations"): {},
    ("certification", "PUT", "/api/v1/rules/{kind}"): {},
}
METHODS = ("get", "post", "put", "patch", "delete")


def operations(app: Any, service: str) -> list[tuple[str, str, str]]:
    document = app.test_client().get("/api/openapi.json").json
    found = []
    for path, item in document["paths"].items():
        if "{" not in path:
            continue
        for method in METHODS:
            if method in item:
                found.append((service, method.upper(), path))
    return found


def dump(app: Any, definition: Any) -> dict[str, list[tuple[Any, ...]]]:
    with app.app_context():
        session = definition.db.session
        return {
            table.name: sorted(
                (tuple(map(repr, row)) for row in session.execute(select(table))), key=repr
            )
            for table in definition.db.metadata.sorted_tables
        }


class Matrix:
    def __init__(self, tmp_path: Path):
        (tmp_path / "r").mkdir()
        (tmp_path / "c").mkdir()
        (tmp_path / "z").mkdir()
        settings = Settings.from_env(  # a file of more than 2 rows is a background job
            {"JIANGONG_DATA_DIR": str(tmp_path / "r"), "JIANGONG_IMPORT_BACKGROUND_ROWS": "2"}
        )
        app = create_app(REGISTRY, settings, {"DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"})
        migrate(app)
        self.registry = Registry(app, settings)
        self.competitions = competitions_world(tmp_path / "c")
        self.certification = certification_world(tmp_path / "z")
        self.ids: dict[str, str] = {}

    def close(self) -> None:
        for app, definition in (
            (self.registry.app, REGISTRY),
            (self.competitions.app, COMPETITIONS),
            (self.certification.app, CERTIFICATION),
        ):
            with app.app_context():
                definition.db.engine.dispose()

    def build(self) -> None:
        registry = self.registry
        a = registry.enterprise()
        b = registry.enterprise()
        worker = registry.worker(a["id"])
        csv = CSV_HEADER + "\n" + "\n".join(registry.csv_row() for _ in range(3)) + "\n"
        job = registry.client.post(
            f"/api/v1/enterprises/{a['id']}/workers/import",
            data=csv.encode(),
            content_type="text/csv",
            headers=registry.admin,
        )
        self.ids.update(enterprise_a=a["id"], enterprise_b=b["id"], worker=worker["id"])
        assert job.status_code == 202, job.json
        self.ids["job"] = job.json["id"]
        wait_until(  # the background job is done before anything is compared
            lambda: (
                registry.client.get(job.headers["Location"], headers=registry.admin).json["state"]
                in ("done", "failed")
            ),
            timeout=30,
        )
        # the replicas learn of A, B and A's workers through their consumers
        competitions, certification = self.competitions, self.certification
        for enterprise in (a, b):
            competitions.enterprise(id=enterprise["id"])
        competitions.worker(a["id"], id=worker["id"])
        leader = certification.worker(a["id"], id=worker["id"])
        competition = competitions.competition()
        competitions.move(competition, "open")
        entry = competitions.enter(competition, a["id"], worker["id"])
        assert entry.status_code == 201, entry.json
        self.ids.update(competition=competition, entry=entry.json["id"])
        studio = certification.client.post(
            "/api/v1/studios",
            json={
                "name": "数控技术创新工作室",
                "enterprise_id": a["id"],
                "leader_worker_id": leader,
                "level": "municipal",
                "leader_is_model_worker": True,
            },
            headers=certification.auth(),
        )
        assert studio.status_code == 201, studio.json
        self.ids["studio"] = studio.json["id"]

    def target(self, service: str, path: str) -> str:
        names = {
            "enterprise_id": self.ids["enterprise_a"],
            "worker_id": self.ids["worker"],
            "job_id": self.ids.get("job", "no-job"),
            "competition_id": self.ids["competition"],
            "entry_id": self.ids["entry"],
            "studio_id": self.ids["studio"],
            "judge_id": "judge-any",
            "assessor_id": "asr-any",
            "authorisation_id": "auth-any",
            "assessment_id": "asm-any",
            "number": "CERT-any",
            "kind": "skill_level",
        }

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in names:
                raise KeyError(name)
            return names[name]

        return re.sub(r"\{([^}]+)\}", fill, path)

    def body(self, key: tuple[str, str, str]) -> dict[str, Any]:
        spec = BODIES.get(key)
        if spec == "transfer":
            return {
                "json": {"enterprise_id": self.ids["enterprise_b"], "transferred_on": "2025-01-02"}
            }
        if spec == "worker":
            return {"json": self.registry.worker_body()}
        if spec == "csv":
            text = CSV_HEADER + "\n" + self.registry.csv_row() + "\n"
            return {"data": text.encode(), "content_type": "text/csv"}
        if spec == "entry":
            return {
                "json": {
                    "enterprise_id": self.ids["enterprise_a"],
                    "worker_ids": [self.ids["worker"]],
                    "team_name": "班组",
                }
            }
        if spec == "judge":
            return {"json": {"judge_id": "judge-x", "enterprise_id": None}}
        if spec is None:
            return {}
        return {"json": spec}


@pytest.fixture
def matrix(tmp_path: Path) -> Iterator[Matrix]:
    built = Matrix(tmp_path)
    built.build()
    yield built
    built.close()


def test_another_enterprises_objects_are_404_and_untouched(matrix: Matrix) -> None:
    services: dict[str, tuple[Any, Any, Callable[..., dict[str, str]]]] = {
        "registry": (
            matrix.registry.app,
            REGISTRY,
            lambda: matrix.registry.headers("enterprise", matrix.ids["enterprise_b"]),
        ),
        "competitions": (
            matrix.competitions.app,
            COMPETITIONS,
            lambda: matrix.competitions.auth("enterprise", matrix.ids["enterprise_b"]),
        ),
        "certification": (
            matrix.certification.app,
            CERTIFICATION,
            lambda: matrix.certification.auth("enterprise", matrix.ids["enterprise_b"]),
        ),
    }
    owners = {
        "registry": lambda: matrix.registry.headers("enterprise", matrix.ids["enterprise_a"]),
        "competitions": lambda: matrix.competitions.auth("enterprise", matrix.ids["enterprise_a"]),
        "certification": lambda: matrix.certification.auth(
            "enterprise", matrix.ids["enterprise_a"]
        ),
    }
    ops = [op for name, (app, _, _) in services.items() for op in operations(app, name)]
    unmapped, failures, counted = [], [], {"404": 0, "403": 0, "public": 0}
    for key in ops:
        service, method, path = key
        app, definition, headers = services[service]
        owner = owners[service]
        if key in PUBLIC:
            counted["public"] += 1
            continue
        try:
            url = matrix.target(service, path)
        except KeyError:
            unmapped.append(f"{method} {service}{path}")
            continue
        expected = 403 if key in ROLE_REFUSED else 404
        before = dump(app, definition)
        answer = app.test_client().open(url, method=method, headers=headers(), **matrix.body(key))
        after = dump(app, definition)
        changed = [name for name in before if before[name] != after[name]]
        problem = answer.headers.get("Content-Type", "").startswith("application/problem+json")
        if answer.status_code != expected or not problem or changed:
            failures.append(
                f"{method} {service}{path}: {answer.status_code} "
                f"{answer.headers.get('Content-Type')} changed={changed} "
                f"{answer.get_data()[:200]!r}"
            )
        if expected == 404 and method == "GET":  # the object is there: A's or an admin sees it
            admin = app.test_client().get(url, headers=owner())
            if admin.status_code != 200:
                failures.append(f"{method} {service}{path}: the owner got {admin.status_code}")
        counted[str(expected)] += 1
    print(f"\nBOLA matrix: {len(ops)} operations with an id: {counted}")
    assert not unmapped, f"operations the BOLA matrix cannot map: {unmapped}"
    assert not failures, "\n".join(failures)
