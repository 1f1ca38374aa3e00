"""The handlers of studios, skill leaders, trainings, contest awards and rules tables, run as the
kernel runs them (``handle``, ``with_repository`` wires) on the fakes of :mod:`.fakes`:
the repository's tables in dicts, an outbox that validates and keeps what it is given. No
database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.certification import commands, events
from services.certification.adapters.orm import LedgerEntry, Studio, WorkerReplica
from services.certification.domain import errors
from tests.unit.certification.fakes import NOW, Certification


def context(*rows: Any, now: datetime = NOW) -> Certification:
    """The handlers over a repository that holds ``rows`` already."""
    service = Certification(now)
    for row in rows:
        service.repository.add(row)
    service.repository.added.clear()  # what a test arranged is not what the handlers stored
    return service


def worker(worker_id: str = "w1", enterprise_id: str = "e1", **overrides: Any) -> WorkerReplica:
    facts: dict[str, Any] = {
        "id": worker_id,
        "enterprise_id": enterprise_id,
        "name": "张小强",
        "id_number_masked": "330402********123X",
        "region_code": "330481",
        "occupation_code": "6-18-01-01",
        "is_migrant": False,
        "active": True,
        "as_of": NOW,
        "as_of_event": "evt-1",
    }
    return WorkerReplica(**{**facts, **overrides})


def ledger(worker_id: str, level: int, occupation_code: str = "6-18-01-01") -> LedgerEntry:
    return LedgerEntry(
        worker_id=worker_id,
        occupation_code=occupation_code,
        level=level,
        since=date(2020, 1, 1),
        route="assessment",
    )


# -- studios -------------------------------------------------------------------------------------


def apply(service: Certification, **overrides: Any) -> Studio:
    fields: dict[str, Any] = {
        "name": "数控技术创新工作室",
        "enterprise_id": "e1",
        "leader_worker_id": "w1",
        "level": "municipal",
        "leader_is_model_worker": False,
    }
    return service(commands.ApplyForStudio(**{**fields, **overrides}))


def test_a_technician_leads_an_applied_studio_with_no_event_yet() -> None:
    service = context(worker(), ledger("w1", 2))
    studio = apply(service)
    assert (studio.status, studio.region_code, studio.level) == ("applied", "330481", "municipal")
    assert list(service.repository.studios.values()) == [studio]
    assert service.outbox.added == []


def test_a_model_worker_leads_with_no_level() -> None:
    assert apply(context(worker()), leader_is_model_worker=True).status == "applied"


def test_a_leader_at_level_three_is_not_qualified() -> None:
    service = context(worker(), ledger("w1", 3))
    with pytest.raises(errors.LeaderNotQualified) as caught:
        apply(service)
    assert (caught.value.status, caught.value.field) == (422, "leader_worker_id")
    assert service.repository.studios == {}


@pytest.mark.parametrize(
    "leader", [worker(enterprise_id="e2"), worker(active=False), worker(worker_id="w9")]
)
def test_a_leader_must_be_an_active_worker_of_the_enterprise(leader: WorkerReplica) -> None:
    with pytest.raises(errors.LeaderNotInEnterprise):
        apply(context(leader), leader_is_model_worker=True)


def test_a_studio_level_is_municipal_county_or_enterprise() -> None:
    with pytest.raises(errors.InvalidStudioLevel):
        apply(context(worker()), level="provincial", leader_is_model_worker=True)


def test_approval_emits_studio_approved_in_the_year_of_its_date() -> None:
    service = context(worker())
    studio = apply(service, leader_is_model_worker=True)
    service(commands.ApproveStudio(studio.id, date(2024, 12, 31)))
    assert studio.status == "approved"
    [event] = service.outbox.of(events.STUDIO_APPROVED)
    assert (event["id"], event["year"], event["approved_on"]) == (studio.id, 2024, "2024-12-31")


def test_an_application_is_approved_once() -> None:
    service = context(worker())
    studio = apply(service, leader_is_model_worker=True)
    service(commands.ApproveStudio(studio.id, None))
    assert studio.approved_on == date(2025, 6, 2)
    with pytest.raises(errors.StudioAlreadyDecided):
        service(commands.ApproveStudio(studio.id, None))
    assert len(service.outbox.of(events.STUDIO_APPROVED)) == 1


def test_approving_an_unknown_studio_is_not_found() -> None:
    with pytest.raises(errors.StudioNotFound):
        context()(commands.ApproveStudio("s-none", None))


# -- skill leaders -------------------------------------------------------------------------------


def designate(service: Certification, occupation_code: str = "6-18-01-01") -> Any:
    return service(commands.DesignateSkillLeader("w1", occupation_code, None))


def test_a_skill_leader_is_designated_once_per_occupation() -> None:
    service = context(worker())
    leader = designate(service)
    assert (leader.enterprise_id, leader.designated_on) == ("e1", date(2025, 6, 2))
    with pytest.raises(errors.SkillLeaderAlreadyDesignated):
        designate(service)
    designate(service, "6-18-02-01")
    assert [e["occupation_code"] for e in service.outbox.of(events.SKILL_LEADER_DESIGNATED)] == [
        "6-18-01-01",
        "6-18-02-01",
    ]


def test_an_unknown_or_departed_worker_is_not_designated() -> None:
    with pytest.raises(errors.WorkerNotFound):
        designate(context())
    with pytest.raises(errors.WorkerNotActive):
        designate(context(worker(active=False)))


# -- trainings -----------------------------------------------------------------------------------


def train(service: Certification, completed_on: date, acting: str | None = None) -> Any:
    return service(commands.RecordTraining("w1", "安全生产", 8.0, completed_on, acting))


def test_a_training_carries_the_county_and_the_migrant_flag() -> None:
    service = context(worker(is_migrant=True))
    training = train(service, date(2025, 6, 1), acting="e1")
    [event] = service.outbox.of(events.TRAINING_COMPLETED)
    assert (event["id"], event["is_migrant"], event["region_code"]) == (training.id, True, "330481")
    assert list(service.repository.trainings.values()) == [training]


def test_another_enterprises_worker_is_not_found() -> None:
    service = context(worker())
    with pytest.raises(errors.WorkerNotFound):
        train(service, date(2025, 6, 1), acting="e2")
    assert service.outbox.added == []


def test_a_training_is_not_completed_in_the_future_of_jiaxing() -> None:
    with pytest.raises(errors.TrainingInFuture):
        train(context(worker()), date(2025, 6, 3))
    new_year_in_jiaxing = datetime(2024, 12, 31, 16, 30, tzinfo=UTC)
    train(context(worker(), now=new_year_in_jiaxing), date(2025, 1, 1))


# -- contest awards ------------------------------------------------------------------------------


def award(**overrides: Any) -> commands.ApplyContestAward:
    data = {
        "competition_id": "c1",
        "entry_id": "n1",
        "kind": "skill_contest",
        "level": "city",
        "contest_class": 1,
        "occupation_code": "6-18-01-01",
        "year": 2025,
        "published_on": date(2025, 5, 10),
        "award": "一等奖",
        "rank": 1,
        "ranked_entries": 30,
        "worker_ids": ["w1"],
        "enterprise_id": "e1",
    }
    return commands.ApplyContestAward("event-1", {**data, **overrides})


def promoted(service: Certification) -> list[LedgerEntry]:
    """The ledger's lines the handlers appended: the promotions granted."""
    return [row for row in service.repository.added if isinstance(row, LedgerEntry)]


