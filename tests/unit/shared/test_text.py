"""``unreadable_reason``: what a text a person will read may not hold, and the ``Text`` field
and the document's ``pattern`` that state the same."""

from __future__ import annotations

import re

import pytest
from marshmallow import ValidationError

from shared.http.fields import InputSchema, Text
from shared.text import readable_pattern, unreadable_reason


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("张\x00伟", "contains the control character U+0000"),
        ("\x1b[2J张伟", "contains the control character U+001B"),
        ("张伟\x07", "contains the control character U+0007"),
        ("张伟\x7f", "contains the control character U+007F"),
        ("张\x9b伟", "contains the control character U+009B"),
        ("张\t伟", "contains the control character U+0009"),
        ("张\n伟", "contains the control character U+000A"),
        ("\u202e伟张", "contains the bidirectional control U+202E"),
        ("张\u202a伟", "contains the bidirectional control U+202A"),
        ("张\u2066伟\u2069", "contains the bidirectional control U+2066"),
        ("张\ud800伟", "contains an unpaired surrogate U+D800"),
        ("王\ufffd", "holds U+FFFD where a character was lost: type the text again"),
        ("\u200b\u200c\u200d", "has no visible character"),
        ("\u2060\ufeff", "has no visible character"),
        ("\u3164", "has no visible character"),
        (" \u3000\u00a0", "has no visible character"),
        ("", "has no visible character"),
    ],
)
def test_an_unreadable_text_is_told_why(value: str, reason: str) -> None:
    assert unreadable_reason(value) == reason


@pytest.mark.parametrize("value", ["张伟", "Zhang Wei", "嘉兴\u200d精工", "O'Brien-李", "👩‍🔧"])
def test_a_readable_text_passes(value: str) -> None:
    assert unreadable_reason(value) is None


def test_line_breaks_are_taken_only_where_asked_for() -> None:
    assert unreadable_reason("第一行\r\n第二行", line_breaks=True) is None
    assert unreadable_reason("第一行\t第二行", line_breaks=True) is not None
    assert unreadable_reason("\n\r\n", line_breaks=True) == "has no visible character"


@pytest.mark.parametrize("line_breaks", [False, True])
def test_the_documents_pattern_refuses_exactly_what_the_check_refuses(line_breaks: bool) -> None:
    pattern = re.compile(readable_pattern(line_breaks=line_breaks))
    for code in (*range(0xD800), *range(0xE000, 0x10000)):  # but the unpaired surrogates
        for value in (chr(code), f"张{chr(code)}伟"):
            refused = unreadable_reason(value, line_breaks=line_breaks) is not None
            assert (pattern.fullmatch(value) is None) is refused, hex(code)


class Reasons(InputSchema):
    name = Text(20, required=True)
    reason = Text(200, line_breaks=True)


def test_a_text_is_tidied_and_a_reason_keeps_its_lines() -> None:
    loaded = Reasons().load({"name": "  张   伟 ", "reason": "\r\n 第一行  说明\r\n\r第二行 \n"})
    assert loaded == {"name": "张 伟", "reason": "第一行 说明\n\n第二行"}


def test_an_unreadable_name_is_refused_by_the_field() -> None:
    with pytest.raises(ValidationError) as refused:
        Reasons().load({"name": "张\x00伟"})
    assert refused.value.messages == {"name": ["contains the control character U+0000"]}
