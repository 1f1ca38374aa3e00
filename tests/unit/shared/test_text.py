"""Text a person can read: what ``refuse_unreadable`` lets through and why it refuses the rest."""

from __future__ import annotations

import pytest

from shared.text import refuse_unreadable


@pytest.mark.parametrize(
    "value", ["张伟", "Zhang\tWei", "两行\r\n", "   ", "", "张\u200d伟", "café"]
)
def test_readable_text_and_blank_text_pass(value: str) -> None:
    assert refuse_unreadable(value) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("张\x00伟", "control character U+0000"),
        ("\x1b[31m", "control character U+001B"),
        ("张\x85伟", "control character U+0085"),
        ("abc\u202edef", "bidirectional control character U+202E"),
        ("\u2066张伟\u2069", "bidirectional control character U+2066"),
        ("\u200b", "only of invisible characters"),
        (" \ufeff\u2060 ", "only of invisible characters"),
        ("王\ufffd", "U+FFFD where a character was lost"),
    ],
)
def test_unreadable_text_is_refused_with_the_reason(value: str, reason: str) -> None:
    assert reason in (refuse_unreadable(value) or "")