def test_a_skill_contest_award_promotes_and_records_the_decision() -> None:
    service = context(worker())
    [decision] = service(award())
    assert (decision.granted, decision.to_level, decision.rules_version) == (True, 2, 1)
    [entry] = promoted(service)
    assert (entry.worker_id, entry.level, entry.route) == ("w1", 2, "contest_award")
    assert (entry.source_id, entry.rules_version) == ("c1", 1)
    claim = service.repository.contest_promotion_year("w1", 2025)
    assert claim is not None and claim.competition_id == "c1"
    assert service.outbox.types() == [events.SKILL_PROMOTED, events.CERTIFICATE_ISSUED]
    [certificate] = service.repository.certificates.values()
    assert (certificate.number, certificate.level) == (entry.certificate_number, 2)


def test_the_same_award_again_decides_nothing() -> None:
    service = context(worker())
    service(award())
    assert service(award()) == []
    assert len(promoted(service)) == 1
    assert len(service.repository.decisions) == 1


def test_a_second_contest_of_the_year_is_refused_with_the_rule() -> None:
    service = context(worker())
    service(award(level="county", contest_class=None))
    [refused] = service(award(competition_id="c2", published_on="2025-11-01"))
    assert (refused.granted, refused.rule, refused.from_level) == (
        False,
        errors.ContestPromotionThisYear.rule,
        3,
    )
    assert refused.detail == errors.ContestPromotionThisYear.default_detail
    assert len(promoted(service)) == 1


def test_other_awards_and_unknown_workers_are_not_decided() -> None:
    service = context(worker())
    assert service(award(kind="team")) == []
    assert service(award(worker_ids=["w9"])) == []
    assert service.repository.decisions == {} and promoted(service) == []


# -- rules tables --------------------------------------------------------------------------------


def test_an_unknown_rules_table_is_not_found() -> None:
    with pytest.raises(errors.UnknownRulesTable):
        context()(commands.ReplaceRulesTable("bonus", {}, "admin"))


def test_a_bad_contest_table_is_refused_by_field_and_not_stored() -> None:
    service = context()
    body = {"bands": [{"level": "city", "to_level": 9, "max_rank": 3}]}
    with pytest.raises(errors.InvalidRulesTable) as caught:
        service(commands.ReplaceRulesTable("contest", body, "admin"))
    assert "bands[0].to_level" in (caught.value.errors or {})
    assert service.repository.rules == {}


def test_a_good_contest_table_is_the_next_version() -> None:
    service = context()
    body = {"bands": [{"level": "county", "to_level": 3, "max_rank": 8}]}
    stored = service(commands.ReplaceRulesTable("contest", body, "admin"))
    assert (stored.kind, stored.version, stored.built_in) == ("contest", 2, False)
    assert stored.body["bands"][0]["max_rank"] == 8
    assert list(service.repository.rules) == [("contest", 2)]


def test_a_contest_table_stored_is_the_one_the_next_award_is_decided_by() -> None:
    service = context(worker())
    body = {"bands": [{"level": "city", "to_level": 3, "max_rank": 1}]}
    service(commands.ReplaceRulesTable("contest", body, "admin"))
    [decision] = service(award())
    assert (decision.to_level, decision.rules_version) == (3, 2)
