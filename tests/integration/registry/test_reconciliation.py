"""The reconciliation recounts the union counts from the tables: a count changed behind the
code's back is found, reported in the log, in ``/metrics`` and by ``jiangong reconcile``, and
corrected."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import update

from jiangong.cli import main
from services.registry.adapters.orm import UnionCount, db
from services.registry.adapters.union_counts import Drift, counts_by_county, recount
from services.registry.jobs import reconcile_counts


def kept_and_recounted(registry) -> tuple[dict, dict]:
    with registry.app.app_context():
        return counts_by_county(db.session), recount(db.session)


def drift_by_hand(registry, county: str, **changes: int) -> None:
    """A counter row changed as in ``psql``: no session, no counting."""
    values = {name: getattr(UnionCount, name) + change for name, change in changes.items()}
    with registry.app.app_context(), db.engine.begin() as connection:
        connection.execute(
            update(UnionCount).where(UnionCount.county_code == county).values(values)
        )


def test_a_drifted_count_is_found_reported_and_corrected(any_db, caplog) -> None:
    enterprise = any_db.enterprise(region_code="330424")
    any_db.worker(enterprise["id"], is_migrant=True)
    kept, _ = kept_and_recounted(any_db)
    drift_by_hand(any_db, "330424", workers=5, migrant_workers=-1)

    with caplog.at_level(logging.WARNING, logger="services.registry.jobs"):
        found = reconcile_counts(any_db.app)

    workers, migrants = kept["330424"]["workers"], kept["330424"]["migrant_workers"]
    assert Drift("330424", "workers", workers + 5, workers) in found
    assert Drift("330424", "migrant_workers", migrants - 1, migrants) in found
    kept_now, recounted = kept_and_recounted(any_db)
    assert kept_now == recounted and kept_now["330424"] == kept["330424"]
    assert "county 330424: workers was" in caplog.text and "corrected" in caplog.text
    scraped = any_db.client.get("/metrics").get_data(as_text=True)
    assert f"jiangong_counts_drifted {float(len(found))}" in scraped
    assert 'jiangong_count_drift{counted="workers",county="330424"} 5.0' in scraped

    assert reconcile_counts(any_db.app) == []  # corrected: the next run finds nothing
    scraped = any_db.client.get("/metrics").get_data(as_text=True)
    assert "jiangong_counts_drifted 0.0" in scraped
    assert 'county="330424"' not in scraped


def test_jiangong_reconcile_prints_the_drift_and_fails_until_corrected(
    registry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JIANGONG_DATA_DIR", str(registry.settings.data_dir))
    monkeypatch.setenv("JIANGONG_SECRET", registry.settings.secret)
    registry.enterprise(region_code="330481", has_union=False, union_founded_on=None)
    drift_by_hand(registry, "330481", enterprises_with_union=2)

    assert main(["reconcile", "registry"]) == 1
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "registry: 1 kept counts had drifted, now corrected:"
    assert printed[1].split() == ["county_code", "counted", "kept", "recounted"]
    assert printed[2].split() == ["330481", "enterprises_with_union", "2", "0"]

    assert main(["reconcile", "registry"]) == 0
    assert "every kept count equals its recount" in capsys.readouterr().out
    assert main(["reconcile", "dashboard"]) == 0
    assert "keeps no counts to reconcile" in capsys.readouterr().out
