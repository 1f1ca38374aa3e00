"""The registry's rules without a database: workers' details, dates, union facts, regions."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from services.registry.domain.errors import (
    DuplicateUscc,
    EnterpriseHasActiveWorkers,
    InvalidValue,
    InvalidWorker,
    MissingColumns,
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
