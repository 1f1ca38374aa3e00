"""Whether a text a person will read can be read as it was meant: a name, a title, a reason.

A text is refused when it holds a control character (C0, U+0000–U+001F, DEL and C1,
U+0080–U+009F: a NUL that PostgreSQL cannot store, an ESC that drives a terminal, a BEL), a
bidirectional override, embedding or isolate (U+202A–U+202E, U+2066–U+2069, which can make a
name read backwards on the screen), an unpaired surrogate (no UTF-8 encodes it), the
replacement character U+FFFD (a character lost, as where a file's bytes were damaged), or when
it has no visible character at all: only whitespace and invisible characters (zero-width
U+200B–U+200F, the word joiner and invisible operators U+2060–U+2064, the byte-order mark
U+FEFF, the soft hyphen, the Mongolian vowel separator, the Hangul fillers). An invisible
character between visible ones is kept: a zero-width joiner has its uses.

Every text is single-line, but for the few that may run over lines (a reason), which may hold
line feeds and carriage returns. The ranges are spelled as regular-expression escapes that
Python and ECMA-262 read alike, so that the OpenAPI document can state the same refusal as a
``pattern`` (:data:`readable_pattern`).
"""

from __future__ import annotations

import re

CONTROLS = r"\x00-\x1f\x7f-\x9f"
CONTROLS_BUT_LINE_BREAKS = r"\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f"
BIDI_CONTROLS = r"\u202a-\u202e\u2066-\u2069"
SURROGATES = r"\ud800-\udfff"
LOST = r"\ufffd"
INVISIBLE = r"\u00ad\u034f\u115f\u1160\u180e\u200b-\u200f\u2060-\u2064\u3164\ufeff\uffa0"
WHITESPACE = r"\x09-\x0d\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""Whitespace as Python's ``str.split()`` sees it, spelled out (``\\s`` differs between Python
and ECMA-262)."""

CONTROL_CHARACTER = "contains the control character %(code)s"
BIDI_CONTROL = "contains the bidirectional control %(code)s"
UNPAIRED_SURROGATE = "contains an unpaired surrogate %(code)s"
LOST_CHARACTER = "holds U+FFFD where a character was lost: type the text again"
NOTHING_VISIBLE = "has no visible character"
MESSAGES = (CONTROL_CHARACTER, BIDI_CONTROL, UNPAIRED_SURROGATE, LOST_CHARACTER, NOTHING_VISIBLE)
"""What :func:`unreadable_reason` answers (each has its translation in ``shared/locale``)."""


def _refused(line_breaks: bool) -> str:
    return (CONTROLS_BUT_LINE_BREAKS if line_breaks else CONTROLS) + BIDI_CONTROLS + LOST


def readable_pattern(*, line_breaks: bool = False) -> str:
    """The refusal of :func:`unreadable_reason` as an anchored JSON Schema ``pattern``: no
    refused character, and one visible. Unpaired surrogates are left out of it: a regular
    expression over code points (Rust's, which validators use) cannot name them, and no
    client's UTF-8 holds one."""
    refused = _refused(line_breaks)
    visible = f"[^{refused}{INVISIBLE}{WHITESPACE}]"
    return f"^[^{refused}]*{visible}[^{refused}]*$"


def _checks(controls: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    return (
        (re.compile(f"[{controls}]"), CONTROL_CHARACTER),
        (re.compile(f"[{BIDI_CONTROLS}]"), BIDI_CONTROL),
        (re.compile(f"[{SURROGATES}]"), UNPAIRED_SURROGATE),
        (re.compile(LOST), LOST_CHARACTER),
    )


_SINGLE_LINE = _checks(CONTROLS)
_LINES = _checks(CONTROLS_BUT_LINE_BREAKS)
_VISIBLE = re.compile(f"[^{_refused(False)}{SURROGATES}{INVISIBLE}{WHITESPACE}]")


def unreadable_reason(value: str, *, line_breaks: bool = False) -> str | None:
    """Why ``value`` cannot be shown to a person as it is (in English, a message of
    :data:`MESSAGES` with the character's code point), or ``None`` when it can."""
    for refused, message in _LINES if line_breaks else _SINGLE_LINE:
        character = refused.search(value)
        if character is not None:
            return message % {"code": f"U+{ord(character.group()):04X}"}
    if _VISIBLE.search(value) is None:
        return NOTHING_VISIBLE
    return None
