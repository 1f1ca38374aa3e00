"""The registry's handlers with a fake repository and outbox: no database, milliseconds each.

Every test builds what it needs through the handlers themselves (register an enterprise, then
a worker, ...), then asks for something the registry must refuse, or checks what it records.
"""

from __future__ import annotations

import random
from dataclasses import fields, is_dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from services.registry import commands
from services.registry.adapters.orm import Enterprise, Worker
from services.registry.commands import (
    AddRegion,
    DeregisterEnterprise,
    ImportWorkers,
    RecordPromotion,
    RecordWorkerLeft,
    RegisterEnterprise,
    RegisterWorker,
    RevealIdNumber,
    TransferWorker,
    UpdateEnterprise,
    UpdateWorker,
)
from services.registry.domain.errors import (
    DuplicateUscc,
    EnterpriseDeregistered,
    EnterpriseHasActiveWorkers,
    EnterpriseNotFound,
    InvalidValue,
    UnknownRegion,
    WorkerActiveElsewhere,
    WorkerHasLeft,
    WorkerNotFound,
)
from services.registry.domain.workers import CheckedRow, NewWorker, parse_new_worker
from services.registry.events import PRODUCES
from services.registry.handlers import BY_COMMAND
from services.registry.handlers.imports import check_rows
from shared.handling import handle, with_repository
from shared.identifiers import FEMALE, MALE, USCC_ALPHABET, make_id_number, make_uscc
from shared.pii import PiiCipher
from tests.support.outbox import RecordingOutbox
from tests.unit.registry.fakes import FakeRepository, fake_context

TODAY = date(2025, 6, 30)


class Registry:
    """The handlers wired to a fake repository, a fake outbox and a fixed day."""

    def __init__(self) -> None:
        self.repository = FakeRepository()
        self.outbox = RecordingOutbox(PRODUCES)
        self.cipher = PiiCipher("unit-test key")
        self.handlers = with_repository(BY_COMMAND, lambda _session: self.repository)
        self.ctx = fake_context(self.outbox, self.cipher)
        self.rng = random.Random()
        self._given: set[str] = set()

    def run(self, command: object) -> Any:
        return handle(self.handlers, self.ctx, command)

    def checked(self, rows: list[tuple[int, dict[str, object]]]) -> list[CheckedRow]:
        """A spreadsheet's rows checked, as the view checks them before its transaction."""
        return check_rows(rows, TODAY, self.cipher)

    def uscc(self, county: str = "330402") -> str:
        organisation = "".join(self.rng.choice(USCC_ALPHABET) for _ in range(9))
        return make_uscc("91" + county + organisation)

    def id_number(self, born: date = date(1990, 5, 17)) -> str:
        """A new person's ID number: never one this registry gave before (two people drawn
        with the same birth date, serial and sex would be one person registered twice)."""
        for _ in range(1000):
            gender = self.rng.choice((MALE, FEMALE))
            number = make_id_number("330402", born, self.rng.randint(0, 99), gender)
            if number not in self._given:
                self._given.add(number)
                return number
        raise RuntimeError("no new ID number left for that birth date (200 serials and sexes)")

    def enterprise(self, **overrides: Any) -> Enterprise:
        details: dict[str, Any] = {
            "uscc": self.uscc(),
            "name": "嘉兴测试有限公司",
            "region_code": "330402",
            "has_union": True,
            "union_founded_on": date(2015, 5, 1),
            "above_designated_size": True,
            "ownership": "non_public",
            "employee_count": 120,
            **overrides,
        }
        enterprise: Enterprise = self.run(RegisterEnterprise(**details))
        return enterprise

    def new_worker(self, **cells: object) -> NewWorker:
        values: dict[str, object] = {
            "id_number": self.id_number(),
            "name": "张伟",
            "occupation_code": "6-18-01-01",
            "is_migrant": False,
            "is_union_member": True,
            "union_joined_on": date(2021, 3, 1),
            "hired_on": date(2020, 9, 1),
            **cells,
        }
        return parse_new_worker(values, TODAY)

    def worker(self, enterprise_id: str, new: NewWorker | None = None) -> Worker:
        worker: Worker = self.run(RegisterWorker(enterprise_id, new or self.new_worker()))
        return worker


@pytest.fixture
def registry() -> Registry:
    return Registry()


