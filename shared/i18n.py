"""Problems in the reader's language: Babel catalogues, chosen by ``Accept-Language``.

English is the source language: every message the platform answers with is written in English
in the code (a rule's ``title`` and ``default_detail``, the kernel's generic titles and details,
the identifiers' messages) and is the ``msgid`` of a catalogue entry. The catalogues are gettext
``.po`` files in ``shared/locale/<locale>/LC_MESSAGES/messages.po``, shipped with the package
and compiled in memory when first needed; a service may add its own beside its code
(``services/<name>/locale/...``), read after the kernel's.

A message built with values (``The worker left on 2024-03-05.``) is translated through a msgid
with named placeholders (``The worker left on %(date)s.``): the English text is matched against
the msgid's pattern and the values are carried into the translation. A message that no entry
matches stays English. :func:`missing_translations` lists the rules and kernel messages that
have no translation yet (a test keeps it empty; ``jiangong translations`` prints them as
``.po`` entries to fill in).
"""

from __future__ import annotations

import functools
import io
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from gettext import GNUTranslations
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from shared.errors import all_rules
from shared.identifiers import MESSAGES as IDENTIFIER_MESSAGES
from shared.json_body import MESSAGES as JSON_BODY_MESSAGES
from shared.text import MESSAGES as TEXT_MESSAGES

SOURCE_LOCALE = "en"
LOCALES = ("en", "zh")
"""What ``Accept-Language`` is matched against: ``zh``, ``zh-CN``, ``zh-Hans`` all get ``zh``."""
DOMAIN = "messages"
KERNEL_LOCALE_DIR = Path(__file__).parent / "locale"
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    translation: str


class Catalogue:
    """One locale's translations, from one or more ``.po`` files (later ones add to and
    override earlier ones)."""

    def __init__(self, locale: str, po_files: Iterable[Path]):
        self.locale = locale
        self._exact: dict[str, str] = {}
        for path in po_files:
            self._exact.update(_compiled(path))
        # the most literal text first: "Must be ... %(min)s and ... %(max)s." before
        # "Must be ... %(min)s.", whose placeholder would swallow the rest
        with_values = sorted(
            (msgid for msgid in self._exact if _PLACEHOLDER.search(msgid)),
            key=lambda msgid: -len(_PLACEHOLDER.sub("", msgid)),
        )
        self._patterns = [_Pattern(_regex_of(msgid), self._exact[msgid]) for msgid in with_values]

    def __contains__(self, msgid: str) -> bool:
        return msgid in self._exact

    def translate(self, text: str) -> str:
        """``text`` in this locale: an exact entry, else an entry whose placeholders match the
        values in ``text``, else ``text`` unchanged."""
        exact = self._exact.get(text)
        if exact is not None:
            return exact
        for pattern in self._patterns:
            match = pattern.regex.fullmatch(text)
            if match:
                return _fill(pattern.translation, match.groupdict(), self._exact)
        return text


def _fill(translation: str, values: dict[str, str], words: dict[str, str]) -> str:
    """The translation with each placeholder's value, itself translated where it is a word of
    the catalogue (``No worker with that id.`` → ``没有该 id 的职工。``)."""

    def value(match: re.Match[str]) -> str:
        text = values[match.group(1)]
        return words.get(text, text)

    return _PLACEHOLDER.sub(value, translation)


