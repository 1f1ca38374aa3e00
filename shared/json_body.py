"""What a JSON request body may be, read in one place (:class:`shared.http.parser.KernelParser`).

A body is refused, before any schema sees it, when it is larger than the service takes
(``JIANGONG_MAX_JSON_BYTES``, 1 MiB by default: a 413), and with a 400 naming what is wrong
when it is

- nested deeper than :data:`MAX_DEPTH` objects and arrays (a body 1,000 deep made the parser
  recurse until it failed);
- holding more than :data:`MAX_VALUES` values: each could cost the schema an error of its own
  (a megabyte of ``{},`` in a list of criteria made 350,000 of them, near 1 GiB and a minute
  and a half for one request);
- holding a number written with more than :data:`MAX_NUMBER_LENGTH` characters (Python refuses
  to read an integer of more than 4,300 digits, and reading one of 4,300 costs time for
  nothing: no field takes a number that long);
- holding the same key twice in one object: which of the two values counts would depend on
  the reader (a proxy may check the first while Python keeps the last), so neither does.

A number JSON does not have (``NaN``, ``Infinity``, which Python reads, or one past a float's
range, ``1e400``, which Python reads as infinite) is a 422 naming its field
(:class:`RefusedFields`), whichever field it is in.

Where a body is not JSON at all, the answer is webargs' ``Invalid JSON body.``, as before.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable
from itertools import chain
from typing import Any

MAX_JSON_BYTES = 1024 * 1024
"""The default of ``JIANGONG_MAX_JSON_BYTES``; spreadsheets (``JIANGONG_MAX_UPLOAD_BYTES``)
may be larger."""
MAX_DEPTH = 64
MAX_VALUES = 10_000
"""Values in one body, at most: objects, arrays, strings, numbers, ``true``, ``false`` and
``null`` (keys are not counted). The largest body a service takes (a competition with 50
criteria and 20 awards) has about 400."""
MAX_NUMBER_LENGTH = 100
SHOWN_KEY = 64
"""Characters of a duplicated key shown in the answer, at most."""

TOO_LARGE = "A JSON body may have at most %(limit)s bytes."
TOO_DEEP = "is nested deeper than %(depth)s levels"
TOO_MANY_VALUES = "has more than %(values)s values"
NUMBER_TOO_LONG = "has a number longer than %(length)s characters"
KEY_TWICE = "has the key %(key)s twice in one object"
NOT_FINITE = "must be a finite number (not NaN, Infinity or past 1.8e308)"
MESSAGES = (TOO_LARGE, TOO_DEEP, TOO_MANY_VALUES, NUMBER_TOO_LONG, KEY_TWICE, NOT_FINITE)
"""What a refused body is told (each has its translation in ``shared/locale``)."""


class UnacceptableJson(ValueError):
    """A body that is JSON, but not one the platform reads; the message says why."""


class RefusedFields(ValueError):
    """Fields of a body whose values the platform cannot hold: ``{field: [message]}``."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(", ".join(errors))
        self.errors = errors


def read_json(body: bytes) -> Any:
    """The value of a JSON body (UTF-8); :class:`UnacceptableJson` or :class:`RefusedFields`
    where the platform will not read it. A body that is not JSON raises
    :class:`json.JSONDecodeError` (or :class:`UnicodeDecodeError`), as ``json.loads`` does."""
    infinite: list[str] = []  # the numbers read that are not finite, as written
    try:
        value = json.loads(
            body.decode("utf-8"),
            object_pairs_hook=_object,
            parse_constant=_finite_or_noted(infinite),
            parse_int=_int,
            parse_float=_finite_or_noted(infinite),
        )
    except RecursionError:
        raise UnacceptableJson(TOO_DEEP % {"depth": MAX_DEPTH}) from None
    _refuse_shape(value)
    if infinite:
        raise RefusedFields(_not_finite(value))
    return value


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) < len(pairs):
        twice = next(key for key, times in Counter(k for k, _ in pairs).items() if times > 1)
        shown = twice if len(twice) <= SHOWN_KEY else twice[:SHOWN_KEY] + "…"
        raise UnacceptableJson(KEY_TWICE % {"key": json.dumps(shown, ensure_ascii=False)})
    return value


def _long(text: str) -> None:
    if len(text) > MAX_NUMBER_LENGTH:
        raise UnacceptableJson(NUMBER_TOO_LONG % {"length": MAX_NUMBER_LENGTH})


def _int(text: str) -> int:
    _long(text)
    return int(text)


def _finite_or_noted(infinite: list[str]) -> Callable[[str], float]:
    """Read a float (or ``NaN``, ``Infinity``, ``-Infinity``), noting the ones not finite, so
    that their fields are named once the whole body is read."""

    def read(text: str) -> float:
        _long(text)
        number = float(text)
        if not math.isfinite(number):
            infinite.append(text)
        return number

    return read


def _not_finite(value: Any) -> dict[str, list[str]]:
    """``{field: [why]}`` for each number of ``value`` that is not finite, the fields dotted as
    the schemas name them (``marks.quality``, ``criteria.0.weight``)."""
    found: dict[str, list[str]] = {}
    pending: list[tuple[str, Any]] = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            found[path or "body"] = [NOT_FINITE]
        elif isinstance(item, dict | list):
            children = item.items() if isinstance(item, dict) else enumerate(item)
            pending.extend((f"{path}.{key}" if path else str(key), c) for key, c in children)
    return dict(sorted(found.items()))


def _refuse_shape(value: Any) -> None:
    """Refuse ``value`` if it nests more than :data:`MAX_DEPTH` objects and arrays or holds more
    than :data:`MAX_VALUES` values, looked at level by level (no recursion, each value once)."""
    level = [value] if isinstance(value, dict | list) else []
    depth, values = 0, 1
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            raise UnacceptableJson(TOO_DEEP % {"depth": MAX_DEPTH})
        values += sum(map(len, level))
        if values > MAX_VALUES:
            raise UnacceptableJson(TOO_MANY_VALUES % {"values": MAX_VALUES})
        children = chain.from_iterable(c.values() if isinstance(c, dict) else c for c in level)
        level = [child for child in children if isinstance(child, dict | list)]
