"""The registry as a service: the API is documented, the demo loads a believable Jiaxing
once."""

from __future__ import annotations

from sqlalchemy import func, select

from services.registry.adapters.orm import Enterprise, Worker, db
from services.registry.demo import load_demo
from services.registry.service import SERVICE
from shared.identifiers import validate_id_number, validate_uscc
from shared.runtime import runtime_of


def test_the_service_is_ready_and_documents_its_contract(registry) -> None:
    assert registry.client.get("/readyz").json["database"] is True
    spec = registry.client.get("/api/openapi.json").json
    for path in (
        "/api/v1/regions",
        "/api/v1/enterprises",
        "/api/v1/enterprises/{enterprise_id}",
        "/api/v1/enterprises/{enterprise_id}/deregister",
        "/api/v1/enterprises/{enterprise_id}/workers",
        "/api/v1/enterprises/{enterprise_id}/workers/import",
        "/api/v1/workers/{worker_id}",
        "/api/v1/workers/{worker_id}/transfer",
        "/api/v1/workers/{worker_id}/leave",
        "/api/v1/workers/{worker_id}/id-number",
        "/api/v1/stats",
    ):
        assert path in spec["paths"], path
    upload = spec["paths"]["/api/v1/enterprises/{enterprise_id}/workers/import"]["post"]
    assert set(upload["requestBody"]["content"]) == {"text/csv", "multipart/form-data"}
    assert SERVICE.read_models and SERVICE.load_demo is load_demo


def test_the_demo_is_a_believable_jiaxing_loaded_once(registry) -> None:
    load_demo(registry.app)
    with registry.app.app_context():
        enterprises = db.session.scalars(select(Enterprise)).all()
        workers = db.session.scalar(select(func.count()).select_from(Worker))
        sample = db.session.scalars(select(Worker).limit(50)).all()
    assert len(enterprises) == 300 and 2500 <= workers <= 3600
    assert {e.region_code for e in enterprises} == {
        "330402",
        "330411",
        "330421",
        "330424",
        "330481",
        "330482",
        "330483",
    }
    assert all(validate_uscc(e.uscc) == e.uscc for e in enterprises)
    cipher = runtime_of(registry.app).cipher
    assert all(validate_id_number(cipher.decrypt(w.id_number_encrypted)) for w in sample)
    stats = registry.client.get("/api/v1/stats", headers=registry.headers("reader")).json
    assert 0.85 <= stats["union_formation_rate"] <= 0.95
    assert 0.80 <= stats["union_membership_rate"] <= 0.95
    assert 0.15 <= stats["migrant_share"] <= 0.25
    events = len(registry.events())
    load_demo(registry.app)
    assert len(registry.events()) == events
