"""The registry's rules without a database: workers' details, dates, union facts, regions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest

from services.registry.domain.employment import (
    check_may_be_hired,
    check_may_leave,
    check_record_open,
    transfer_target,
)
from services.registry.domain.enterprises import (
    check_may_deregister,
    check_uscc_free,
    open_enterprise,
)
from services.registry.domain.errors import (
    DuplicateUscc,
    EnterpriseDeregistered,
    EnterpriseHasActiveWorkers,
    EnterpriseNotFound,
    InvalidValue,
    InvalidWorker,
    MissingColumns,
    WorkerActiveElsewhere,
    WorkerHasLeft,
)
from services.registry.domain.rules import (
    age_on,
    check_end_of_employment,
    check_enterprise_region,
    check_hiring,
    check_new_region,
    check_union_founding,
    higher_level,
    rate,
)
from services.registry.domain.workers import parse_boolean, parse_date, parse_new_worker
from shared.identifiers import make_id_number
from shared.regions import county_of

TODAY = date(2025, 6, 30)
NUMBER = make_id_number("330402", date(1990, 5, 17), 12, "female")


def cells(**overrides: object) -> dict[str, object]:
    return {
        "id_number": NUMBER,
        "name": "  王  芳 ",
        "occupation_code": "6-04-02-01",
        "is_migrant": "否",
        "is_union_member": "是",
        "union_joined_on": "2021/3/5",
        "hired_on": "2019-04-01",
        **overrides,
    }


def test_a_good_row_becomes_a_worker_with_what_the_id_number_says() -> None:
    worker = parse_new_worker(cells(), TODAY)
    assert worker.identity.value == NUMBER
    assert (worker.identity.birth_date, worker.identity.gender) == (date(1990, 5, 17), "female")
    assert worker.name == "王 芳" and worker.is_migrant is False and worker.is_union_member
    assert (worker.union_joined_on, worker.hired_on) == (date(2021, 3, 5), date(2019, 4, 1))


def test_every_bad_field_of_a_row_is_named_with_its_reason() -> None:
    with pytest.raises(InvalidWorker) as caught:
        parse_new_worker(
            cells(id_number=NUMBER[:-1], name="", is_migrant="maybe", hired_on="1 April"),
            TODAY,
        )
    assert caught.value.errors == {
        "id_number": ["must be 18 characters, got 17"],
        "name": ["is required"],
        "is_migrant": ["must be true or false (also accepted: 1/0, 是/否)"],
        "hired_on": ["must be a date written as YYYY-MM-DD"],
    }
    assert caught.value.field == "hired_on"


def test_an_id_number_typed_as_a_number_is_explained() -> None:
    with pytest.raises(InvalidWorker) as caught:
        parse_new_worker(cells(id_number=330402199005171221), TODAY)
    assert "format the column as text" in caught.value.errors["id_number"][0]


def test_a_birth_date_after_today_is_refused() -> None:
    future = make_id_number("330402", date(2025, 7, 1), 1, "male")
    with pytest.raises(InvalidWorker) as caught:
        parse_new_worker(cells(id_number=future), TODAY)
    assert caught.value.errors["id_number"] == ["birth date is in the future"]


def test_a_worker_is_hired_at_sixteen_or_later_and_not_in_the_future() -> None:
    born = date(2000, 6, 30)
    check_hiring(born, date(2016, 6, 30), TODAY)
    with pytest.raises(InvalidValue, match="under 16") as caught:
        check_hiring(born, date(2016, 6, 29), TODAY)
    assert caught.value.field == "hired_on"
    with pytest.raises(InvalidValue, match="future"):
        check_hiring(None, date(2025, 7, 1), TODAY)


def test_a_joining_date_belongs_to_a_union_member_only() -> None:
    with pytest.raises(InvalidWorker) as caught:
        parse_new_worker(cells(is_union_member="否"), TODAY)
    assert list(caught.value.errors) == ["union_joined_on"]
    assert (
        parse_new_worker(cells(is_union_member="0", union_joined_on=""), TODAY).union_joined_on
        is None
    )


def test_a_union_founding_date_belongs_to_an_enterprise_with_a_union() -> None:
    check_union_founding(True, date(2010, 1, 1), TODAY)
    check_union_founding(False, None, TODAY)
    with pytest.raises(InvalidValue) as caught:
        check_union_founding(False, date(2010, 1, 1), TODAY)
    assert caught.value.field == "union_founded_on"


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("true", True),
        ("FALSE", False),
        ("1", True),
        ("0", False),
        ("是", True),
        ("否", False),
        (True, True),
        (" yes ", True),
    ],
)
def test_booleans_are_read_as_a_clerk_writes_them(cell: object, value: bool) -> None:
    assert parse_boolean(cell) is value


@pytest.mark.parametrize(
    "cell", ["2024-03-05", "2024/3/5", "2024.03.05", datetime(2024, 3, 5, 0, 0), date(2024, 3, 5)]
)
def test_dates_are_read_in_the_usual_spellings(cell: object) -> None:
    assert parse_date(cell) == date(2024, 3, 5)


@pytest.mark.parametrize("cell", ["2024-02-30", "05/03/2024", "yesterday"])
def test_a_date_that_is_not_one_is_refused(cell: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_date(cell)


def test_employment_ends_after_it_began_and_not_in_the_future() -> None:
    check_end_of_employment(date(2020, 1, 1), date(2020, 1, 1), TODAY, "left_on")
    with pytest.raises(InvalidValue, match="before the worker was hired"):
        check_end_of_employment(date(2020, 1, 1), date(2019, 12, 31), TODAY, "left_on")
    with pytest.raises(InvalidValue, match="future") as caught:
        check_end_of_employment(date(2020, 1, 1), date(2025, 7, 1), TODAY, "transferred_on")
    assert caught.value.field == "transferred_on"


def test_enterprises_sit_below_the_city_and_towns_below_counties() -> None:
    check_enterprise_region("330402", "county")
    with pytest.raises(InvalidValue) as caught:
        check_enterprise_region("330400", "city")
    assert caught.value.field == "region_code"
    assert check_new_region("330402001", "330402", "county") == "town"
    assert check_new_region("330402001002", "330402001", "town") == "village"
    with pytest.raises(InvalidValue, match="three digits"):
        check_new_region("330411001", "330402", "county")
    with pytest.raises(InvalidValue, match="counties are fixed"):
        check_new_region("330400999", "330400", "city")
    with pytest.raises(InvalidValue) as caught:
        check_new_region("330402001001001", "330402001001", "village")
    assert caught.value.field == "parent_code"
    assert county_of("330402001002") == "330402"


def test_the_higher_skill_level_is_the_smaller_number() -> None:
    assert higher_level(None, 4) == 4
    assert higher_level(3, 4) == 3
    assert higher_level(4, 3) == 3


def test_rates_are_rounded_and_undefined_without_a_denominator() -> None:
    assert rate(2, 3) == 0.6667
    assert rate(0, 0) is None


def test_age_counts_whole_years() -> None:
    assert age_on(date(2000, 3, 1), date(2018, 2, 28)) == 17
    assert age_on(date(2000, 3, 1), date(2018, 3, 1)) == 18


def test_refusals_say_what_to_do_and_name_no_person() -> None:
    assert "2 active workers" in str(EnterpriseHasActiveWorkers(2))
    assert "1 active worker;" in str(EnterpriseHasActiveWorkers(1))
    assert "abc" in str(DuplicateUscc("abc")) and DuplicateUscc("abc").field == "uscc"
    assert "columns hired_on, name" in str(MissingColumns(["hired_on", "name"]))


# -- employment and enterprises, decided on the records as they stand ---------------------------


@dataclass
class Record:
    id: str = "w1"
    enterprise_id: str = "ent-a"
    active: bool = True
    hired_on: date = date(2020, 3, 1)
    left_on: date | None = None


def test_a_worker_who_left_is_neither_corrected_transferred_nor_recorded_leaving_again() -> None:
    former = Record(active=False, left_on=date(2024, 1, 31))
    with pytest.raises(WorkerHasLeft):
        check_record_open(former)
    with pytest.raises(WorkerHasLeft):
        transfer_target(former, Record(id="ent-b"), TODAY, TODAY)
    with pytest.raises(WorkerHasLeft, match="2024-01-31"):
        check_may_leave(former, TODAY, TODAY)


def test_a_transfer_goes_to_another_open_enterprise_on_a_day_since_hiring() -> None:
    worker, other = Record(), Record(id="ent-b")
    assert transfer_target(worker, other, TODAY, TODAY) is other
    for target in (None, Record(id="ent-a")):
        with pytest.raises(InvalidValue) as refused:
            transfer_target(worker, target, TODAY, TODAY)
        assert refused.value.field == "enterprise_id"
    with pytest.raises(EnterpriseDeregistered):
        transfer_target(worker, Record(id="ent-b", active=False), TODAY, TODAY)
    with pytest.raises(InvalidValue) as refused:
        transfer_target(worker, other, date(2019, 1, 1), TODAY)
    assert refused.value.field == "transferred_on"


def test_an_active_worker_is_not_hired_again_and_the_other_employer_is_named_if_allowed() -> None:
    check_may_be_hired(None, "ent-b", reveal=False)
    check_may_be_hired(Record(active=False), "ent-b", reveal=False)
    with pytest.raises(WorkerActiveElsewhere) as hidden:
        check_may_be_hired(Record(), "ent-b", reveal=False)
    with pytest.raises(WorkerActiveElsewhere) as named:
        check_may_be_hired(Record(), "ent-b", reveal=True)
    assert "ent-a" not in hidden.value.detail and "ent-a" in named.value.detail


def test_an_enterprise_with_active_workers_or_a_known_credit_code_is_refused() -> None:
    with pytest.raises(EnterpriseHasActiveWorkers):
        check_may_deregister(2, None, TODAY)
    check_may_deregister(0, TODAY, TODAY)
    with pytest.raises(DuplicateUscc):
        check_uscc_free("ent-a")
    with pytest.raises(EnterpriseNotFound):
        open_enterprise(None)
