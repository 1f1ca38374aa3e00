"""Finding competitions by title: ``GET /api/v1/competitions?q=`` takes words of the title,
pages like the list, goes with its filters, and is declared in the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

TITLES = (
    "2025年嘉兴市数控车工职业技能竞赛",
    "2025年嘉兴市职工节能减排竞赛",
    "2025年秀洲区班组创先争优竞赛",
    "2024年嘉兴市数控铣工职业技能竞赛",
    "CNC Turning Open 100%_done",
)


@pytest.fixture
def titled(any_world) -> dict[str, str]:
    """The competitions of :data:`TITLES`, created a minute apart in that order."""
    created = {}
    for title in TITLES:
        any_world.now += timedelta(minutes=1)
        year = 2024 if title.startswith("2024") else 2025
        created[title] = any_world.competition(title=title, year=year)
    return created


def _search(world, **params: Any) -> Any:
    answer = world.client.get(
        "/api/v1/competitions", query_string=params, headers=world.auth("reader")
    )
    assert answer.status_code == 200, answer.json
    return answer.json


def _titles(page: dict[str, Any]) -> set[str]:
    return {item["title"] for item in page["items"]}


def test_a_fragment_of_the_title_finds_the_competitions_that_contain_it(any_world, titled) -> None:
    assert _titles(_search(any_world, q="数控")) == {TITLES[0], TITLES[3]}
    assert _titles(_search(any_world, q="节能减排")) == {TITLES[1]}
    assert _titles(_search(any_world, q="足球")) == set()


def test_every_word_must_be_in_the_title_and_letters_match_in_any_case(any_world, titled) -> None:
    assert _titles(_search(any_world, q="2025 技能")) == {TITLES[0]}
    assert _titles(_search(any_world, q="2025\u3000技能")) == {TITLES[0]}  # a full-width space
    assert _titles(_search(any_world, q="cnc turning")) == {TITLES[4]}


def test_wildcards_in_the_query_are_matched_literally(any_world, titled) -> None:
    assert _titles(_search(any_world, q="%")) == {TITLES[4]}
    assert _titles(_search(any_world, q="0%_")) == {TITLES[4]}
    assert _titles(_search(any_world, q="_")) == {TITLES[4]}


def test_the_search_is_paged_newest_first_and_goes_with_the_filters(any_world, titled) -> None:
    first = _search(any_world, q="嘉兴市", per_page=2)
    assert (first["total"], first["page"], first["per_page"], len(first["items"])) == (3, 1, 2, 2)
    second = _search(any_world, q="嘉兴市", per_page=2, page=2)
    assert len(second["items"]) == 1
    found = [item["title"] for item in first["items"] + second["items"]]
    assert found == [TITLES[3], TITLES[1], TITLES[0]]  # the newest first, as the list
    assert _titles(_search(any_world, q="数控", year=2025)) == {TITLES[0]}
    assert _search(any_world, q="竞赛", kind="team")["total"] == 0  # all skill contests here


def test_without_q_or_with_blank_words_everything_is_listed(any_world, titled) -> None:
    assert _search(any_world)["total"] == len(TITLES)
    assert _search(any_world, q=" ")["total"] == len(TITLES)


def test_an_empty_or_overlong_query_is_refused_naming_q(world) -> None:
    for q in ("", "竞" * 101):
        answer = world.client.get(
            "/api/v1/competitions", query_string={"q": q}, headers=world.auth()
        )
        assert answer.status_code == 422 and "q" in answer.json["errors"]


def test_q_is_declared_in_the_document(world) -> None:
    document = world.client.get("/api/openapi.json").json
    operation = document["paths"]["/api/v1/competitions"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"q", "page", "per_page", "year", "kind", "level", "status", "region_code"} <= names
    [q] = [parameter for parameter in operation["parameters"] if parameter["name"] == "q"]
    assert q["in"] == "query" and q["schema"]["maxLength"] == 100
