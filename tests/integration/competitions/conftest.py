"""A competitions service per test, on SQLite in tmp_path (or PostgreSQL), with the real event
paths: registry events fed through the service's consumer, and the service's own outbox relayed
onto an in-process bus and consumed again (which is what moves the leaderboards)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask

from services.competitions.service import SERVICE
from shared.events import new_event
from tests.support.bodies import competition_body
from tests.support.worlds import ServiceWorld, service_app, world_fixtures


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class World(ServiceWorld):
    """One service and the handles a test needs: HTTP, tokens, the registry, the bus."""

    def __init__(self, app: Flask):
        super().__init__(app, SERVICE, datetime.now(UTC).replace(microsecond=0))

    # -- the registry, through the consumer ----------------------------------------------
    def registry_event(self, event_type: str, data: dict[str, Any]) -> Any:
        event = new_event("registry", f"jiangong.{event_type}.v1", data["id"], data)
        self.deliver(event)
        return event

    def enterprise(self, region_code: str = "330402", **data: Any) -> str:
        enterprise_id = data.pop("id", None) or new_id("ent")
        facts = {"id": enterprise_id, "name": f"企业 {enterprise_id}", "region_code": region_code}
        self.registry_event("enterprise.registered", {**facts, **data})
        return enterprise_id

    def worker(self, enterprise_id: str, region_code: str = "330402", **data: Any) -> str:
        worker_id = data.pop("id", None) or new_id("wkr")
        facts = {
            "id": worker_id,
            "enterprise_id": enterprise_id,
            "name": "职工",
            "id_number_masked": "330402********123X",
            "region_code": region_code,
            "is_migrant": False,
        }
        self.registry_event("worker.registered", {**facts, **data})
        return worker_id

    # -- the API, for the common steps ---------------------------------------------------
    def competition(self, **overrides: Any) -> str:
        body = competition_body(**overrides)
        answer = self.client.post("/api/v1/competitions", json=body, headers=self.auth())
        assert answer.status_code == 201, answer.json
        return str(answer.json["id"])

    def move(self, competition_id: str, action: str, expect: int = 200, query: str = "") -> Any:
        answer = self.client.post(
            f"/api/v1/competitions/{competition_id}/{action}{query}", headers=self.auth()
        )
        assert answer.status_code == expect, answer.json
        return answer.json

    def judge(self, competition_id: str, enterprise_id: str | None = None) -> str:
        judge_id = new_id("judge")
        answer = self.client.post(
            f"/api/v1/competitions/{competition_id}/judges",
            json={"judge_id": judge_id, "enterprise_id": enterprise_id},
            headers=self.auth(),
        )
        assert answer.status_code == 201, answer.json
        return judge_id

    def enter(self, competition_id: str, enterprise_id: str, *workers: str, **kw: Any) -> Any:
        body = {"enterprise_id": enterprise_id, "worker_ids": list(workers), "team_name": "班组"}
        headers = kw.pop("headers", None) or self.auth()
        return self.client.post(
            f"/api/v1/competitions/{competition_id}/entries", json=body, headers=headers
        )

    def score(self, competition_id: str, entry_id: str, judge_id: str, **marks: float) -> Any:
        return self.client.put(
            f"/api/v1/competitions/{competition_id}/entries/{entry_id}/scores",
            json={"marks": marks},
            headers=self.auth("judge", judge_id),
        )

    def board(self, competition_id: str, **params: Any) -> Any:
        headers = params.pop("headers", {})
        return self.client.get(
            f"/api/v1/competitions/{competition_id}/leaderboard",
            query_string=params,
            headers=headers,
        )


def build_world(tmp_path: Path, database_url: str | None = None) -> World:
    return World(service_app(SERVICE, tmp_path, database_url))


world, pg_world, any_world = world_fixtures(SERVICE, World)