def test_every_command_has_one_handler() -> None:
    defined = {
        value
        for value in vars(commands).values()
        if isinstance(value, type) and is_dataclass(value) and value.__module__ == commands.__name__
    }
    assert set(BY_COMMAND) == defined
    assert all(command.__dataclass_params__.frozen for command in defined)  # type: ignore[attr-defined]
    assert all(fields(command) for command in defined)


# -- regions ------------------------------------------------------------------------------------


def test_a_town_is_added_below_a_county_and_a_village_below_the_town(registry) -> None:
    town = registry.run(AddRegion("330402001", "建设街道", "330402"))
    village = registry.run(AddRegion("330402001002", "某村", "330402001"))
    assert (town.level, village.level) == ("town", "village")
    assert registry.repository.region("330402001002") is village


def test_a_region_below_a_village_or_an_unknown_parent_is_refused(registry) -> None:
    with pytest.raises(InvalidValue) as unknown:
        registry.run(AddRegion("330499001", "某镇", "330499"))
    assert unknown.value.field == "parent_code"
    registry.run(AddRegion("330402001", "建设街道", "330402"))
    with pytest.raises(InvalidValue) as twice:
        registry.run(AddRegion("330402001", "建设街道", "330402"))
    assert twice.value.field == "code"


# -- enterprises --------------------------------------------------------------------------------


def test_registering_an_enterprise_stages_its_event_with_the_county(registry) -> None:
    registry.run(AddRegion("330481101", "许村镇", "330481"))
    enterprise = registry.enterprise(region_code="330481101")
    assert enterprise.active is True and registry.repository.enterprise(enterprise.id)
    assert registry.outbox.types() == ["jiangong.enterprise.registered.v1"]
    _, subject, data = registry.outbox.added[0]
    assert subject == enterprise.id and data["county_code"] == "330481"


def test_a_known_credit_code_is_refused_and_names_the_enterprise(registry) -> None:
    first = registry.enterprise()
    with pytest.raises(DuplicateUscc) as refused:
        registry.enterprise(uscc=first.uscc)
    assert refused.value.existing_id == first.id and refused.value.status == 409
    assert len(registry.repository.enterprises) == 1
    assert registry.outbox.types() == ["jiangong.enterprise.registered.v1"]


def test_an_enterprise_in_an_unknown_region_or_the_city_itself_is_refused(registry) -> None:
    with pytest.raises(UnknownRegion):
        registry.enterprise(region_code="330499")
    with pytest.raises(InvalidValue) as city:
        registry.enterprise(region_code="330400")
    assert city.value.field == "region_code"
    assert registry.outbox.added == []


def test_a_union_founded_in_the_future_is_refused_by_the_contexts_today(registry) -> None:
    with pytest.raises(InvalidValue) as refused:
        registry.enterprise(union_founded_on=TODAY + timedelta(days=1))
    assert refused.value.field == "union_founded_on"
    registry.enterprise(union_founded_on=TODAY)


def test_an_unchanged_correction_sends_no_event_and_no_union_clears_the_date(registry) -> None:
    enterprise = registry.enterprise()
    registry.run(UpdateEnterprise(enterprise.id, {"employee_count": 120}))
    assert registry.outbox.types() == ["jiangong.enterprise.registered.v1"]
    registry.run(UpdateEnterprise(enterprise.id, {"has_union": False}))
    assert enterprise.union_founded_on is None
    assert registry.outbox.types()[-1] == "jiangong.enterprise.updated.v1"


def test_correcting_an_unknown_or_deregistered_enterprise_is_refused(registry) -> None:
    with pytest.raises(EnterpriseNotFound):
        registry.run(UpdateEnterprise("nope", {"employee_count": 1}))
    enterprise = registry.enterprise()
    registry.run(DeregisterEnterprise(enterprise.id))
    with pytest.raises(EnterpriseDeregistered):
        registry.run(UpdateEnterprise(enterprise.id, {"employee_count": 1}))


def test_an_enterprise_with_active_workers_is_not_deregistered(registry) -> None:
    enterprise = registry.enterprise()
    registry.worker(enterprise.id)
    with pytest.raises(EnterpriseHasActiveWorkers) as refused:
        registry.run(DeregisterEnterprise(enterprise.id))
    assert refused.value.count == 1 and enterprise.active is True


