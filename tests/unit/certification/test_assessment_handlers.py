"""The assessor, assessment and certificate handlers with in-memory records: no database.

Each handler runs as the kernel runs it, through ``handle`` and ``with_repository``
wires to a repository: here the fake one of :mod:`.fakes`, its tables in dicts, and an outbox
that keeps what it is given.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.certification import commands, events
from services.certification.adapters.orm import (
    Assessor,
    AssessorAuthorisation,
    Certificate,
    LedgerEntry,
    WorkerReplica,
)
from services.certification.domain import errors
from services.certification.domain.assessment import AssessmentInput, PromotionRules
from shared.errors import Conflict, InvalidValue, NotFound
from shared.settings import Settings
from tests.unit.certification.fakes import NOW, Certification, FakeRepository

X = "6-18-01-01"
NUMBER = "S057333330400255000001"


def authorised(repository: FakeRepository, assessor_id: str = "asr-1", **change: Any) -> None:
    values = {
        "id": f"auth-{len(repository.authorisation_rows)}",
        "assessor_id": assessor_id,
        "occupation_code": X,
        "levels": [5, 4, 3],
        "valid_from": date(2020, 1, 1),
        "valid_until": None,
        "ended_on": None,
    } | change
    row = AssessorAuthorisation(**values)
    repository.authorisation_rows[row.id] = row


def worker(repository: FakeRepository, worker_id: str = "wkr-1", **change: Any) -> None:
    values = {
        "id": worker_id,
        "enterprise_id": "ent-1",
        "name": "张小强",
        "id_number_masked": "330402********123X",
        "region_code": "330402",
        "occupation_code": X,
        "is_migrant": False,
        "hired_on": date(2015, 3, 1),
        "active": True,
        "as_of": NOW,
        "as_of_event": "evt-1",
    } | change
    repository.workers[worker_id] = WorkerReplica(**values)


def held(repository: FakeRepository, level: int, since: date, worker_id: str = "wkr-1") -> None:
    """The worker holds ``level`` in X since ``since``: a line of the ledger."""
    entry = LedgerEntry(
        worker_id=worker_id, occupation_code=X, level=level, since=since, route="assessment"
    )
    repository.ledger[(worker_id, X, level)] = entry


WHO = {"assessor_id": "asr-1", "worker_id": "wkr-1"}


def assess(**change: Any) -> commands.RecordAssessment:
    values: dict[str, Any] = {
        "occupation_code": X,
        "level": 5,
        "theory_score": 80.0,
        "practical_score": 75.0,
        "review_passed": None,
        "assessed_on": date(2025, 5, 20),
    } | change
    who = {name: values.pop(name, default) for name, default in WHO.items()}
    return commands.RecordAssessment(**who, assessment=AssessmentInput(**values))


@pytest.fixture
def service() -> Certification:
    """Nobody known yet: no assessor authorised, no worker in the replica."""
    return Certification()


@pytest.fixture
def ready(service: Certification) -> Certification:
    """An assessor authorised for X at levels 5 to 3, and an active worker of X."""
    authorised(service.repository)
    worker(service.repository)
    return service


def promotions(repository: FakeRepository) -> list[LedgerEntry]:
    """The ledger's lines the handlers appended (the test's own are not among ``added``)."""
    return [row for row in repository.added if isinstance(row, LedgerEntry)]


# -- record_assessment ---------------------------------------------------------------------------


def test_a_first_pass_promotes_to_level_five_and_stages_the_recording(ready) -> None:
    row = ready(assess())
    assert row.passed is True
    assert (row.from_level, row.to_level) == (None, 5)
    assert row.certificate_number == "S057333330400255000001"
    [entry] = promotions(ready.repository)
    assert entry.level == 5 and entry.source_id == row.id and entry.rules_version is None
    assert entry.certificate_number == row.certificate_number
    assert ready.outbox.types() == [
        events.SKILL_PROMOTED,
        events.CERTIFICATE_ISSUED,
        events.ASSESSMENT_RECORDED,
    ]
    event_type, subject, data = ready.outbox.added[-1]
    assert (event_type, subject) == (events.ASSESSMENT_RECORDED, "wkr-1")
    assert data["enterprise_id"] == "ent-1" and data["region_code"] == "330402"
    assert data["year"] == 2025 and data["passed"] is True


def test_the_issuer_configured_starts_every_certificate_number(ready) -> None:
    ready.settings = Settings(
        extra={"JIANGONG_CERTIFICATE_PREFIX": "Y", "JIANGONG_CERTIFICATE_BODY": "1234"}
    )
    assert ready(assess()).certificate_number == "Y123433330400255000001"


def test_a_fail_is_recorded_without_a_promotion(ready) -> None:
    row = ready(assess(practical_score=59.9))
    assert row.passed is False and row.to_level is None and row.certificate_number is None
    assert promotions(ready.repository) == []
    [added] = ready.repository.added
    assert (added.id, added.passed, added.recorded_at) == (row.id, False, NOW)
    assert ready.outbox.types() == [events.ASSESSMENT_RECORDED]


def test_the_rules_version_in_force_goes_with_the_promotion(ready) -> None:
    ready.repository.use_promotion_rules(3, PromotionRules(years_before={4: 1, 3: 4, 2: 4, 1: 4}))
    held(ready.repository, 5, date(2024, 5, 20))
    row = ready(assess(level=4))
    assert (row.from_level, row.to_level) == (5, 4)
    assert promotions(ready.repository)[0].rules_version == 3


def test_an_assessment_in_the_future_is_refused_before_anything_else(service) -> None:
    with pytest.raises(errors.AssessmentInFuture):
        service(assess(assessed_on=date(2025, 6, 3)))


def test_a_score_out_of_range_is_refused_naming_it(ready) -> None:
    with pytest.raises(errors.ScoresOutOfRange) as refused:
        ready(assess(practical_score=101))
    assert refused.value.errors == {"practical_score": [refused.value.detail]}


@pytest.mark.parametrize(
    "change", [{"level": 2}, {"occupation_code": "4-04-05-03"}], ids=["level", "occupation"]
)
def test_outside_the_authorisation_nothing_is_recorded(ready, change: dict[str, Any]) -> None:
    with pytest.raises(errors.NotAuthorised):
        ready(assess(**change))
    assert ready.repository.added == [] and ready.outbox.added == []


def test_an_authorisation_ended_today_is_refused_as_ended(service) -> None:
    authorised(service.repository, ended_on=date(2025, 6, 2))
    worker(service.repository)
    with pytest.raises(errors.AuthorisationEnded):
        service(assess())


def test_an_unknown_worker_is_refused(service) -> None:
    authorised(service.repository)
    with pytest.raises(errors.WorkerNotFound):
        service(assess())


def test_a_worker_who_left_is_refused(service) -> None:
    authorised(service.repository)
    worker(service.repository, active=False)
    with pytest.raises(errors.WorkerNotActive):
        service(assess())


def test_a_promotion_too_early_is_refused_with_the_date_and_records_nothing(ready) -> None:
    held(ready.repository, 5, date(2024, 2, 29))
    with pytest.raises(errors.TooEarlyForPromotion) as refused:
        ready(assess(level=4))
    assert refused.value.possible_on == date(2026, 2, 28)
    assert ready.repository.added == [] and promotions(ready.repository) == []
    assert ready.outbox.added == []


def test_a_skipped_level_is_refused_naming_the_next(ready) -> None:
    held(ready.repository, 5, date(2015, 1, 1))
    with pytest.raises(errors.LevelSkipped) as refused:
        ready(assess(level=3))
    assert refused.value.next_level == 4


def test_years_in_the_occupation_count_from_hiring_only_in_the_registrys_occupation() -> None:
    rules = PromotionRules(first_level_years={X: {4: 5}})
    hired_in_x = Certification()
    authorised(hired_in_x.repository)
    worker(hired_in_x.repository)
    hired_in_x.repository.use_promotion_rules(1, rules)
    assert hired_in_x(assess(level=4)).to_level == 4
    elsewhere = Certification()
    authorised(elsewhere.repository)
    worker(elsewhere.repository, occupation_code="4-04-05-03")
    elsewhere.repository.use_promotion_rules(1, rules)
    with pytest.raises(errors.LevelSkipped):
        elsewhere(assess(level=4))


def test_a_second_pass_of_the_same_level_and_year_takes_the_next_serial(ready) -> None:
    worker(ready.repository, "wkr-2")
    first, second = ready(assess()), ready(assess(worker_id="wkr-2"))
    assert (first.certificate_number, second.certificate_number) == (
        "S057333330400255000001",
        "S057333330400255000002",
    )


# -- assessors -----------------------------------------------------------------------------------


def new(**change: Any) -> commands.NewAuthorisation:
    values: dict[str, Any] = {
        "occupation_code": X,
        "levels": (4, 5, 4),
        "valid_from": date(2025, 1, 1),
        "valid_until": date(2027, 12, 31),
    } | change
    return commands.NewAuthorisation(**values)


def test_an_assessor_is_added_with_authorisations_levels_sorted_once_each(service) -> None:
    assessor, rows = service(commands.AddAssessor("李评价", [new()]))
    assert assessor.created_at == NOW
    [row] = rows
    assert row.assessor_id == assessor.id and row.levels == [5, 4]
    assert service.repository.added == [assessor, row]


def test_an_authorisation_with_a_bad_level_refuses_the_whole_assessor(service) -> None:
    with pytest.raises(errors.InvalidLevel) as refused:
        service(commands.AddAssessor("李评价", [new(), new(levels=(7,))]))
    assert list(refused.value.errors or {}) == ["authorisations.1.levels"]
    assert service.repository.added == []


def test_an_authorisation_ending_before_it_starts_is_refused(service) -> None:
    with pytest.raises(InvalidValue) as refused:
        service(commands.AddAssessor("李评价", [new(valid_until=date(2024, 12, 31))]))
    assert refused.value.field == "authorisations.0.valid_until"


def test_an_authorisation_for_an_unknown_assessor_is_refused(service) -> None:
    with pytest.raises(NotFound):
        service(commands.AddAuthorisation("nobody", new()))


def test_an_authorisation_is_added_to_a_known_assessor(service) -> None:
    service.repository.assessors["asr-1"] = Assessor(id="asr-1", name="李评价")
    row = service(commands.AddAuthorisation("asr-1", new()))
    assert row.assessor_id == "asr-1"
    assert list(service.repository.authorisation_rows.values()) == [row]


def test_ending_an_authorisation_defaults_to_today(service) -> None:
    authorised(service.repository, id="auth-x")
    row = service(commands.EndAuthorisation("asr-1", "auth-x", None))
    assert row.ended_on == date(2025, 6, 2)


def test_ending_an_authorisation_twice_is_refused(service) -> None:
    authorised(service.repository, id="auth-x", ended_on=date(2025, 5, 1))
    with pytest.raises(Conflict):
        service(commands.EndAuthorisation("asr-1", "auth-x", None))


def test_ending_an_unknown_authorisation_or_before_its_start_is_refused(service) -> None:
    authorised(service.repository, id="auth-x")
    with pytest.raises(NotFound):
        service(commands.EndAuthorisation("asr-2", "auth-x", None))
    with pytest.raises(InvalidValue):
        service(commands.EndAuthorisation("asr-1", "auth-x", date(2019, 1, 1)))


# -- certificates ----------------------------------------------------------------------------


def issued(number: str = NUMBER, **change: Any) -> Certificate:
    values = {
        "number": number,
        "worker_id": "wkr-1",
        "name": "张小强",
        "occupation_code": X,
        "level": 5,
        "route": "assessment",
        "issued_on": date(2025, 5, 20),
        "status": "valid",
        "revoked_reason": None,
        "revoked_on": None,
    } | change
    return Certificate(**values)


def test_a_revocation_marks_the_certificate_and_stages_its_event(service) -> None:
    service.repository.certificates[NUMBER] = issued()
    typed = NUMBER.lower()
    certificate = service(commands.RevokeCertificate(typed, "信息有误"))
    assert (certificate.status, certificate.revoked_reason) == ("revoked", "信息有误")
    assert certificate.revoked_on == date(2025, 6, 2)
    [(event_type, subject, data)] = service.outbox.added
    assert (event_type, subject) == (events.CERTIFICATE_REVOKED, NUMBER)
    assert data["name_masked"] == "张*强" and data["status"] == "revoked"


def test_revoking_a_revoked_certificate_is_refused(service) -> None:
    service.repository.certificates[NUMBER] = issued(status="revoked", revoked_reason="x")
    with pytest.raises(errors.CertificateAlreadyRevoked):
        service(commands.RevokeCertificate(NUMBER, "again"))
    assert service.outbox.added == []


def test_revoking_an_unknown_or_malformed_number_is_refused(service) -> None:
    with pytest.raises(errors.CertificateNotFound):
        service(commands.RevokeCertificate(NUMBER, "x"))
    with pytest.raises(errors.InvalidCertificateNumber):
        service(commands.RevokeCertificate("S123", "x"))
