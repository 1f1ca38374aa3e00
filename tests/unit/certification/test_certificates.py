"""Certificate numbers (format, parse, round trip, malformed) and the name shown publicly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.certification.domain import errors
from services.certification.domain.certificates import (
    CertificateNumber,
    format_number,
    mask_name,
    name_matches,
    parse_number,
)


def test_number_is_prefix_and_twenty_one_digits_in_order() -> None:
    number = format_number("S", "1234", "000101", 2025, 3, 42)
    assert number == "S123433000101253000042"
    assert len(number) == 22


def test_parse_gives_the_parts_back() -> None:
    parsed = parse_number("Y123433000101253000042")
    assert parsed == CertificateNumber("Y", "1234", "33", "000101", 2025, 3, 42)
    assert str(parsed) == "Y123433000101253000042"


def test_parse_forgives_spaces_full_width_and_lower_case() -> None:
    typed = " ｓ1234 33 000101 25 3 000042\n"
    assert str(parse_number(typed)) == "S123433000101253000042"


@given(
    prefix=st.sampled_from(["S", "Y"]),
    body=st.integers(0, 9999),
    site=st.integers(0, 999_999),
    year=st.integers(2000, 2099),
    level=st.integers(1, 5),
    serial=st.integers(1, 999_999),
)
@settings(max_examples=100)
def test_every_number_round_trips(
    prefix: str, body: int, site: int, year: int, level: int, serial: int
) -> None:
    text = format_number(prefix, f"{body:04d}", f"{site:06d}", year, level, serial)
    parsed = parse_number(text)
    assert (parsed.prefix, parsed.year, parsed.level, parsed.serial) == (
        prefix,
        year,
        level,
        serial,
    )
    assert str(parsed) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "S12343300010125300004",  # 20 digits
        "S1234330001012530000421",  # 22 digits
        "X123433000101253000042",  # unknown prefix
        "123433000101253000042S",  # prefix at the end
        "S123444000101253000042",  # province 44
        "S123433000101256000042",  # level 6
        "S123433000101250000042",  # level 0
        "S123433000101253000000",  # serial 0
        "S12343300010125300004A",
        "S１２３４33000101253000042x",
        "S١٢٣٤33000101253000042",  # Arabic-Indic digits are not ours
    ],
)
def test_malformed_number_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(errors.InvalidCertificateNumber) as caught:
        parse_number(text)
    assert (caught.value.rule, caught.value.status, caught.value.field) == (
        "invalid_certificate_number",
        422,
        "number",
    )


@pytest.mark.parametrize(
    "parts",
    [
        ("X", "1234", "000101", 2025, 3, 1),
        ("S", "123", "000101", 2025, 3, 1),
        ("S", "1234", "00010A", 2025, 3, 1),
        ("S", "1234", "000101", 1999, 3, 1),
        ("S", "1234", "000101", 2025, 6, 1),
        ("S", "1234", "000101", 2025, 3, 0),
        ("S", "1234", "000101", 2025, 3, 1_000_000),
    ],
)
def test_formatting_refuses_parts_that_do_not_fit(
    parts: tuple[str, str, str, int, int, int],
) -> None:
    with pytest.raises(ValueError):
        format_number(*parts)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三强", "张*强"),
        ("张三", "张*"),
        ("欧阳小明", "欧**明"),
        ("张", "*"),
        (" 李 四 ", "李*"),
        ("买买提·艾力", "买****力"),
        ("John Smith", "J*** S****"),
        ("Li", "L*"),
        ("", ""),
    ],
)
def test_mask_name_keeps_only_the_edges(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("given_name", "matches"),
    [
        ("张三强", True),
        (" 张三强\t", True),
        ("张 三 强", True),
        ("张三", False),
        ("", False),
    ],
)
def test_name_matches_after_normalising(given_name: str, matches: bool) -> None:
    assert name_matches("张三强", given_name) is matches


def test_latin_name_matches_regardless_of_case_width_and_spacing() -> None:
    assert name_matches("John Smith", "  john   SMITH ")
    assert name_matches("John Smith", "Ｊｏｈｎ Ｓｍｉｔｈ")
    assert not name_matches("John Smith", "JohnSmith")
