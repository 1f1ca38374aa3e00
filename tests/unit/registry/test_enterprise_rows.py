"""An enterprise's row checked without a database: the region by name or code, the values a
spreadsheet holds, and the rows an import compares with what is registered."""

from __future__ import annotations

from datetime import date

from services.registry.domain.enterprise_rows import EXAMPLE_ROW, differences, is_example
from services.registry.handlers.enterprise_imports import check_enterprise_rows
from shared.identifiers import make_uscc

TODAY = date(2025, 6, 30)
REGIONS = [
    ("330400", "嘉兴市", "city"),
    ("330411", "秀洲区", "county"),
    ("330411001", "新城街道", "town"),
    ("330402001", "新城街道", "town"),  # the same name in another county
]
USCC = make_uscc("91330411MA2B3C4D5")


def cells(**changes: object) -> dict[str, object]:
    return {
        "uscc": USCC,
        "name": " 嘉兴  秀洲织造 ",
        "region_code": "秀洲区",
        "has_union": "是",
        "union_founded_on": "2016/5/1",
        "above_designated_size": False,
        "ownership": "非公有制",
        "employee_count": 85.0,
        **changes,
    }


def checked(**changes: object):
    (row,) = check_enterprise_rows([(2, cells(**changes))], TODAY, REGIONS)
    return row


def test_a_good_row_gives_the_columns_to_write_under_its_credit_code() -> None:
    row = checked()
    assert (row.row, row.lookup, row.errors) == (2, USCC, None)
    assert row.values == {
        "uscc": USCC,
        "name": "嘉兴 秀洲织造",
        "region_code": "330411",
        "has_union": True,
        "union_founded_on": date(2016, 5, 1),
        "above_designated_size": False,
        "ownership": "non_public",
        "employee_count": 85,
    }


def test_a_region_is_found_by_its_code_as_text_or_number_and_a_shared_name_is_refused() -> None:
    assert checked(region_code=330411001).values["region_code"] == "330411001"
    assert checked(region_code="330402001").values["region_code"] == "330402001"
    assert "give the region's code" in checked(region_code="新城街道").errors["region_code"][0]
    assert "county-level division" in checked(region_code="嘉兴市").errors["region_code"][0]


def test_a_credit_code_as_a_number_cell_or_lower_case_is_read_as_a_clerk_means_it() -> None:
    assert "number, not text" in checked(uscc=913304115).errors["uscc"][0]
    assert checked(uscc=USCC.lower()).values["uscc"] == USCC


def test_counts_and_ownership_outside_their_values_are_refused() -> None:
    errors = checked(employee_count="1,000,001", ownership="集体").errors
    assert set(errors) == {"employee_count", "ownership"}
    for count in (-3, "²", "9" * 5000):
        assert checked(employee_count=count).errors == {
            "employee_count": ["must be a whole number from 0 to 1,000,000"]
        }
    assert checked(employee_count="１２０").values["employee_count"] == 120


def test_the_details_compared_with_a_registered_enterprise_leave_out_the_credit_code() -> None:
    values = dict(checked().values)
    registered = {**values, "uscc": "another", "employee_count": 90}
    assert differences(registered, values) == ["employee_count"]
    assert is_example(EXAMPLE_ROW) and not is_example(cells())