def _compiled(path: Path) -> dict[str, str]:
    """The translated, non-fuzzy entries of a ``.po`` file, compiled to ``.mo`` in memory (the
    same bytes ``pybabel compile`` writes) and read back through :mod:`gettext`."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    translations = GNUTranslations(buffer)
    compiled = {}
    for message in catalog:
        if isinstance(message.id, str) and message.id:
            text = translations.gettext(message.id)
            if text != message.id or message.string == message.id:
                compiled[message.id] = text
    return compiled


def _regex_of(msgid: str) -> re.Pattern[str]:
    parts: list[str] = []
    position = 0
    seen: set[str] = set()
    for match in _PLACEHOLDER.finditer(msgid):
        parts.append(re.escape(msgid[position : match.start()]))
        name = match.group(1)
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
        seen.add(name)
        position = match.end()
    parts.append(re.escape(msgid[position:]))
    return re.compile("".join(parts), re.DOTALL)


def po_files(locale: str, extra_dirs: Iterable[Path] = ()) -> list[Path]:
    """The kernel's catalogue of ``locale``, then each extra locale directory's, where present."""
    candidates = [KERNEL_LOCALE_DIR, *extra_dirs]
    return [
        path
        for directory in candidates
        if (path := directory / locale / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()
    ]


@functools.lru_cache(maxsize=32)
def catalogue(locale: str, extra_dirs: tuple[Path, ...] = ()) -> Catalogue:
    return Catalogue(locale, po_files(locale, extra_dirs))


def translate(text: str, locale: str, extra_dirs: tuple[Path, ...] = ()) -> str:
    if locale == SOURCE_LOCALE or not text:
        return text
    return catalogue(locale, extra_dirs).translate(text)


def negotiate(accept_language: str | None) -> str:
    """The locale for an ``Accept-Language`` header: ``zh`` for any Chinese, else English."""
    accepted = parse_accept_header(accept_language or "", LanguageAccept)
    return accepted.best_match(LOCALES, default=SOURCE_LOCALE) or SOURCE_LOCALE


# -- what must be translated ---------------------------------------------------------------

KERNEL_MESSAGES = (
    # the generic titles problems carry (HTTP reason phrases)
    "Bad Request",
    "Unauthorized",
    "Forbidden",
    "Not Found",
    "Method Not Allowed",
    "Not Acceptable",
    "Conflict",
    "Gone",
    "Precondition Failed",
    "Request Entity Too Large",
    "Unsupported Media Type",
    "Unprocessable Entity",
    "Too Many Requests",
    "Internal Server Error",
    "Service Unavailable",
    # the kernel's own details
    "The request has invalid fields: %(fields)s.",
    "A bearer token is required.",
    "The token is not valid: %(reason)s.",
    "The %(role)s role may not do this.",
    "No %(what)s with that id.",
    "The server failed to answer; the error has been logged.",
    "is set by the server and cannot be written",
    "nothing to change: send at least one field",
    "The request holds a value the database can neither store nor look up.",
)
"""Titles and details the kernel answers with, besides the rules' own."""


def required_msgids() -> Iterator[tuple[str, str]]:
    """``(where, msgid)`` of every message that must have a translation: each loaded rule's
    title and default detail, the kernel's messages, the identifiers' messages, and what an
    unreadable text or an unacceptable JSON body is told."""
    for rule in all_rules():
        where = f"{rule.__module__}.{rule.__name__}"
        yield f"{where}.title", rule.title
        yield f"{where}.default_detail", rule.default_detail
    for message in KERNEL_MESSAGES:
        yield "shared.i18n.KERNEL_MESSAGES", message
    for message in IDENTIFIER_MESSAGES:
        yield "shared.identifiers.MESSAGES", message
    for message in TEXT_MESSAGES:
        yield "shared.text.MESSAGES", message
    for message in JSON_BODY_MESSAGES:
        yield "shared.json_body.MESSAGES", message


def service_locale_dirs(module: str) -> tuple[Path, ...]:
    """The catalogues a message of ``module`` is answered from besides the kernel's: its
    service's own (``services/<name>/locale``), where the module belongs to a service."""
    parts = module.split(".")
    if parts[0] != "services" or len(parts) < 2:
        return ()
    package = sys.modules.get(f"services.{parts[1]}")
    where = getattr(package, "__file__", None)
    return (Path(where).parent / "locale",) if where else ()


def missing_translations(locale: str = "zh") -> list[tuple[str, str]]:
    """The required messages that neither the kernel's catalogue of ``locale`` nor, for a
    service's rule, that service's own catalogue translates."""
    missing: dict[str, str] = {}
    for where, msgid in required_msgids():
        known = catalogue(locale, service_locale_dirs(where))
        if msgid not in known and msgid not in missing:
            missing[msgid] = where
    return [(where, msgid) for msgid, where in missing.items()]


def as_po_entries(missing: Iterable[tuple[str, str]]) -> str:
    """Missing messages as ``.po`` entries with an empty ``msgstr``, to paste and fill in."""
    entries = []
    for where, msgid in missing:
        escaped = msgid.replace("\\", "\\\\").replace('"', '\\"')
        flag = "#, python-format\n" if _PLACEHOLDER.search(msgid) else ""
        entries.append(f'#: {where}\n{flag}msgid "{escaped}"\nmsgstr ""\n')
    return "\n".join(entries)