def test_deregistration_defaults_to_today_and_refuses_a_future_date(registry) -> None:
    enterprise = registry.enterprise()
    with pytest.raises(InvalidValue) as future:
        registry.run(DeregisterEnterprise(enterprise.id, TODAY + timedelta(days=1)))
    assert future.value.field == "deregistered_on"
    registry.run(DeregisterEnterprise(enterprise.id))
    assert (enterprise.active, enterprise.deregistered_on) == (False, TODAY)
    assert registry.outbox.types()[-1] == "jiangong.enterprise.deregistered.v1"


# -- workers ------------------------------------------------------------------------------------


def test_a_worker_is_stored_encrypted_hashed_and_masked_and_announced(registry) -> None:
    enterprise = registry.enterprise()
    new = registry.new_worker()
    worker = registry.worker(enterprise.id, new)
    number = new.identity.value
    assert registry.cipher.decrypt(worker.id_number_encrypted) == number
    assert worker.id_number_hash == registry.cipher.lookup_hash(number)
    assert worker.id_number_masked == number[:6] + "********" + number[-4:]
    assert [e.enterprise_id for e in registry.repository.employments] == [enterprise.id]
    event_type, subject, data = registry.outbox.added[-1]
    assert (event_type, subject) == ("jiangong.worker.registered.v1", worker.id)
    assert number not in str(data)


def test_registering_a_worker_in_an_unknown_enterprise_is_refused(registry) -> None:
    with pytest.raises(EnterpriseNotFound):
        registry.run(RegisterWorker("nope", registry.new_worker()))
    assert registry.repository.workers == {}


def test_an_active_worker_is_not_registered_again_and_only_an_admin_learns_where(
    registry,
) -> None:
    first, second = registry.enterprise(), registry.enterprise()
    new = registry.new_worker()
    registry.worker(first.id, new)
    with pytest.raises(WorkerActiveElsewhere) as hidden:
        registry.run(RegisterWorker(second.id, new))
    assert "another enterprise" in hidden.value.detail and first.id not in hidden.value.detail
    with pytest.raises(WorkerActiveElsewhere) as shown:
        registry.run(RegisterWorker(second.id, new, reveal_employer=True))
    assert first.id in shown.value.detail
    with pytest.raises(WorkerActiveElsewhere) as same:
        registry.run(RegisterWorker(first.id, new))
    assert "this enterprise" in same.value.detail


def test_someone_who_left_is_hired_again_under_the_same_worker_id(registry) -> None:
    first, second = registry.enterprise(), registry.enterprise()
    new = registry.new_worker()
    worker = registry.worker(first.id, new)
    registry.run(RecordWorkerLeft(worker.id, date(2024, 1, 31)))
    again = registry.worker(second.id, new)
    assert again is worker and (worker.active, worker.left_on) == (True, None)
    assert worker.enterprise_id == second.id and len(registry.repository.workers) == 1


def test_a_former_worker_cannot_be_corrected_and_an_unknown_one_is_not_found(registry) -> None:
    worker = registry.worker(registry.enterprise().id)
    with pytest.raises(WorkerNotFound):
        registry.run(UpdateWorker("nope", {"name": "李娜"}))
    registry.run(RecordWorkerLeft(worker.id))
    with pytest.raises(WorkerHasLeft):
        registry.run(UpdateWorker(worker.id, {"name": "李娜"}))


def test_leaving_the_union_clears_the_joining_date(registry) -> None:
    worker = registry.worker(registry.enterprise().id)
    registry.run(UpdateWorker(worker.id, {"is_union_member": False}))
    assert (worker.is_union_member, worker.union_joined_on) == (False, None)
    with pytest.raises(InvalidValue) as refused:
        registry.run(UpdateWorker(worker.id, {"union_joined_on": date(2022, 1, 1)}))
    assert refused.value.field == "union_joined_on"


def test_a_transfer_closes_one_employment_and_opens_the_next(registry) -> None:
    first = registry.enterprise()
    second = registry.enterprise(region_code="330482")
    worker = registry.worker(first.id)
    registry.run(TransferWorker(worker.id, second.id, date(2025, 1, 1)))
    closed, opened = registry.repository.employments
    assert (closed.left_on, closed.ended_by) == (date(2025, 1, 1), "transfer")
    assert (opened.enterprise_id, opened.hired_on, opened.left_on) == (
        second.id,
        date(2025, 1, 1),
        None,
    )
    _, _, data = registry.outbox.added[-1]
    assert data["from_enterprise_id"] == first.id and data["region_code"] == "330482"


