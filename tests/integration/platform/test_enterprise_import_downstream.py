"""Enterprises imported from a spreadsheet reach the services that keep a replica of them: the
embedded platform, a CSV posted to the registry, and the competitions' coverage and the
dashboard's union formation counting every imported enterprise once its events arrive."""

from __future__ import annotations

from shared.clock import today_in_shanghai
from shared.identifiers import USCC_ALPHABET, make_uscc
from tests.integration.platform import test_dashboard_matches_sources
from tests.integration.platform.test_dashboard_matches_sources import Platform
from tests.support.polling import wait_until

platform = test_dashboard_matches_sources.platform  # the embedded platform, started and stopped
HEADER = (
    "uscc,name,region_code,has_union,union_founded_on,above_designated_size,ownership,"
    "employee_count"
)


def csv_of(platform: Platform, count: int, with_union: int) -> bytes:
    lines = [HEADER]
    for n in range(count):
        organisation = "".join(platform.rng.choice(USCC_ALPHABET) for _ in range(9))
        union = "是,2018-04-01" if n < with_union else "否,"
        county = ("南湖区", "330411", "桐乡市")[n % 3]
        uscc = make_uscc("91330402" + organisation)
        lines.append(f"{uscc},嘉兴导入{n}有限公司,{county},{union},否,非公有,50")
    return "\n".join(lines).encode()


def test_imported_enterprises_are_counted_by_the_competitions_and_the_dashboard(platform) -> None:
    year = today_in_shanghai().year
    answer = platform.client.post(
        "/registry/api/v1/enterprises/import",
        data=csv_of(platform, 12, with_union=9),
        content_type="text/csv",
        headers=platform.token(),
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.json["created"] == 12

    def counted() -> bool:
        coverage = platform.call("GET", "/competitions/api/v1/coverage", role="reader", year=year)
        formation = platform.targets(year)["union_formation"]["counts"]
        return coverage["enterprises_total"] == 12 and formation == {
            "enterprises": 12,
            "enterprises_with_union": 9,
        }

    wait_until(counted, timeout=30)
    registry = platform.call("GET", "/registry/api/v1/stats", role="reader")
    assert (registry["enterprises"], registry["enterprises_with_union"]) == (12, 9)
