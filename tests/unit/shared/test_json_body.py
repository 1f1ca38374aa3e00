"""``read_json``: the JSON a request body may be, and why one is refused."""

from __future__ import annotations

import json

import pytest

from shared.json_body import (
    MAX_DEPTH,
    MAX_VALUES,
    NOT_FINITE,
    RefusedFields,
    UnacceptableJson,
    read_json,
)


def _nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


def test_a_body_as_deep_as_the_limit_is_read_and_one_deeper_is_refused() -> None:
    assert read_json(_nested(MAX_DEPTH)) is not None
    with pytest.raises(UnacceptableJson, match=f"nested deeper than {MAX_DEPTH} levels"):
        read_json(_nested(MAX_DEPTH + 1))


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_a_body_nested_past_what_python_recurses_is_refused(depth: int) -> None:
    with pytest.raises(UnacceptableJson, match="nested deeper"):
        read_json(('{"a":' * depth + "1" + "}" * depth).encode())


@pytest.mark.parametrize("number", ["9" * 4_301, "9" * 101, "0." + "1" * 99, "1e" + "0" * 99])
def test_a_number_written_longer_than_any_field_takes_is_refused(number: str) -> None:
    with pytest.raises(UnacceptableJson, match="a number longer than 100 characters"):
        read_json(f'{{"year": {number}}}'.encode())


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
def test_a_number_that_is_not_finite_is_refused_naming_its_field(number: str) -> None:
    with pytest.raises(RefusedFields) as refused:
        read_json(f'{{"marks": {{"quality": {number}, "safety": 1e300}}}}'.encode())
    assert refused.value.errors == {"marks.quality": [NOT_FINITE]}


def test_a_number_of_a_hundred_characters_is_read() -> None:
    assert read_json(("[" + "9" * 100 + "]").encode()) == [int("9" * 100)]


def test_a_key_twice_in_one_object_is_refused_naming_it() -> None:
    with pytest.raises(UnacceptableJson, match='the key "role" twice'):
        read_json(b'{"team_size": {"min": 1, "max": 2}, "x": [{"role": 1, "role": 2}]}')
    assert read_json(b'[{"role": 1}, {"role": 2}]') == [{"role": 1}, {"role": 2}]


def test_a_long_key_twice_is_named_by_its_start() -> None:
    key = "k" * 10_000
    with pytest.raises(UnacceptableJson) as refused:
        read_json(json.dumps({key: 1}).replace("}", f', "{key}": 2}}').encode())
    assert len(str(refused.value)) < 200


def test_a_body_of_as_many_values_as_the_limit_is_read_and_one_more_is_refused() -> None:
    values = MAX_VALUES - 1  # and the array that holds them
    assert len(read_json(("[" + ",".join(["{}"] * values) + "]").encode())) == values
    with pytest.raises(UnacceptableJson, match=f"more than {MAX_VALUES} values"):
        read_json(("[" + ",".join(["{}"] * (values + 1)) + "]").encode())


def test_what_is_not_json_is_left_to_the_parser_to_say() -> None:
    with pytest.raises(json.JSONDecodeError):
        read_json(b'{"name": ')
    with pytest.raises(UnicodeDecodeError):
        read_json(b'{"name": "\xff"}')
