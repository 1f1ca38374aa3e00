"""Where a competition may be and when it may open, in pure Python: a competition's region
is known, a competition opens only before its registration deadline, a judge's enterprise is one
the registry announced, a county competition takes entries only from its county. And each rule
has its Chinese title and detail in the service's own catalogue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from services.competitions.domain import errors
from services.competitions.domain.model import (
    Competition,
    Criterion,
    Level,
    Status,
    check_enterprise_in_county,
    check_judge_enterprise,
    check_may_open,
    check_region,
)
from services.competitions.handlers.lifecycle import REGIONS
from shared.errors import DomainError
from shared.i18n import Catalogue, po_files, translate
from shared.regions import COUNTIES, JIAXING

NOW = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
CRITERIA = (Criterion("quality", "Quality", 1.0, 100.0),)
CATALOGUE_DIR = Path(__file__).resolve().parents[3] / "services" / "competitions" / "locale"
NEW_RULES: tuple[type[DomainError], ...] = (
    errors.UnknownRegion,
    errors.RegistrationDeadlinePassed,
    errors.JudgeEnterpriseUnknown,
    errors.EnterpriseOutsideCounty,
)


def _competition(**overrides: object) -> Competition:
    fields: dict[str, object] = {
        "id": "c1",
        "kind": "team",
        "level": "city",
        "criteria": CRITERIA,
        "region_code": JIAXING,
        **overrides,
    }
    return Competition(**fields)  # type: ignore[arg-type]


# -- region ------------------------------------------------------------------------------


def test_the_handlers_give_the_domain_jiaxing_and_its_seven_counties() -> None:
    assert (REGIONS.city, REGIONS.counties) == (JIAXING, frozenset(COUNTIES))
    assert len(REGIONS.counties) == 7


@pytest.mark.parametrize("code", [JIAXING, *COUNTIES])
def test_the_city_and_every_county_are_known_whatever_the_registry_has_seen(code: str) -> None:
    check_region(code, "city", REGIONS, seen_below=False)


@pytest.mark.parametrize("code", ["123456", "330000", "330401", "110101", "330499"])
def test_a_six_digit_code_that_is_neither_the_city_nor_a_county_is_unknown(code: str) -> None:
    with pytest.raises(errors.UnknownRegion) as refused:
        check_region(code, "city", REGIONS, seen_below=True)
    assert refused.value.status == 422 and refused.value.rule == "unknown_region"
    assert refused.value.errors == {
        "region_code": [f"{code} is not a region of Jiaxing known here."]
    }


@pytest.mark.parametrize("code", ["330411001", "330411001002"])
def test_a_town_or_village_is_known_once_an_enterprise_is_seen_there(code: str) -> None:
    check_region(code, "enterprise", REGIONS, seen_below=True)
    with pytest.raises(errors.UnknownRegion):
        check_region(code, "enterprise", REGIONS, seen_below=False)


def test_a_town_code_below_no_county_of_jiaxing_is_unknown_even_if_seen() -> None:
    with pytest.raises(errors.UnknownRegion):
        check_region("110101001", "enterprise", REGIONS, seen_below=True)


def test_a_county_competition_lies_in_a_county() -> None:
    check_region("330481", "county", REGIONS, seen_below=False)
    check_region("330481001", "county", REGIONS, seen_below=True)
    with pytest.raises(errors.InvalidCompetitionSpec) as refused:
        check_region(JIAXING, "county", REGIONS, seen_below=False)
    assert refused.value.field == "region_code"


# -- opening -----------------------------------------------------------------------------


def test_a_competition_opens_before_its_deadline_or_without_one() -> None:
    check_may_open(_competition(registration_closes_at=NOW + timedelta(seconds=1)), NOW)
    check_may_open(_competition(registration_closes_at=None), NOW)


@pytest.mark.parametrize("late", [timedelta(0), timedelta(days=3)])
def test_a_competition_whose_deadline_passed_does_not_open(late: timedelta) -> None:
    competition = _competition(registration_closes_at=NOW - late)
    with pytest.raises(errors.RegistrationDeadlinePassed) as refused:
        check_may_open(competition, NOW)
    assert refused.value.status == 409 and refused.value.field == "registration_closes_at"
    assert "move the deadline before opening" in refused.value.detail


def test_opening_an_open_competition_is_an_invalid_transition_deadline_or_not() -> None:
    competition = _competition(status=Status.OPEN, registration_closes_at=NOW - timedelta(1))
    with pytest.raises(errors.InvalidTransition):
        check_may_open(competition, NOW)


# -- judges ------------------------------------------------------------------------------


def test_a_judge_from_an_enterprise_nobody_announced_is_refused() -> None:
    check_judge_enterprise(None, None)  # an outside expert
    check_judge_enterprise("ent-1", object())
    with pytest.raises(errors.JudgeEnterpriseUnknown) as refused:
        check_judge_enterprise("ent-1", None)
    assert refused.value.status == 422 and refused.value.field == "enterprise_id"


# -- county competitions -----------------------------------------------------------------


def test_a_county_competition_takes_entries_from_its_county_only() -> None:
    county = _competition(level=Level.COUNTY, region_code="330411")
    check_enterprise_in_county(county, "ent", "330411")
    check_enterprise_in_county(county, "ent", "330411003")  # a town of the county
    for elsewhere in ("330402", "330402001", None):
        with pytest.raises(errors.EnterpriseOutsideCounty) as refused:
            check_enterprise_in_county(county, "ent", elsewhere)
        assert refused.value.status == 422 and refused.value.field == "enterprise_id"


def test_a_county_competition_of_a_town_takes_the_whole_county() -> None:
    town = _competition(level=Level.COUNTY, region_code="330411001")
    check_enterprise_in_county(town, "ent", "330411")
    check_enterprise_in_county(town, "ent", "330411002")


@pytest.mark.parametrize("level", [Level.CITY, Level.ENTERPRISE])
def test_other_levels_take_entries_from_any_county(level: Level) -> None:
    check_enterprise_in_county(_competition(level=level), "ent", "330402")
    check_enterprise_in_county(_competition(level=level), "ent", None)


# -- the catalogue ---------------------------------------------------------------------------


def test_the_services_catalogue_is_well_formed() -> None:
    with (CATALOGUE_DIR / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    assert catalog.locale is not None and str(catalog.locale) == "zh"
    assert [(message.id, errs) for message, errs in catalog.check() if errs] == []
    assert not [message.id for message in catalog if message.id and message.fuzzy]


@pytest.mark.parametrize("rule", NEW_RULES, ids=lambda rule: rule.rule)
def test_each_new_rule_has_its_chinese_title_and_detail_in_the_services_catalogue(
    rule: type[DomainError],
) -> None:
    own = Catalogue("zh", po_files("zh", [CATALOGUE_DIR])[1:])  # the service's file alone
    assert rule.title in own and rule.default_detail in own
    for text in (rule.title, rule.default_detail):
        assert not translate(text, "zh", (CATALOGUE_DIR,)).isascii()


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        (
            "123456 is not a region of Jiaxing known here.",
            "123456 不是本平台已知的嘉兴市行政区划。",
        ),
        (
            "Enterprise ent-9 is not an enterprise the registry has announced.",
            "企业 ent-9 不是登记库中已登记的企业。",
        ),
        (
            "Enterprise ent-9 is not in county 330411, the competition's.",
            "企业 ent-9 不在竞赛所属的县（市、区）330411。",
        ),
        (
            "Registration closed at 2025-05-01T09:00:00+00:00; move the deadline before opening.",
            "报名已于 2025-05-01T09:00:00+00:00 截止；请先修改截止时间再开放报名。",
        ),
    ],
)
def test_the_details_with_values_are_translated_keeping_the_values(
    english: str, chinese: str
) -> None:
    assert translate(english, "zh", (CATALOGUE_DIR,)) == chinese