def test_a_transfer_of_a_former_worker_or_to_nowhere_is_refused(registry) -> None:
    enterprise = registry.enterprise()
    worker = registry.worker(enterprise.id)
    with pytest.raises(InvalidValue) as same:
        registry.run(TransferWorker(worker.id, enterprise.id))
    assert same.value.field == "enterprise_id"
    with pytest.raises(InvalidValue) as unknown:
        registry.run(TransferWorker(worker.id, "nope"))
    assert (unknown.value.field, unknown.value.status) == ("enterprise_id", 422)
    registry.run(RecordWorkerLeft(worker.id))
    with pytest.raises(WorkerHasLeft):
        registry.run(TransferWorker(worker.id, registry.enterprise().id))


def test_a_worker_leaves_once_and_not_before_being_hired(registry) -> None:
    worker = registry.worker(registry.enterprise().id)
    with pytest.raises(InvalidValue) as early:
        registry.run(RecordWorkerLeft(worker.id, date(2019, 1, 1)))
    assert early.value.field == "left_on"
    registry.run(RecordWorkerLeft(worker.id))
    assert (worker.active, worker.left_on) == (False, TODAY)
    with pytest.raises(WorkerHasLeft):
        registry.run(RecordWorkerLeft(worker.id))
    assert registry.outbox.types().count("jiangong.worker.left.v1") == 1


def test_the_full_id_number_is_shown_only_with_an_audit_row(registry) -> None:
    new = registry.new_worker()
    worker = registry.worker(registry.enterprise().id, new)
    with pytest.raises(WorkerNotFound):
        registry.run(RevealIdNumber("nope", "admin-1", "admin", "a check"))
    assert registry.repository.audits == []
    shown = registry.run(RevealIdNumber(worker.id, "admin-1", "admin", "x" * 600))
    assert shown == new.identity.value
    (audit,) = registry.repository.audits
    assert (audit.worker_id, audit.viewer, len(audit.reason)) == (worker.id, "admin-1", 500)


# -- the import ---------------------------------------------------------------------------------


def cells(new_worker: NewWorker) -> dict[str, object]:
    return {
        "id_number": new_worker.identity.value,
        "name": new_worker.name,
        "occupation_code": new_worker.occupation_code,
        "is_migrant": "否",
        "is_union_member": "是",
        "union_joined_on": "",
        "hired_on": "2019-04-01",
    }


def test_an_import_into_a_deregistered_enterprise_is_refused(registry) -> None:
    enterprise = registry.enterprise()
    registry.run(DeregisterEnterprise(enterprise.id))
    with pytest.raises(EnterpriseDeregistered):
        registry.run(
            ImportWorkers(enterprise.id, registry.checked([(2, cells(registry.new_worker()))]))
        )


def test_an_import_reports_each_bad_row_by_its_number_and_creates_the_rest(registry) -> None:
    enterprise = registry.enterprise()
    active = registry.new_worker()
    registry.worker(registry.enterprise().id, active)
    good = cells(registry.new_worker())
    rows = [
        (2, good),
        (3, {**cells(registry.new_worker()), "hired_on": "someday"}),
        (5, dict(good)),
        (6, cells(active)),
    ]
    before = len(registry.outbox.added)
    result = registry.run(ImportWorkers(enterprise.id, registry.checked(rows)))
    assert (result.rows, result.created) == (4, 1)
    assert [(r["row"], sorted(r["errors"])) for r in result.rejected] == [
        (3, ["hired_on"]),
        (5, ["id_number"]),
        (6, ["id_number"]),
    ]
    assert "already in row 2" in result.rejected[1]["errors"]["id_number"][0]
    assert registry.outbox.types()[before:] == ["jiangong.worker.registered.v1"]


def test_an_atomic_import_with_a_bad_row_writes_nothing(registry) -> None:
    enterprise = registry.enterprise()
    rows = [(2, cells(registry.new_worker())), (3, {**cells(registry.new_worker()), "name": ""})]
    before = len(registry.outbox.added)
    result = registry.run(ImportWorkers(enterprise.id, registry.checked(rows), atomic=True))
    assert (result.created, len(result.rejected), result.atomic) == (0, 1, True)
    assert registry.repository.workers == {} and len(registry.outbox.added) == before


# -- what the registry consumes -----------------------------------------------------------------


def test_a_promotion_keeps_the_highest_level_whatever_the_order(registry) -> None:
    for level in (4, 3, 5, 3):
        registry.run(RecordPromotion("w1", "6-18-01-01", level))
    assert registry.repository.skills == {("w1", "6-18-01-01"): 3}
