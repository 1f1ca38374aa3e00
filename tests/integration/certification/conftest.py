"""A certification service per test, on SQLite in tmp_path (or PostgreSQL), with the real event
paths: registry and competitions events fed through the service's consumer, and the service's
own outbox relayed onto an in-process bus and consumed again (which is what moves its counts)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from flask import Flask

from services.certification.service import SERVICE
from shared.events import new_event
from tests.support.facts import worker_facts
from tests.support.worlds import ServiceWorld, service_app, world_fixtures


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class World(ServiceWorld):
    """One service and the handles a test needs: HTTP, tokens, other services' events, the bus."""

    def __init__(self, app: Flask):
        super().__init__(app, SERVICE, datetime(2025, 6, 2, 2, 0, tzinfo=UTC))  # 10:00, a Monday

    # -- other services' events, through the consumer ------------------------------------
    def event(self, producer: str, event_type: str, subject: str, data: dict[str, Any]) -> Any:
        event = new_event(producer, f"jiangong.{event_type}.v1", subject, data)
        self.deliver(event)
        return event

    def worker(
        self,
        enterprise_id: str | None = None,
        region_code: str = "330402",
        event_type: str = "worker.registered",
        **data: Any,
    ) -> str:
        """A worker announced by the registry; returns their id."""
        worker_id = data.pop("id", None) or new_id("wkr")
        facts = worker_facts(worker_id, enterprise_id or new_id("ent"), region_code=region_code)
        self.event("registry", event_type, worker_id, {**facts, **data})
        return worker_id

    # -- the API, for the common steps ---------------------------------------------------
    def assessor(
        self, occupation_code: str = "6-18-01-01", levels: tuple[int, ...] = (5, 4, 3, 2, 1)
    ) -> str:
        body = {
            "name": "李评价",
            "authorisations": [
                {
                    "occupation_code": occupation_code,
                    "levels": list(levels),
                    "valid_from": "2020-01-01",
                    "valid_until": "2030-12-31",
                }
            ],
        }
        answer = self.client.post("/api/v1/assessors", json=body, headers=self.auth())
        assert answer.status_code == 201, answer.json
        return str(answer.json["id"])

    def assess(
        self,
        assessor_id: str,
        worker_id: str,
        level: int = 5,
        assessed_on: date | str = "2025-05-20",
        theory: float = 80,
        practical: float = 85,
        review_passed: bool | None = None,
        occupation_code: str = "6-18-01-01",
    ) -> Any:
        body = {
            "worker_id": worker_id,
            "occupation_code": occupation_code,
            "level": level,
            "theory_score": theory,
            "practical_score": practical,
            "review_passed": review_passed,
            "assessed_on": str(assessed_on),
        }
        return self.client.post(
            "/api/v1/assessments", json=body, headers=self.auth("assessor", assessor_id)
        )


def build_world(tmp_path: Path, database_url: str | None = None) -> World:
    return World(service_app(SERVICE, tmp_path, database_url))


world, pg_world, any_world = world_fixtures(SERVICE, World)
