"""A background import's handlers with fakes: a job counted chunk by chunk, then closed."""

from __future__ import annotations

import pytest

from services.registry.commands import (
    DeregisterEnterprise,
    FinishImportJob,
    ImportChunk,
    StartImportJob,
)
from services.registry.domain.errors import EnterpriseDeregistered
from tests.unit.registry.test_handlers import Registry


def row(registry: Registry, number: int, **cells: object) -> tuple[int, dict[str, object]]:
    values: dict[str, object] = {
        "id_number": registry.id_number(),
        "name": "李娜",
        "occupation_code": "6-04-02-01",
        "is_migrant": "否",
        "is_union_member": "否",
        "hired_on": "2019-04-01",
        **cells,
    }
    return number, values


@pytest.fixture
def registry() -> Registry:
    return Registry()


def test_a_job_counts_each_chunk_and_keeps_its_rejected_rows(registry) -> None:
    enterprise = registry.enterprise()
    job = registry.run(StartImportJob("job1", enterprise.id, 5, False, "admin"))
    assert (job.state, job.rows, job.checked) == ("queued", 5, 0)
    registry.run(
        ImportChunk("job1", registry.checked([row(registry, 2), row(registry, 3, hired_on="x")]))
    )
    chunk = registry.checked([row(registry, 4), row(registry, 5), row(registry, 6)])
    job = registry.run(ImportChunk("job1", chunk))
    assert (job.state, job.checked, job.created, job.rejected) == ("running", 5, 4, 1)
    (rejection,) = registry.repository.job_rejections
    assert (rejection.row, list(rejection.errors)) == (3, ["hired_on"])
    assert len(registry.repository.workers) == 4
    assert registry.outbox.types().count("jiangong.worker.registered.v1") == 4
    job = registry.run(FinishImportJob("job1"))
    assert job.state == "done" and job.error is None and job.finished_at is not None


def test_a_job_closed_with_an_error_is_failed_and_says_why(registry) -> None:
    enterprise = registry.enterprise()
    registry.run(StartImportJob("job2", enterprise.id, 9, False, "admin"))
    job = registry.run(FinishImportJob("job2", "The import stopped after 0 of 9 rows."))
    assert job.state == "failed" and job.error.startswith("The import stopped")


def test_a_chunk_of_an_unknown_job_is_a_programming_error(registry) -> None:
    with pytest.raises(LookupError):
        registry.run(ImportChunk("nope", []))


def test_a_job_is_closed_once_the_first_outcome_stands(registry) -> None:
    enterprise = registry.enterprise()
    registry.run(StartImportJob("job3", enterprise.id, 2, False, "admin"))
    registry.run(FinishImportJob("job3", "stalled"))
    job = registry.run(FinishImportJob("job3"))
    assert (job.state, job.error) == ("failed", "stalled")
    with pytest.raises(RuntimeError):
        registry.run(ImportChunk("job3", registry.checked([row(registry, 2)])))


def test_no_job_is_started_for_a_deregistered_enterprise(registry) -> None:
    enterprise = registry.enterprise()
    registry.run(DeregisterEnterprise(enterprise.id))
    with pytest.raises(EnterpriseDeregistered):
        registry.run(StartImportJob("job4", enterprise.id, 9, False, "admin"))
    assert registry.repository.jobs == {}
