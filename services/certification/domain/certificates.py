"""Certificate numbers, and the name a public verification may show.

A number is one letter and 21 digits::

    S 1234 33 000101 25 3 000042
    │ │    │  │      │  │ └ serial (6), from 000001
    │ │    │  │      │  └ level (1), 1 to 5
    │ │    │  │      └ year of issue (2, ``YY``)
    │ │    │  └ assessment site (6)
    │ │    └ province (2): always ``33``, Zhejiang
    │ └ assessing body (4)
    └ kind of assessing body: ``S`` a social training-and-assessment organisation
      (社会培训评价组织), ``Y`` an employer (用人单位) assessing its own workers

The prefix is the issuer's choice (its configuration); the default is ``S``. Parsing is kind to
what people type: surrounding and inner whitespace go, full-width characters become ASCII
(NFKC) and a lower-case prefix is accepted; anything else malformed is
:class:`~.errors.InvalidCertificateNumber`.

A public verification never shows a full name. :func:`mask_name` keeps the first character
and, for names of three or more, the last (``张*强``, ``张*``, ``欧**明``); a Latin name keeps
each word's initial (``J*** S****``). :func:`name_matches` says whether a given name is the
holder's, comparing after NFKC, case folding and whitespace (ignored inside Chinese names,
collapsed to one space in others).
"""

from __future__ import annotations

import hmac
import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol, TypeVar

from . import errors

PROVINCE = "33"
PREFIXES = ("S", "Y")
DEFAULT_PREFIX = "S"

_NUMBER = re.compile(r"([SY])([0-9]{4})([0-9]{2})([0-9]{6})([0-9]{2})([1-5])([0-9]{6})")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


@dataclass(frozen=True, slots=True)
class CertificateNumber:
    prefix: str
    body: str
    province: str
    site: str
    year: int
    """The calendar year of issue (2000–2099): the number carries its last two digits."""
    level: int
    serial: int

    def __str__(self) -> str:
        parts = (self.prefix, self.body, self.site, self.year, self.level, self.serial)
        return format_number(*parts, province=self.province)


DEFAULT_BODY = "0573"  # the assessing body's code: Jiaxing's telephone area code by default
DEFAULT_SITE = "330400"  # the assessment site: Jiaxing's region code by default


@dataclass(frozen=True)
class Issuer:
    """Who issues the certificates: the kind of assessing body, its code and the site. A part
    that does not fit a number is a ``ValueError`` naming it (``body is 4 digits``)."""

    prefix: str = DEFAULT_PREFIX
    body: str = DEFAULT_BODY
    site: str = DEFAULT_SITE

    def __post_init__(self) -> None:
        format_number(self.prefix, self.body, self.site, 2000, 5, 1)

    def stem(self, year: int, level: int) -> str:
        """The number without its serial: what the serials are counted per."""
        return f"{self.prefix}{self.body}{self.site}{year % 100:02d}{level}"


def _digits(value: str, width: int, name: str) -> str:
    if not (isinstance(value, str) and len(value) == width and value.isascii() and value.isdigit()):
        raise ValueError(f"{name} is {width} digits")
    return value


def format_number(
    prefix: str,
    body: str,
    site: str,
    year: int,
    level: int,
    serial: int,
    *,
    province: str = PROVINCE,
) -> str:
    """The 22-character number; ``ValueError`` for a part that does not fit."""
    if prefix not in PREFIXES:
        raise ValueError("prefix is S or Y")
    if province != PROVINCE:
        raise ValueError("province is 33")
    if not 2000 <= year <= 2099:
        raise ValueError("year is a calendar year from 2000 to 2099")
    if level not in (1, 2, 3, 4, 5):
        raise ValueError("level is 1 to 5")
    if not 1 <= serial <= 999_999:
        raise ValueError("serial is 1 to 999999")
    return (
        f"{prefix}{_digits(body, 4, 'body')}{province}{_digits(site, 6, 'site')}"
        f"{year % 100:02d}{level}{serial:06d}"
    )


def parse_number(text: str) -> CertificateNumber:
    """The parts of a number, or :class:`~.errors.InvalidCertificateNumber`."""
    cleaned = "".join(unicodedata.normalize("NFKC", text or "").split()).upper()
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        raise errors.InvalidCertificateNumber()
    prefix, body, province, site, yy, level, serial = match.groups()
    if province != PROVINCE:
        raise errors.InvalidCertificateNumber("The province part of the number is not 33.")
    if int(serial) == 0:
        raise errors.InvalidCertificateNumber("The serial part of the number starts at 000001.")
    return CertificateNumber(prefix, body, province, site, 2000 + int(yy), int(level), int(serial))


def _is_chinese(name: str) -> bool:
    return _CJK.search(name) is not None


def mask_name(name: str) -> str:
    """The name as a public verification shows it: ``张三强`` → ``张*强``."""
    name = unicodedata.normalize("NFKC", name).strip()
    if not name:
        return ""
    if not _is_chinese(name):
        return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())
    name = "".join(name.split())
    if len(name) <= 2:
        return name[0] + "*" if len(name) == 2 else "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _comparable(name: str) -> str:
    name = unicodedata.normalize("NFKC", name).casefold()
    return "".join(name.split()) if _is_chinese(name) else " ".join(name.split())


def name_matches(full_name: str, given: str) -> bool:
    """Whether ``given`` is ``full_name``, up to width, case and whitespace (constant time)."""
    expected, offered = _comparable(full_name), _comparable(given)
    return bool(offered) and hmac.compare_digest(expected.encode(), offered.encode())


REVOKED = "revoked"


class Held(Protocol):
    status: str


C = TypeVar("C", bound=Held)


def revocable(certificate: C | None) -> C:
    """The certificate, known and still valid: a certificate is revoked once."""
    if certificate is None:
        raise errors.CertificateNotFound()
    if certificate.status == REVOKED:
        raise errors.CertificateAlreadyRevoked()
    return certificate
