"""The assessor, assessment and certificate handlers with in-memory records: no database.

Each handler is called as the kernel calls it, ``handler(ctx, command)``, with the records it
reads and writes given in place of the SQL ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.certification import commands, events
from services.certification.adapters.assessments_repo import as_domain
from services.certification.adapters.orm import (
    Assessor,
    AssessorAuthorisation,
    Certificate,
    WorkerReplica,
)
from services.certification.domain import errors
from services.certification.domain.assessment import Authorisation, PromotionRules
from services.certification.domain.levels import Promotion, SkillHolding
from services.certification.handlers.assessments import record_assessment
from services.certification.handlers.assessors import (
    add_assessor,
    add_authorisation,
    end_authorisation,
)
from services.certification.handlers.certificates import revoke_certificate
from shared.errors import Conflict, InvalidValue, NotFound
from shared.handling import Context
from shared.settings import Settings

NOW = datetime(2025, 6, 2, 2, 0, tzinfo=UTC)  # 10:00 on 2 June in Jiaxing
X = "6-18-01-01"
NUMBER = "S057333330400255000001"


@dataclass
class FakeOutbox:
    """Stages events in a list, validated by the service's own schemas as the real one does."""

    staged: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def add(self, session: Any, event_type: str, subject: str, data: dict[str, Any]) -> None:
        events.PRODUCES[event_type]().load(dict(data))
        self.staged.append((event_type, subject, dict(data)))

    def types(self) -> list[str]:
        return [event_type for event_type, _, _ in self.staged]


@dataclass
class FakeRecords:
    """The handlers' records, in memory."""

    assessors: dict[str, Assessor] = field(default_factory=dict)
    rows: list[AssessorAuthorisation] = field(default_factory=list)
    workers: dict[str, WorkerReplica] = field(default_factory=dict)
    holdings: dict[tuple[str, str], SkillHolding] = field(default_factory=dict)
    rules: tuple[int | None, PromotionRules] = (None, PromotionRules())
    certificates: dict[str, Certificate] = field(default_factory=dict)
    added: list[Any] = field(default_factory=list)
    promotions: list[tuple[Promotion, str, int | None]] = field(default_factory=list)

    def add(self, row: Any) -> None:
        self.added.append(row)
        if isinstance(row, Assessor):
            self.assessors[row.id] = row
        if isinstance(row, AssessorAuthorisation):
            self.rows.append(row)

    def assessor(self, assessor_id: str) -> Assessor | None:
        return self.assessors.get(assessor_id)

    def authorisation(self, assessor_id: str, authorisation_id: str) -> Any:
        return next(
            (r for r in self.rows if (r.assessor_id, r.id) == (assessor_id, authorisation_id)),
            None,
        )

    def authorisations(self, assessor_id: str) -> list[Authorisation]:
        return [as_domain(row) for row in self.rows if row.assessor_id == assessor_id]

    def worker(self, worker_id: str) -> WorkerReplica | None:
        return self.workers.get(worker_id)

    def holding(self, worker_id: str, occupation_code: str) -> SkillHolding | None:
        return self.holdings.get((worker_id, occupation_code))

    def promotion_rules(self) -> tuple[int | None, PromotionRules]:
        return self.rules

    def promote(
        self, ctx: Any, worker: Any, promotion: Promotion, source_id: str, version: Any
    ) -> Certificate:
        self.promotions.append((promotion, source_id, version))
        year = promotion.on.year % 100
        number = f"S057333330400{year:02d}{promotion.to_level}{len(self.promotions):06d}"
        return Certificate(number=number, worker_id=worker.id, name=worker.name)

    def certificate(self, number: str) -> Certificate | None:
        return self.certificates.get(number)


def context() -> Context:
    return Context(session=None, outbox=FakeOutbox(), now=NOW, settings=Settings())  # type: ignore[arg-type]


def authorised(records: FakeRecords, assessor_id: str = "asr-1", **change: Any) -> None:
    values = {
        "id": f"auth-{len(records.rows)}",
        "assessor_id": assessor_id,
        "occupation_code": X,
        "levels": [5, 4, 3],
        "valid_from": date(2020, 1, 1),
        "valid_until": None,
        "ended_on": None,
    } | change
    records.rows.append(AssessorAuthorisation(**values))


def worker(records: FakeRecords, worker_id: str = "wkr-1", **change: Any) -> None:
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
        "updated_at": NOW,
    } | change
    records.workers[worker_id] = WorkerReplica(**values)


def assess(**change: Any) -> commands.RecordAssessment:
    values = {
        "assessor_id": "asr-1",
        "worker_id": "wkr-1",
        "occupation_code": X,
        "level": 5,
        "theory_score": 80.0,
        "practical_score": 75.0,
        "review_passed": None,
        "assessed_on": date(2025, 5, 20),
    } | change
    return commands.RecordAssessment(**values)


