"""Text a person can read: what a name, a code or any other text value may hold.

A value is refused, with the reason, where it holds a C0 or C1 control character (a NUL, an
escape; tab, line feed and carriage return are whitespace and pass), a bidirectional override
or isolate (U+202A-U+202E, U+2066-U+2069: they make a text read otherwise than it is
written), the replacement character U+FFFD (a character lost, as in a damaged file), or
nothing but invisible characters (zero-width spaces and joiners U+200B-U+200D, the word
joiner U+2060, the byte-order mark U+FEFF), perhaps among spaces. A value of spaces alone is
blank, not unreadable: a rule for required values says so.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_LOST = "\ufffd"

CONTROL_CHARACTER = "must not contain the control character %(code)s"
BIDI_CHARACTER = "must not contain the bidirectional control character %(code)s"
ONLY_INVISIBLE = "must not be made only of invisible characters"
LOST_CHARACTER = "holds U+FFFD where a character was lost: type the text again"
MESSAGES = (CONTROL_CHARACTER, BIDI_CHARACTER, ONLY_INVISIBLE, LOST_CHARACTER)
"""The reasons :func:`refuse_unreadable` gives, as catalogue msgids."""


def refuse_unreadable(value: str) -> str | None:
    """Why ``value`` cannot be kept as text a person reads, or ``None`` where it can."""
    for pattern, reason in ((_CONTROL, CONTROL_CHARACTER), (_BIDI, BIDI_CHARACTER)):
        found = pattern.search(value)
        if found:
            return reason % {"code": f"U+{ord(found.group()):04X}"}
    if _LOST in value:
        return LOST_CHARACTER
    visible = value.strip()
    if visible and all(character in _INVISIBLE or character.isspace() for character in visible):
        return ONLY_INVISIBLE
    return None
