"""A dashboard per test, on SQLite in tmp_path (or PostgreSQL), fed the other services' events
through its own consumer, as a bus would hand them over (again, if a test sends one twice).

Every event a test sends is first checked against its producer's own schema, so the data the
dashboard reads is data the producer really sends. Each delivered event is also kept on an
in-process bus, so a test can replay the dashboard from it.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from services.certification.events import PRODUCES as CERTIFICATION
from services.competitions.events import PRODUCES as COMPETITIONS
from services.dashboard.service import SERVICE
from services.registry.events import PRODUCES as REGISTRY
from shared.events import CATALOGUE, restore_event
from tests.support.facts import enterprise_facts, worker_facts
from tests.support.worlds import ServiceWorld, service_app, world_fixtures

PRODUCER_SCHEMAS = {**REGISTRY, **COMPETITIONS, **CERTIFICATION}
FAST_STREAM = {
    "JIANGONG_DASHBOARD_STREAM_SECONDS": "5",
    "JIANGONG_DASHBOARD_HEARTBEAT_SECONDS": "0.3",
    "JIANGONG_DASHBOARD_MIN_GAP_SECONDS": "0.05",
    "JIANGONG_DASHBOARD_POLL_SECONDS": "0.05",
}


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class World(ServiceWorld):
    """One dashboard and the handles a test needs: HTTP, the clock, events, the bus."""

    def __init__(self, app: Flask):
        super().__init__(app, SERVICE, datetime(2026, 7, 1, 4, 0, tzinfo=UTC))  # noon, 1 July
        self._tick = datetime(2026, 1, 1, tzinfo=UTC)

    # -- events ----------------------------------------------------------------------------
    def make(
        self, event_type: str, subject: str, data: dict[str, Any], at: datetime | None = None
    ) -> Any:
        """An event as its producer would publish it (its data checked by the producer's
        schema); ``at`` is its CloudEvents time, else a moment later than the last one."""
        full_type = f"jiangong.{event_type}.v1"
        PRODUCER_SCHEMAS[full_type]().load(json.loads(json.dumps(data)))
        if at is None:
            self._tick += timedelta(seconds=1)
            at = self._tick
        producer = CATALOGUE[full_type]
        return restore_event(
            id=str(uuid.uuid4()),
            source=f"/jiangong/{producer}",
            type=full_type,
            subject=subject,
            time=at,
            data=data,
        )

    def send(self, event_type: str, subject: str, data: dict[str, Any]) -> Any:
        event = self.make(event_type, subject, data)
        self.deliver(event)
        return event

    # -- the facts, as their producers describe them ---------------------------------------
    def enterprise_data(self, id: str, region_code: str = "330402", **data: Any) -> dict[str, Any]:
        place = {"region_code": region_code, "county_code": region_code[:6]}
        return enterprise_facts(id, **{**place, **data})

    def worker_data(
        self, id: str, enterprise_id: str, region_code: str = "330402", **data: Any
    ) -> dict[str, Any]:
        return worker_facts(id, enterprise_id, **{"region_code": region_code, **data})

    def enterprise(self, region_code: str = "330402", **data: Any) -> str:
        enterprise_id = data.pop("id", None) or new_id("ent")
        self.send(
            "enterprise.registered",
            enterprise_id,
            self.enterprise_data(enterprise_id, region_code, **data),
        )
        return enterprise_id

    def worker(self, enterprise_id: str, region_code: str = "330402", **data: Any) -> str:
        worker_id = data.pop("id", None) or new_id("wkr")
        self.send(
            "worker.registered",
            worker_id,
            self.worker_data(worker_id, enterprise_id, region_code, **data),
        )
        return worker_id

    def entry_data(
        self,
        enterprise_id: str,
        worker_ids: list[str],
        year: int = 2026,
        id: str | None = None,
        registered_at: str = "2026-03-02T02:00:00+00:00",
        **data: Any,
    ) -> dict[str, Any]:
        return {
            "id": id or new_id("entry"),
            "competition_id": data.pop("competition_id", None) or new_id("cmp"),
            "enterprise_id": enterprise_id,
            "worker_ids": worker_ids,
            "team_name": "精工班组",
            "year": year,
            "region_code": "330402",
            "registered_at": registered_at,
            "withdrawn_at": None,
            **data,
        }

    def entry(self, enterprise_id: str, worker_ids: list[str], **data: Any) -> dict[str, Any]:
        entry = self.entry_data(enterprise_id, worker_ids, **data)
        self.send("entry.registered", entry["competition_id"], entry)
        return entry

    def promotion_data(
        self, worker_id: str, promoted_on: str = "2026-05-20", **data: Any
    ) -> dict[str, Any]:
        return {
            "worker_id": worker_id,
            "enterprise_id": data.pop("enterprise_id", "ent"),
            "region_code": data.pop("region_code", "330402"),
            "occupation_code": data.pop("occupation_code", "6-18-01-01"),
            "from_level": data.pop("from_level", 5),
            "to_level": data.pop("to_level", 4),
            "route": data.pop("route", "assessment"),
            "promoted_on": promoted_on,
            "year": int(promoted_on[:4]),
            "certificate_number": None,
            "source_id": new_id("asm"),
            **data,
        }

    def promotion(self, worker_id: str, promoted_on: str = "2026-05-20", **data: Any) -> Any:
        return self.send(
            "skill.promoted", worker_id, self.promotion_data(worker_id, promoted_on, **data)
        )

    def studio(
        self, level: str = "municipal", approved_on: str = "2026-04-01", region_code: str = "330402"
    ) -> Any:
        studio_id = new_id("std")
        data = {
            "id": studio_id,
            "enterprise_id": "ent",
            "region_code": region_code,
            "level": level,
            "leader_worker_id": "wkr",
            "approved_on": approved_on,
            "year": int(approved_on[:4]),
        }
        return self.send("studio.approved", studio_id, data)

    def skill_leader(
        self, worker_id: str, designated_on: str = "2026-04-01", occupation_code: str = "6-18"
    ) -> Any:
        leader_id = new_id("ldr")
        data = {
            "id": leader_id,
            "worker_id": worker_id,
            "enterprise_id": "ent",
            "region_code": "330411",
            "occupation_code": occupation_code,
            "designated_on": designated_on,
            "year": int(designated_on[:4]),
        }
        return self.send("skill_leader.designated", leader_id, data)

    def training(
        self, worker_id: str, completed_on: str = "2026-03-15", is_migrant: bool = False
    ) -> Any:
        training_id = new_id("trn")
        data = {
            "id": training_id,
            "worker_id": worker_id,
            "enterprise_id": "ent",
            "region_code": "330421",
            "is_migrant": is_migrant,
            "course": "数控车床操作",
            "hours": 16,
            "completed_on": completed_on,
            "year": int(completed_on[:4]),
        }
        return self.send("training.completed", worker_id, data)

    # -- the API ---------------------------------------------------------------------------
    def targets(self, year: int = 2026, **query: Any) -> dict[str, Any]:
        answer = self.client.get("/api/v1/targets", query_string={"year": year, **query})
        assert answer.status_code == 200, answer.json
        return {t["key"]: t for t in answer.json["targets"]}

    def current(self, year: int = 2026, **query: Any) -> dict[str, float]:
        return {key: t["current"] for key, t in self.targets(year, **query).items()}


def build_world(tmp_path: Path, database_url: str | None = None, **settings: str) -> World:
    return World(service_app(SERVICE, tmp_path, database_url, **{**FAST_STREAM, **settings}))


world, pg_world, any_world = world_fixtures(SERVICE, World, environ=FAST_STREAM)