def ready() -> FakeRecords:
    records = FakeRecords()
    authorised(records)
    worker(records)
    return records


# -- record_assessment ---------------------------------------------------------------------------


def test_a_first_pass_promotes_to_level_five_and_stages_the_recording() -> None:
    ctx, records = context(), ready()
    row = record_assessment(ctx, assess(), records)
    assert row.passed is True
    assert (row.from_level, row.to_level) == (None, 5)
    assert row.certificate_number == "S057333330400255000001"
    [(promotion, source_id, version)] = records.promotions
    assert promotion.to_level == 5 and source_id == row.id and version is None
    [(event_type, subject, data)] = ctx.outbox.staged  # type: ignore[attr-defined]
    assert (event_type, subject) == (events.ASSESSMENT_RECORDED, "wkr-1")
    assert data["enterprise_id"] == "ent-1" and data["region_code"] == "330402"
    assert data["year"] == 2025 and data["passed"] is True


def test_a_fail_is_recorded_without_a_promotion() -> None:
    ctx, records = context(), ready()
    row = record_assessment(ctx, assess(practical_score=59.9), records)
    assert row.passed is False and row.to_level is None and row.certificate_number is None
    assert records.promotions == []
    [added] = records.added
    assert (added.id, added.passed, added.recorded_at) == (row.id, False, NOW)
    assert ctx.outbox.types() == [events.ASSESSMENT_RECORDED]  # type: ignore[attr-defined]


def test_the_rules_version_in_force_goes_with_the_promotion() -> None:
    ctx, records = context(), ready()
    records.rules = (3, PromotionRules(years_before={4: 1, 3: 4, 2: 4, 1: 4}))
    records.holdings[("wkr-1", X)] = SkillHolding(X, 5, date(2024, 5, 20))
    row = record_assessment(ctx, assess(level=4), records)
    assert (row.from_level, row.to_level) == (5, 4)
    assert records.promotions[0][2] == 3


def test_an_assessment_in_the_future_is_refused_before_anything_else() -> None:
    ctx, records = context(), FakeRecords()
    with pytest.raises(errors.AssessmentInFuture):
        record_assessment(ctx, assess(assessed_on=date(2025, 6, 3)), records)


def test_a_score_out_of_range_is_refused_naming_it() -> None:
    with pytest.raises(errors.ScoresOutOfRange) as refused:
        record_assessment(context(), assess(practical_score=101), ready())
    assert refused.value.errors == {"practical_score": [refused.value.detail]}


@pytest.mark.parametrize(
    "change", [{"level": 2}, {"occupation_code": "4-04-05-03"}], ids=["level", "occupation"]
)
def test_outside_the_authorisation_nothing_is_recorded(change: dict[str, Any]) -> None:
    ctx, records = context(), ready()
    with pytest.raises(errors.NotAuthorised):
        record_assessment(ctx, assess(**change), records)
    assert records.added == [] and ctx.outbox.staged == []  # type: ignore[attr-defined]


def test_an_authorisation_ended_today_is_refused_as_ended() -> None:
    records = FakeRecords()
    authorised(records, ended_on=date(2025, 6, 2))
    worker(records)
    with pytest.raises(errors.AuthorisationEnded):
        record_assessment(context(), assess(), records)


def test_an_unknown_worker_is_refused() -> None:
    records = FakeRecords()
    authorised(records)
    with pytest.raises(errors.WorkerNotFound):
        record_assessment(context(), assess(), records)


def test_a_worker_who_left_is_refused() -> None:
    records = FakeRecords()
    authorised(records)
    worker(records, active=False)
    with pytest.raises(errors.WorkerNotActive):
        record_assessment(context(), assess(), records)


def test_a_promotion_too_early_is_refused_with_the_date_and_records_nothing() -> None:
    ctx, records = context(), ready()
    records.holdings[("wkr-1", X)] = SkillHolding(X, 5, date(2024, 2, 29))
    with pytest.raises(errors.TooEarlyForPromotion) as refused:
        record_assessment(ctx, assess(level=4), records)
    assert refused.value.possible_on == date(2026, 2, 28)
    assert records.added == [] and records.promotions == []


def test_a_skipped_level_is_refused_naming_the_next() -> None:
    records = ready()
    records.holdings[("wkr-1", X)] = SkillHolding(X, 5, date(2015, 1, 1))
    with pytest.raises(errors.LevelSkipped) as refused:
        record_assessment(context(), assess(level=3), records)
    assert refused.value.next_level == 4


