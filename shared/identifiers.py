"""Validation of the Chinese identifiers Jiangong stores.

Two national standards are covered:

* the unified social credit code (USCC, GB 32100-2015) that identifies every
  employer, union branch and other organisation: 18 characters whose last one
  is a MOD 31 check character;
* the resident identity card number (GB 11643-1999) that identifies a worker:
  17 digits followed by an ISO 7064 MOD 11-2 check character, with the birth
  date and gender encoded in the body.

Every validator normalises its input (surrounding whitespace removed,
letters upper-cased) and raises :class:`InvalidIdentifier` with a message
that can be shown to the person who typed the value. Messages never reveal
the expected check character.

The ``make_*`` functions build valid values for demo data and tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_LENGTH = 18
# 3^(i-1) mod 31 for i = 1..17: 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(USCC_LENGTH - 1))

ID_NUMBER_LENGTH = 18
_ID_NUMBER_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_NUMBER_CHECK_CHARACTERS = "10X98765432"
_EARLIEST_BIRTH_DATE = date(1900, 1, 1)

MALE = "male"
FEMALE = "female"


class InvalidIdentifier(ValueError):
    """An identifier failed validation; the message is fit to show the user."""


# The messages, as templates: each is a msgid of the problem catalogues (``shared.i18n``), so
# that a client asking for Chinese reads them in Chinese, values and all.
CHECK_CHARACTER_WRONG = "check character does not match"
WRONG_LENGTH = "must be %(length)s characters, got %(got)s"
CHARACTER_NOT_ALLOWED = "character %(char)s at position %(position)s is not allowed"
BIRTH_DATE_NOT_REAL = "birth date %(digits)s is not a real date"
BIRTH_DATE_IN_FUTURE = "birth date is in the future"
BIRTH_DATE_TODAY = "birth date must be before today"
BIRTH_DATE_BEFORE_1900 = "birth date is before 1900"
OCCUPATION_CODE_FORM = (
    "must be an occupation code of the national classification, N-NN-NN-NN such as 6-18-01-01"
)
MESSAGES = (
    CHECK_CHARACTER_WRONG,
    WRONG_LENGTH,
    CHARACTER_NOT_ALLOWED,
    BIRTH_DATE_NOT_REAL,
    BIRTH_DATE_IN_FUTURE,
    BIRTH_DATE_TODAY,
    BIRTH_DATE_BEFORE_1900,
    OCCUPATION_CODE_FORM,
)

# --- Occupation code --------------------------------------------------------------

OCCUPATION_CODE_PATTERN = r"^[1-8]-[0-9]{2}-[0-9]{2}-[0-9]{2}$"
"""An occupation (职业) of the national classification (《中华人民共和国职业分类大典》): its major
group (1–8), middle group, minor group and occupation, ``6-18-01-01``."""
OCCUPATION_CODE_EXAMPLE = "6-18-01-01"


# --- Unified social credit code ------------------------------------------------


def uscc_check_character(first17: str) -> str:
    """Return the check character for the first 17 characters of a USCC."""
    body = first17.upper()
    _require_length(body, USCC_LENGTH - 1)
    _require_alphabet(body, USCC_ALPHABET)
    total = sum(
        USCC_ALPHABET.index(char) * weight for char, weight in zip(body, _USCC_WEIGHTS, strict=True)
    )
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Return ``value`` normalised, or raise :class:`InvalidIdentifier`."""
    code = value.strip().upper()
    _require_length(code, USCC_LENGTH)
    _require_alphabet(code, USCC_ALPHABET)
    if uscc_check_character(code[:-1]) != code[-1]:
        raise InvalidIdentifier(CHECK_CHARACTER_WRONG)
    return code


def make_uscc(prefix17: str) -> str:
    """Return a valid USCC made of ``prefix17`` and its check character."""
    body = prefix17.upper()
    return body + uscc_check_character(body)


# --- Resident identity card number ---------------------------------------------


@dataclass(frozen=True)
class IdNumber:
    """A validated resident identity card number and what it encodes."""

    value: str
    birth_date: date
    gender: str

    @property
    def region_code(self) -> str:
        """The six-digit administrative division code of first registration."""
        return self.value[:6]


def id_number_check_character(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character for 17 digits."""
    _require_length(first17, ID_NUMBER_LENGTH - 1)
    _require_alphabet(first17, "0123456789")
    total = sum(
        int(digit) * weight for digit, weight in zip(first17, _ID_NUMBER_WEIGHTS, strict=True)
    )
    return _ID_NUMBER_CHECK_CHARACTERS[total % 11]


def validate_id_number(value: str, today: date | None = None) -> IdNumber:
    """Validate a resident identity card number, or raise :class:`InvalidIdentifier`.

    ``today`` is the reference date for the "birth date is in the past"
    rule; it defaults to the current date.
    """
    number = value.strip().upper()
    _require_length(number, ID_NUMBER_LENGTH)
    _require_alphabet(number[:-1], "0123456789")
    _require_alphabet(number[-1], "0123456789X", first_position=ID_NUMBER_LENGTH)
    birth_date = _birth_date(number[6:14], date.today() if today is None else today)
    if id_number_check_character(number[:-1]) != number[-1]:
        raise InvalidIdentifier(CHECK_CHARACTER_WRONG)
    return IdNumber(value=number, birth_date=birth_date, gender=_gender(number[16]))


def mask_id_number(value: str) -> str:
    """Hide the birth date and sequence: ``330402********123X``."""
    number = value.strip().upper()
    _require_length(number, ID_NUMBER_LENGTH)
    return number[:6] + "*" * 8 + number[-4:]


def make_id_number(region_code: str, birth_date: date, sequence: int, gender: str) -> str:
    """Return a valid ID number for the given region, birth date and gender.

    ``sequence`` (0..99) fills characters 15-16; the 17th digit is 1 for a
    male and 2 for a female.
    """
    if len(region_code) != 6 or not all(char in "0123456789" for char in region_code):
        raise ValueError("region code must be 6 digits")
    if not 0 <= sequence <= 99:
        raise ValueError("sequence must be between 0 and 99")
    gender_digit = {MALE: "1", FEMALE: "2"}.get(gender)
    if gender_digit is None:
        raise ValueError(f"gender must be {MALE!r} or {FEMALE!r}")
    body = f"{region_code}{birth_date:%Y%m%d}{sequence:02d}{gender_digit}"
    return body + id_number_check_character(body)


def _birth_date(digits: str, today: date) -> date:
    try:
        birth_date = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise InvalidIdentifier(BIRTH_DATE_NOT_REAL % {"digits": digits}) from None
    if birth_date > today:
        raise InvalidIdentifier(BIRTH_DATE_IN_FUTURE)
    if birth_date == today:
        raise InvalidIdentifier(BIRTH_DATE_TODAY)
    if birth_date < _EARLIEST_BIRTH_DATE:
        raise InvalidIdentifier(BIRTH_DATE_BEFORE_1900)
    return birth_date


def _gender(digit: str) -> str:
    return MALE if int(digit) % 2 == 1 else FEMALE


# --- Shared checks -------------------------------------------------------------


def _require_length(value: str, length: int) -> None:
    if len(value) != length:
        raise InvalidIdentifier(WRONG_LENGTH % {"length": length, "got": len(value)})


def _require_alphabet(value: str, alphabet: str, first_position: int = 1) -> None:
    for position, char in enumerate(value, start=first_position):
        if char not in alphabet:
            raise InvalidIdentifier(
                CHARACTER_NOT_ALLOWED % {"char": repr(char), "position": position}
            )
