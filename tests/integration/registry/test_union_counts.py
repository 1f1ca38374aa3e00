"""The union counts kept as the facts change equal a recount of the tables after every kind of
write: registrations, corrections, transfers, leavings, hiring again, imports, an enterprise
moved to another county, deregistrations, in a random order."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from flask_migrate import upgrade
from sqlalchemy import insert, select

from services.registry.adapters.name_characters import characters_of
from services.registry.adapters.orm import Enterprise, Worker, db
from services.registry.adapters.orm import WorkerNameCharacter as found
from services.registry.adapters.union_counts import counts_by_county, recount
from services.registry.queries import workers_query
from services.registry.service import SERVICE
from shared.app import create_app
from shared.runtime import migrate
from shared.settings import Settings

COUNTIES = ("330402", "330411", "330421", "330424", "330481", "330482", "330483")
CSV_HEADER = "id_number,name,occupation_code,is_migrant,is_union_member,union_joined_on,hired_on"
STEPS = 60


def drift(registry) -> dict[tuple[str, str], int]:
    """Kept counts minus recounted ones, where they differ."""
    with registry.app.app_context():
        kept, counted = counts_by_county(db.session), recount(db.session)
    differences = {}
    for county in set(kept) | set(counted):
        for name in {*kept.get(county, {}), *counted.get(county, {})}:
            difference = kept.get(county, {}).get(name, 0) - counted.get(county, {}).get(name, 0)
            if difference:
                differences[(county, name)] = difference
    return differences


@dataclass
class City:
    """What the random sequence has made so far, to pick its next step from."""

    registry: Any
    rng: random.Random
    enterprises: list[str] = field(default_factory=list)
    working: dict[str, str] = field(default_factory=dict)  # worker id -> enterprise id
    left: dict[str, str] = field(default_factory=dict)  # worker id -> ID number
    id_numbers: dict[str, str] = field(default_factory=dict)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.registry.client.post(f"/api/v1{path}", headers=self.registry.admin, **kwargs)

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.registry.client.patch(f"/api/v1{path}", json=body, headers=self.registry.admin)

    def flags(self) -> dict[str, Any]:
        member = self.rng.random() < 0.6
        return {
            "is_union_member": member,
            "union_joined_on": "2021-03-01" if member else None,
            "is_migrant": self.rng.random() < 0.3,
        }

    def register_enterprise(self) -> None:
        has_union = self.rng.random() < 0.7
        enterprise = self.registry.enterprise(
            region_code=self.rng.choice(COUNTIES),
            has_union=has_union,
            union_founded_on="2015-05-01" if has_union else None,
        )
        self.enterprises.append(enterprise["id"])

    def register_worker(self) -> None:
        enterprise_id = self.rng.choice(self.enterprises)
        body = self.registry.worker_body(
            name=self.rng.choice(("张伟", "王芳", "李 娜")), **self.flags()
        )
        if self.left and self.rng.random() < 0.3:  # someone who left, hired again
            worker_id, number = self.left.popitem()
            body["id_number"] = number
        answer = self.post(f"/enterprises/{enterprise_id}/workers", json=body)
        assert answer.status_code == 201, answer.json
        self.working[answer.json["id"]] = enterprise_id
        self.id_numbers[answer.json["id"]] = body["id_number"]

    def import_workers(self) -> None:
        enterprise_id = self.rng.choice(self.enterprises)
        rows = []
        for _ in range(self.rng.randint(1, 6)):
            cells = {"is_migrant": self.rng.choice("是否"), "is_union_member": "否"}
            if self.left and self.rng.random() < 0.3:
                cells["id_number"] = self.left.popitem()[1]
            rows.append(self.registry.csv_row(**cells))
        header = CSV_HEADER
        answer = self.post(
            f"/enterprises/{enterprise_id}/workers/import",
            data="\n".join([header, *rows]).encode(),
            content_type="text/csv",
        )
        assert answer.status_code == 200 and not answer.json["rejected"], answer.json
        self._learn_workers(enterprise_id)

    def _learn_workers(self, enterprise_id: str) -> None:
        listed = self.registry.client.get(
            f"/api/v1/enterprises/{enterprise_id}/workers?active=true&per_page=100",
            headers=self.registry.admin,
        ).json
        for worker in listed["items"]:
            self.working[worker["id"]] = enterprise_id

    def update_worker(self) -> None:
        worker_id = self.rng.choice(list(self.working))
        changes = self.flags()
        if self.rng.random() < 0.5:
            changes["name"] = self.rng.choice("王李张刘陈") + self.rng.choice("伟芳 娜敏")
        answer = self.patch(f"/workers/{worker_id}", changes)
        assert answer.status_code == 200, answer.json

    def transfer_worker(self) -> None:
        worker_id = self.rng.choice(list(self.working))
        others = [e for e in self.enterprises if e != self.working[worker_id]]
        target = self.rng.choice(others)
        answer = self.post(f"/workers/{worker_id}/transfer", json={"enterprise_id": target})
        assert answer.status_code == 200, answer.json
        self.working[worker_id] = target

    def record_leaving(self) -> None:
        worker_id = self.rng.choice(list(self.working))
        answer = self.post(f"/workers/{worker_id}/leave")
        assert answer.status_code == 200, answer.json
        del self.working[worker_id]
        if worker_id in self.id_numbers:
            self.left[worker_id] = self.id_numbers[worker_id]

    def update_enterprise(self) -> None:
        enterprise_id = self.rng.choice(self.enterprises)
        has_union = self.rng.random() < 0.5
        body = {
            "region_code": self.rng.choice(COUNTIES),
            "has_union": has_union,
            "union_founded_on": "2016-01-01" if has_union else None,
        }
        answer = self.patch(f"/enterprises/{enterprise_id}", body)
        assert answer.status_code == 200, answer.json

    def deregister_enterprise(self) -> None:
        employing = set(self.working.values())
        empty = [e for e in self.enterprises if e not in employing]
        if len(self.enterprises) < 3 or not empty:
            return self.register_enterprise()
        enterprise_id = self.rng.choice(empty)
        answer = self.post(f"/enterprises/{enterprise_id}/deregister")
        assert answer.status_code == 200, answer.json
        self.enterprises.remove(enterprise_id)

    def step(self, move: str | None = None) -> str:
        """``move``, or one drawn at random among those possible now."""
        if len(self.enterprises) < 2:
            move = "register_enterprise"
        elif not self.working and move in (*WITH_WORKERS, None):
            move = "register_worker"
        move = move or self.rng.choice((*MOVES, *(WITH_WORKERS if self.working else ())))
        getattr(self, move)()
        return move


MOVES = ("register_enterprise", "register_worker", "import_workers", "update_enterprise")
MOVES += ("deregister_enterprise",)
WITH_WORKERS = ("update_worker", "transfer_worker", "record_leaving", "register_worker")


def test_the_kept_counts_equal_a_recount_after_every_kind_of_write(any_db) -> None:
    seed = random.randrange(1 << 30)
    city = City(any_db, random.Random(seed))
    before = drift(any_db)  # a fresh SQLite database: none; the run's PostgreSQL: as it was
    done = []
    for move in [None] * STEPS + [*MOVES, *WITH_WORKERS]:  # at random, then each kind once more
        done.append(city.step(move))
        assert drift(any_db) == before, f"seed {seed}, after {done}"
    assert set(done) == {*MOVES, *WITH_WORKERS}
    with any_db.app.app_context():  # and every name is found by each of its characters
        indexed = set(db.session.execute(select(found.worker_id, found.character)).tuples())
        names = db.session.execute(select(Worker.id, Worker.name)).tuples()
        assert indexed == {(w, c) for w, name in names for c in characters_of(name)}


def test_the_statistics_follow_the_kept_counts_of_a_fresh_registry(registry) -> None:
    city = City(registry, random.Random(7))
    for _ in range(25):
        city.step()
    assert drift(registry) == {}
    stats = registry.client.get("/api/v1/stats", headers=registry.headers("reader")).json
    with registry.app.app_context():
        counted = recount(db.session)
    assert stats["workers"] == sum(c["workers"] for c in counted.values())
    assert stats["union_members"] == sum(c["union_members"] for c in counted.values())
    assert stats["enterprises"] == sum(c["enterprises"] for c in counted.values())


def test_a_registry_upgraded_from_before_the_counts_has_them_from_its_rows(tmp_path) -> None:
    """And the characters of its workers' names."""
    settings = Settings.from_env({"JIANGONG_DATA_DIR": str(tmp_path)})
    app = create_app(SERVICE, settings, {"DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}"})
    with app.app_context():
        upgrade(directory=str(SERVICE.migrations), revision="0005")
        with db.engine.begin() as connection:  # rows as the registry had them, by hand
            connection.execute(insert(Enterprise), [_enterprise("a", "330421", True)])
            connection.execute(insert(Enterprise), [_enterprise("b", "330483", False)])
            connection.execute(
                insert(Worker),
                [
                    _worker("1", "a", active=True, member=True, migrant=True),
                    _worker("2", "a", active=False, member=True, migrant=False),
                    _worker("3", "b", active=True, member=False, migrant=False),
                ],
            )
    migrate(app)
    try:
        with app.app_context():
            kept = counts_by_county(db.session)
        assert kept["330421"] == {
            "enterprises": 1,
            "enterprises_with_union": 1,
            "workers": 1,
            "union_members": 1,
            "migrant_workers": 1,
            "former_workers": 1,
        }
        assert kept["330483"]["enterprises"] == 1 and kept["330483"]["workers"] == 1
        assert set(kept) == set(COUNTIES)
        with app.app_context():  # and their names are found by a fragment
            found = db.session.scalars(workers_query(None, None, name="明")).all()
        assert [worker.id for worker in found] == ["1", "2"]
    finally:
        with app.app_context():
            db.engine.dispose()


NAMES = {"1": "王小明", "2": "李明", "3": "张三"}


def _enterprise(key: str, region_code: str, has_union: bool) -> dict[str, Any]:
    return {
        "id": key,
        "uscc": f"91330400MA{key:0>8}",
        "name": key,
        "region_code": region_code,
        "has_union": has_union,
        "above_designated_size": False,
        "ownership": "non_public",
        "employee_count": 10,
        "active": True,
        "registered_at": datetime(2025, 1, 1, tzinfo=UTC),
    }


def _worker(key: str, enterprise_id: str, *, active: bool, member: bool, migrant: bool) -> dict:
    return {
        "id": key,
        "enterprise_id": enterprise_id,
        "name": NAMES[key],
        "id_number_encrypted": key,
        "id_number_hash": key,
        "id_number_masked": key,
        "gender": "male",
        "birth_date": date(1990, 1, 1),
        "occupation_code": "6-18-01-01",
        "is_migrant": migrant,
        "is_union_member": member,
        "hired_on": date(2020, 1, 1),
        "active": active,
        "registered_at": datetime(2025, 1, 1, tzinfo=UTC),
    }