def test_years_in_the_occupation_count_from_hiring_only_in_the_registrys_occupation() -> None:
    rules = PromotionRules(first_level_years={X: {4: 5}})
    records = ready()
    records.rules = (1, rules)
    assert record_assessment(context(), assess(level=4), records).to_level == 4
    elsewhere = ready()
    elsewhere.rules = (1, rules)
    worker(elsewhere, occupation_code="4-04-05-03")
    with pytest.raises(errors.LevelSkipped):
        record_assessment(context(), assess(level=4), elsewhere)


# -- assessors -----------------------------------------------------------------------------------


def new(**change: Any) -> commands.NewAuthorisation:
    values = {
        "occupation_code": X,
        "levels": (4, 5, 4),
        "valid_from": date(2025, 1, 1),
        "valid_until": date(2027, 12, 31),
    } | change
    return commands.NewAuthorisation(**values)


def test_an_assessor_is_added_with_authorisations_levels_sorted_once_each() -> None:
    records = FakeRecords()
    assessor, rows = add_assessor(context(), commands.AddAssessor("李评价", [new()]), records)
    assert assessor.created_at == NOW
    [row] = rows
    assert row.assessor_id == assessor.id and row.levels == [5, 4]
    assert records.added == [assessor, row]


def test_an_authorisation_with_a_bad_level_refuses_the_whole_assessor() -> None:
    records = FakeRecords()
    with pytest.raises(errors.InvalidLevel) as refused:
        add_assessor(context(), commands.AddAssessor("李评价", [new(), new(levels=(7,))]), records)
    assert list(refused.value.errors or {}) == ["authorisations.1.levels"]
    assert records.added == []


def test_an_authorisation_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        add_assessor(
            context(),
            commands.AddAssessor("李评价", [new(valid_until=date(2024, 12, 31))]),
            FakeRecords(),
        )
    assert refused.value.field == "authorisations.0.valid_until"


def test_an_authorisation_for_an_unknown_assessor_is_refused() -> None:
    with pytest.raises(NotFound):
        add_authorisation(context(), commands.AddAuthorisation("nobody", new()), FakeRecords())


def test_an_authorisation_is_added_to_a_known_assessor() -> None:
    records = FakeRecords(assessors={"asr-1": Assessor(id="asr-1", name="李评价")})
    row = add_authorisation(context(), commands.AddAuthorisation("asr-1", new()), records)
    assert row.assessor_id == "asr-1" and records.rows == [row]


def test_ending_an_authorisation_defaults_to_today() -> None:
    records = FakeRecords()
    authorised(records, id="auth-x")
    row = end_authorisation(context(), commands.EndAuthorisation("asr-1", "auth-x", None), records)
    assert row.ended_on == date(2025, 6, 2)


def test_ending_an_authorisation_twice_is_refused() -> None:
    records = FakeRecords()
    authorised(records, id="auth-x", ended_on=date(2025, 5, 1))
    with pytest.raises(Conflict):
        end_authorisation(context(), commands.EndAuthorisation("asr-1", "auth-x", None), records)


def test_ending_an_unknown_authorisation_or_before_its_start_is_refused() -> None:
    records = FakeRecords()
    authorised(records, id="auth-x")
    with pytest.raises(NotFound):
        end_authorisation(context(), commands.EndAuthorisation("asr-2", "auth-x", None), records)
    with pytest.raises(InvalidValue):
        end_authorisation(
            context(), commands.EndAuthorisation("asr-1", "auth-x", date(2019, 1, 1)), records
        )


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


def test_a_revocation_marks_the_certificate_and_stages_its_event() -> None:
    ctx = context()
    records = FakeRecords(certificates={NUMBER: issued()})
    typed = NUMBER.lower()
    certificate = revoke_certificate(ctx, commands.RevokeCertificate(typed, "信息有误"), records)
    assert (certificate.status, certificate.revoked_reason) == ("revoked", "信息有误")
    assert certificate.revoked_on == date(2025, 6, 2)
    [(event_type, subject, data)] = ctx.outbox.staged  # type: ignore[attr-defined]
    assert (event_type, subject) == (events.CERTIFICATE_REVOKED, NUMBER)
    assert data["name_masked"] == "张*强" and data["status"] == "revoked"


def test_revoking_a_revoked_certificate_is_refused() -> None:
    records = FakeRecords(certificates={NUMBER: issued(status="revoked", revoked_reason="x")})
    with pytest.raises(errors.CertificateAlreadyRevoked):
        revoke_certificate(context(), commands.RevokeCertificate(NUMBER, "again"), records)


def test_revoking_an_unknown_or_malformed_number_is_refused() -> None:
    with pytest.raises(errors.CertificateNotFound):
        revoke_certificate(context(), commands.RevokeCertificate(NUMBER, "x"), FakeRecords())
    with pytest.raises(errors.InvalidCertificateNumber):
        revoke_certificate(context(), commands.RevokeCertificate("S123", "x"), FakeRecords())
